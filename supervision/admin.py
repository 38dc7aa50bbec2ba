"""Supervision in the administration pages: to look at, never to change (the services are the one way in).

Files are listed by name only: /media/ is never served, and the download view checks the viewer.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from supervision.models import Inspection, Rectification, Response, SupervisionFile


class FileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SupervisionFile
    fields = readonly_fields = ("name", "uploaded_by", "uploaded_at")
    extra = 0


class ItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Rectification
    fields = readonly_fields = ("cadre", "department", "requirement", "deadline", "status")
    extra = 0
    show_change_link = True


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["inspected_on", "kind", "target", "cadre", "enterprise", "department", "rating", "closed_at"]
    list_filter = ["kind", "target", "rating", "inspected_on"]
    search_fields = ["findings", "cadre__name", "enterprise__name", "department__name"]
    list_select_related = ["cadre", "enterprise", "department"]
    date_hierarchy = "inspected_on"
    inlines = [ItemInline, FileInline]


class ResponseInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Response
    fields = readonly_fields = (
        "text",
        "responded_by",
        "responded_at",
        "verdict",
        "verdict_note",
        "checked_by",
        "checked_at",
    )
    extra = 0


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["inspection", "cadre", "department", "deadline", "status", "accepted_at"]
    list_filter = ["status", "deadline"]
    search_fields = ["requirement", "cadre__name", "department__name"]
    list_select_related = [
        "inspection__cadre",
        "inspection__enterprise",
        "inspection__department",
        "cadre",
        "department",
    ]
    inlines = [ResponseInline]
