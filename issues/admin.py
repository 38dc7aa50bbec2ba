from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from issues.models import Issue, IssueCategory, IssueEvent


@admin.register(IssueCategory)
class IssueCategoryAdmin(admin.ModelAdmin):
    """The categories; each one's default deadline is counted in working or calendar days (docs/working-days.md)."""

    list_display = ["name", "code", "default_deadline_days", "deadline_counts", "sort_order", "is_active"]
    list_editable = ["default_deadline_days", "deadline_counts", "sort_order", "is_active"]
    list_filter = ["deadline_counts", "is_active"]


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "from_status", "to_status", "from_department", "department", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only here: a problem's state changes only through the workflow service."""

    list_display = ["title", "enterprise", "flow", "status", "department", "deadline", "supervised"]
    list_filter = ["flow", "status", "supervised", "category", "department"]
    search_fields = ["title", "description", "enterprise__name"]
    list_select_related = ["enterprise", "department"]
    inlines = [IssueEventInline]
