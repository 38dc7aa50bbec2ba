from typing import Any

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from organisation.forms import StaffCreationForm
from organisation.models import Cadre, Department, DepartmentStaff, Pairing
from organisation.services import staff_account_create, staff_appoint


class ReceivesFilter(admin.SimpleListFilter):
    """Whether a unit can receive problems now (Department.objects.can_receive)."""

    title = _("receives problems")
    parameter_name = "receives"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No: no staff account yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Department]) -> QuerySet[Department]:
        if self.value() == "yes":
            return queryset.filter(pk__in=Department.objects.can_receive())
        if self.value() == "no":
            return queryset.filter(pk__in=Department.objects.awaiting_staff())
        return queryset


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "staff_accounts", "kind", "is_active"]  # on a phone, what needs doing first
    list_filter = [ReceivesFilter, "kind", "is_active"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        acting = (
            DepartmentStaff.objects.acting()
            .filter(department=OuterRef("pk"))
            .values("department")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(acting_staff=Coalesce(Subquery(acting), 0))

    @admin.display(description=_("staff accounts"), ordering="acting_staff")
    def staff_accounts(self, department: Department) -> str:
        """How many staff can act for the unit; a unit with none links to adding one."""
        count: int = getattr(department, "acting_staff", 0)
        if count or not department.is_active:
            return str(count)
        url = reverse("admin:organisation_departmentstaff_add") + f"?department={department.pk}"
        return format_html('0 · <a href="{}">{}</a>', url, _("add a staff account"))


@admin.register(DepartmentStaff)
class DepartmentStaffAdmin(admin.ModelAdmin):
    """A unit's staff: adding one makes the login (or takes an existing account) and gives it the role."""

    list_display = ["name", "department", "user", "phone", "can_act"]
    list_filter = ["department__kind", "department"]
    list_select_related = ["department", "user"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    add_fieldsets = (
        (None, {"fields": ("department", "name", "phone")}),
        (_("A new login"), {"fields": ("username", "password1", "password2")}),
        (_("Or an existing account"), {"fields": ("user",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[DepartmentStaff]:
        acting = DepartmentStaff.objects.acting().filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(acting=Exists(acting))

    @admin.display(description=_("can act"), boolean=True)
    def can_act(self, staff: DepartmentStaff) -> bool:
        """Whether the account can log in and act for the unit (DepartmentStaff.objects.acting)."""
        return bool(getattr(staff, "acting", False))

    def get_fieldsets(self, request: HttpRequest, obj: DepartmentStaff | None = None) -> Any:
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = StaffCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: DepartmentStaff | None = None) -> Any:
        # The account of a staff record stays; a person who leaves has the account deactivated.
        return ["user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: DepartmentStaff, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        record = {"department": data["department"], "name": data["name"], "phone": data["phone"]}
        if data["username"]:
            saved = staff_account_create(username=data["username"], password=data["password1"], **record)
        else:
            saved = staff_appoint(user=data["user"], **record)
        obj.pk, obj.user = saved.pk, saved.user


class PairingInline(admin.TabularInline):
    model = Pairing
    extra = 0
    autocomplete_fields = ["enterprise"]


@admin.register(Cadre)
class CadreAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "rank", "unit", "mobile", "is_active"]
    list_filter = ["rank", "unit", "is_active"]
    search_fields = ["name", "title", "mobile", "user__username"]
    autocomplete_fields = ["user", "unit"]
    inlines = [PairingInline]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["cadre", "enterprise", "started_on", "ended_on"]
    list_filter = ["ended_on", "enterprise__origin"]
    search_fields = ["cadre__name", "enterprise__name"]
    autocomplete_fields = ["cadre", "enterprise"]
    list_select_related = ["cadre", "enterprise"]
