from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from visits.models import Errand, ErrandStep, Policy, PolicySector, Visit


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
