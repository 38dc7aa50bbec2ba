from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from enterprises import links
from enterprises.models import Enterprise, EnterpriseLink


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "uscc", "kind", "origin", "sector", "street", "contact_person", "is_active"]
    list_filter = ["kind", "origin", "sector", "street", "is_active"]
    search_fields = ["name", "uscc", "contact_person", "contact_mobile"]

    def view_on_site(self, obj: Enterprise) -> str:
        """The enterprise's link page (QR code, visit card, issue or revoke): the office's way there."""
        return reverse("voice:manage", args=[obj.pk])


@admin.register(EnterpriseLink)
class EnterpriseLinkAdmin(admin.ModelAdmin):
    """The enterprises' links: seen and revoked here; issued on the cadre's page or by `manage.py enterprise_link`."""

    list_display = ["enterprise", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "created_by", "revoked_by"]
    fields = ["enterprise", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by"]
    readonly_fields = ["enterprise", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: EnterpriseLink | None = None) -> bool:
        return False  # a revoked link stays on record: the timeline's steps name it

    @admin.action(description=_("Revoke the selected links"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[EnterpriseLink]) -> None:
        actor = request.user if request.user.is_authenticated else None
        live = queryset.filter(revoked_at__isnull=True).select_related("enterprise")
        count = sum(links.link_revoke(enterprise=link.enterprise, actor=actor) for link in live)
        message = ngettext("%(count)d link revoked.", "%(count)d links revoked.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)
