from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from visits import attachments
from visits.attachments import AttachmentNotStored
from visits.models import Errand, ErrandStep, Policy, PolicySector, Visit, VisitFile
from visits.services import policy_save, visit_admin_policies_save, visit_admin_save, visits_delete

# Where the change form's second showing finds the storage refusal of the first (PolicyAdmin).
STORAGE_REFUSAL = "_policy_attachment_refusal"


class VisitFileInline(admin.TabularInline):
    """A visit's photos and files, read-only: the cadre adds and removes them (visits/services.py)."""

    model = VisitFile
    extra = 0
    can_delete = False
    # Never the file fields themselves: their widget links to /media/, which is never served.
    fields = ("download", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("file name"))
    def download(self, obj: VisitFile) -> str:
        """The file through its scoped view (the one that checks who may see the visit)."""
        return format_html('<a href="{}">{}</a>', reverse("visits:visit_file", args=[obj.pk]), obj.name)


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["visited_on", "pairing", "mode", "created_at", "enterprise_answer"]
    list_filter = ["mode", "enterprise_answer", "visited_on"]
    inlines = [VisitFileInline]
    search_fields = ["pairing__cadre__name", "pairing__enterprise__name", "summary"]
    list_select_related = ["pairing__cadre", "pairing__enterprise"]
    autocomplete_fields = ["pairing"]
    date_hierarchy = "visited_on"

    # Every write goes through the services, which keep the visit tally (visits/tallies.py) and the policies'
    # reach (visits/reach.py) in step: a change of date or pairing, a history revert, an addition, a deletion.
    def save_model(self, request: HttpRequest, obj: Visit, form: Any, change: bool) -> None:
        obj._history_user = request.user  # type: ignore[attr-defined]  # as SimpleHistoryAdmin.save_model does
        visit_admin_save(visit=obj)
        # The policies are saved after the visit, by `save_related` on the change form and straight after this
        # on a history revert: both call the form's save_m2m, which counts them through the service.
        save_m2m = form.save_m2m
        form.save_m2m = lambda: visit_admin_policies_save(visit=obj, save=save_m2m)

    def delete_model(self, request: HttpRequest, obj: Visit) -> None:
        visits_delete(visits=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Visit]) -> None:
        visits_delete(visits=list(queryset))


class PolicySectorInline(admin.TabularInline):
    model = PolicySector
    extra = 1


class StoredAttachment:
    """The stored file as the file input shows it: its name, linked to the download view."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url

    def __str__(self) -> str:
        return self.name


class PolicyAttachmentInput(AdminFileWidget):
    """The admin's file input, whose "currently" link goes through the download view: /media/ is not served."""

    download_url = ""

    def format_value(self, value: Any) -> Any:
        shown = super().format_value(value)
        if shown and self.download_url:
            return StoredAttachment(str(shown), self.download_url)
        return shown


class HttpsURLField(forms.URLField):
    """A link typed without its scheme is taken as https (Django 6's default, said now)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class PolicyAdminForm(forms.ModelForm):
    """The policy's form; a storage refusal from a first attempt shows on the attachment field."""

    storage_refusal: AttachmentNotStored | None = None

    class Meta:
        model = Policy
        fields = ["title", "level", "issuing_body", "summary", "url", "attachment", "published_on", "is_active"]
        widgets = {"attachment": PolicyAttachmentInput(attrs={"accept": ",".join(attachments.EXTENSIONS)})}
        field_classes = {"url": HttpsURLField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "attachment" in self.fields:
            field = self.fields["attachment"]
            field.help_text = attachments.help_text()
            if self.instance.pk:
                widget = field.widget
                assert isinstance(widget, PolicyAttachmentInput)
                widget.download_url = reverse("visits:policy_attachment", args=[self.instance.pk])

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.storage_refusal is not None:
            self.add_error("attachment", ValidationError(self.storage_refusal.message, code=self.storage_refusal.code))
        return cleaned


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """The campaign office keeps the policy library here."""

    form = PolicyAdminForm
    list_display = ["title", "level", "issuing_body", "published_on", "is_active"]
    list_filter = ["level", "is_active", "sectors__sector"]
    search_fields = ["title", "issuing_body", "summary"]
    inlines = [PolicySectorInline]

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AttachmentNotStored as refusal:
            # The admin's transaction is rolled back: nothing was saved. Show the same form again
            # (get_form hands it the refusal), answering 503: the server, not the user, must act.
            setattr(request, STORAGE_REFUSAL, refusal)
            response = super().changeform_view(request, object_id, form_url, extra_context)
            response.status_code = 503
            return response

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, STORAGE_REFUSAL, None)
        if refusal is not None:
            form = type(form.__name__, (form,), {"storage_refusal": refusal})
        return form

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        policy_save(policy=obj)


class ErrandStepInline(admin.TabularInline):
    model = ErrandStep
    extra = 0
    can_delete = False
    readonly_fields = ["stage", "on", "note", "actor", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Errand)
class ErrandAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: errands move through the cadre's own pages."""

    list_display = ["matter", "pairing", "approving_department", "mode", "stage", "moved_at"]
    list_filter = ["mode", "stage"]
    search_fields = ["matter", "pairing__enterprise__name", "pairing__cadre__name"]
    list_select_related = ["pairing__cadre", "pairing__enterprise"]
    inlines = [ErrandStepInline]
