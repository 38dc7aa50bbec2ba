from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery, Notification, Reminder


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "recipient", "sent_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only: the record that a reminder was owed, and where it went."""

    list_display = ["created_at", "kind", "recipient", "period", "said"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username", "recipient__first_name"]
    list_select_related = ["recipient"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("title"))
    def said(self, obj: Reminder) -> str:
        return obj.text.title


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "said", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    readonly_fields = ["reminder"]

    @admin.display(description=_("title"))
    def said(self, obj: Notification) -> str:
        return obj.text.title
