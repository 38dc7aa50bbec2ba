"""The reminders' part of `/health/` (registered in NotificationsConfig.ready(); see core/health.py)."""

from typing import Any

from django.utils import timezone

from notifications.models import Delivery, ScanRecord


def reminders() -> dict[str, Any]:
    """Seconds since the reminder scan last finished (None: never), and the deliveries still pending."""
    finished = ScanRecord.objects.filter(name=ScanRecord.REMINDERS).values_list("finished_at", flat=True).first()
    age = None if finished is None else int((timezone.now() - finished).total_seconds())
    return {
        "last_scan_age_seconds": age,
        "deliveries_waiting": Delivery.objects.filter(sent_at__isnull=True).count(),
    }
