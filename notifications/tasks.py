"""Celery tasks: thin, each loads by id and calls a service (acks late: a killed worker's task runs again)."""

from celery import shared_task

from notifications.services import reminders_deliver, reminders_send


@shared_task
def scan_reminders() -> int:
    """Record what is due now and queue its delivery; beat runs this hourly in working hours."""
    return reminders_send().total


@shared_task
def deliver(recipient_id: int) -> int:
    """Deliver one person's pending reminders on every channel."""
    return reminders_deliver(recipient_id=recipient_id)
