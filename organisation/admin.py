from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisation.models import Cadre, Department, DepartmentStaff, Pairing


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
