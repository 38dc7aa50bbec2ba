from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import lockout, workdays
from core.accounts import accounts_within_portal_roles, may_administer
from core.forms import OfficeUserChangeForm, OfficeUserCreationForm
from core.models import CalendarDay, ExportJob
from core.roles import Role


class ReadOnlyAdminMixin:
    """Admin pages that only show: these records change through the portal's services alone."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RoleFilter(admin.SimpleListFilter):
    """Accounts by portal role, named in the user's language."""

    title = _("Portal roles")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Role.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        return queryset


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Superusers keep Django's user admin; a campaign-office clerk works within the portal's roles.

    The clerk's forms carry no field beyond the roles and refuse a submission that asks for more
    (core/forms.py); `save_model` and `save_related` check again what is about to be written, inside
    the admin's transaction, so nothing beyond the roles is ever saved (core/accounts.py).
    """

    office_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    office_add_fieldsets = (
        (None, {"fields": ("username", "first_name", "email")}),
        (_("Password"), {"fields": ("usable_password", "password1", "password2")}),
        (_("Permissions"), {"fields": ("groups",)}),
    )
    list_display = ("username", "first_name", "roles", "is_active", "login_locked", "is_staff", "last_login")
    list_filter = (RoleFilter, "is_active", "is_staff", "is_superuser")
    actions = ("unlock_logins",)
    change_form_template = "admin/auth/user/portal_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Whether each account is locked out, in the list's own query (core/lockout.py).
        return super().get_queryset(request).prefetch_related("groups").annotate(login_locked=lockout.login_locked())

    def get_urls(self) -> list[URLPattern]:
        unlock = path(
            "<id>/unlock/",
            self.admin_site.admin_view(self.unlock_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_unlock",
        )
        return [unlock, *super().get_urls()]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[User], search_term: str) -> Any:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete" and not request.user.is_superuser:
            # Picking an account for a record (a unit's staff, a cadre) gives it a role: a clerk picks
            # only among the accounts it may administer.
            queryset = queryset.filter(pk__in=accounts_within_portal_roles())
        return queryset, may_have_duplicates

    @admin.display(description=_("Portal roles"))
    def roles(self, account: User) -> str:
        return "、".join(str(Role(g.name).label) for g in account.groups.all() if g.name in Role.values)

    @admin.display(description=_("Locked out"), boolean=True, ordering="login_locked")
    def login_locked(self, account: User) -> bool:
        return bool(getattr(account, "login_locked", False))

    @admin.action(description=_("Unlock login"), permissions=["change"])
    def unlock_logins(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Unlock the chosen accounts the actor may change; say which others were left as they are."""
        permitted = queryset if request.user.is_superuser else queryset.filter(pk__in=accounts_within_portal_roles())
        accounts = list(permitted)
        left = queryset.exclude(pk__in=[account.pk for account in accounts]).values_list("username", flat=True)
        self._unlock(request, accounts)
        if left:
            message = gettext("Left as they are, since the campaign office may not change them: %(accounts)s.")
            self.message_user(request, message % {"accounts": "、".join(left)}, messages.WARNING)

    @method_decorator(require_POST)
    def unlock_view(self, request: HttpRequest, id: str) -> HttpResponse:
        """Unlock one account from its page: whoever may change the account may unlock it."""
        account = self.get_object(request, unquote(id))
        if account is None:
            raise Http404
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        self._unlock(request, [account])
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[account.pk],
                current_app=self.admin_site.name,
            )
        )

    def _unlock(self, request: HttpRequest, accounts: list[User]) -> None:
        """Forget the accounts' failed logins, from every address; record and say whose lockout ended."""
        lockout.unlock(usernames=[account.username for account in accounts])
        locked = [account for account in accounts if getattr(account, "login_locked", False)]
        for account in locked:
            self.log_change(request, account, gettext("Unlocked the login."))
        if locked:
            names = "、".join(account.username for account in locked)
            message = gettext("Unlocked the login of: %(accounts)s.") % {"accounts": names}
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(request, gettext("None of these accounts was locked out."), messages.WARNING)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        account = self.get_object(request, unquote(object_id))
        ends = lockout.lockouts(username=account.username).values() if account is not None else ()
        context = {"login_locked_until": max(ends, default=None), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return self.office_add_fieldsets
        if not may_administer(request.user, obj):
            # Shown read-only, without the password's reset button, which would only be refused.
            return ((None, {"fields": ("username",)}), *self.office_fieldsets[1:])
        return self.office_fieldsets

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            kwargs["form"] = OfficeUserCreationForm if obj is None else OfficeUserChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # A clerk sees a superuser's account, or one with more than the roles, but cannot change it
        # (nor reset its password: Django's password page asks this too).
        if obj is not None and not may_administer(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not may_administer(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        if not request.user.is_superuser:
            before = User.objects.filter(pk=obj.pk).values("is_staff", "is_superuser").first() if change else None
            if obj.is_superuser or obj.is_staff != (before["is_staff"] if before else False):
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The groups are saved now; refusing here rolls back the whole save (the admin's transaction).
        if not may_administer(request.user, form.instance):
            raise PermissionDenied


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The official schedule's holidays and 调休 working days for years the chinese-calendar package lacks."""

    list_display = ["date", "weekday", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return formats.date_format(day.date, "l")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # The office enters a year's schedule here; say which upcoming year is still counted Monday to Friday.
        missing = workdays.missing_years(timezone.localdate())
        if missing and request.method == "GET":
            message = gettext(
                "No official holiday schedule is known for %(years)s: its days are counted Monday to Friday. "
                "Enter its holidays and 调休 working days here once the State Council publishes them."
            )
            self.message_user(request, message % {"years": "、".join(map(str, missing))}, messages.WARNING)
        return super().changelist_view(request, extra_context)


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The exports written in the background: who asked, how each ended, and a failed one's error."""

    list_display = ["created_at", "user", "name", "status", "row_count", "finished_at", "expires_at"]
    list_filter = ["status", "name"]
    list_select_related = ["user"]
    # The file itself is downloaded by the user who asked only (core.views.export_download), never here.
    exclude = ["file", "key"]
