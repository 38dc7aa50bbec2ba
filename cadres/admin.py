from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bangqiao_portal.admin import ReadOnlyAdminMixin
from cadres.models import Cadre, Department, DepartmentStaff, Errand, ErrandStep, Pairing, Policy, PolicySector, Visit


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(DepartmentStaff)
class DepartmentStaffAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "user", "phone"]
    list_filter = ["department"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user", "department"]


class PairingInline(admin.TabularInline):
    model = Pairing
    extra = 0
    autocomplete_fields = ["enterprise"]


@admin.register(Cadre)
class CadreAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "rank", "unit", "phone", "is_active"]
    list_filter = ["rank", "unit", "is_active"]
    search_fields = ["name", "title", "user__username"]
    autocomplete_fields = ["user", "unit"]
    inlines = [PairingInline]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["cadre", "enterprise", "started_on", "ended_on"]
    list_filter = ["ended_on", "enterprise__origin"]
    search_fields = ["cadre__name", "enterprise__name"]
    autocomplete_fields = ["cadre", "enterprise"]
    list_select_related = ["cadre", "enterprise"]


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["visited_on", "pairing", "mode"]
    list_filter = ["mode", "visited_on"]
    search_fields = ["pairing__cadre__name", "pairing__enterprise__name", "summary"]
    list_select_related = ["pairing__cadre", "pairing__enterprise"]
    autocomplete_fields = ["pairing"]
    date_hierarchy = "visited_on"


class PolicySectorInline(admin.TabularInline):
    model = PolicySector
    extra = 1


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """The campaign office keeps the policy library here."""

    list_display = ["title", "level", "issuing_body", "published_on", "is_active"]
    list_filter = ["level", "is_active", "sectors__sector"]
    search_fields = ["title", "issuing_body", "summary"]
    inlines = [PolicySectorInline]


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
