from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "uscc", "kind", "origin", "sector", "street", "contact_person", "is_active"]
    list_filter = ["kind", "origin", "sector", "street", "is_active"]
    search_fields = ["name", "uscc", "contact_person"]
