"""Reminders owed, their delivery on each channel, and the in-app notifications users read.

"Exactly once" is a database fact here, not a hope: a `Reminder` is unique on
(kind, object, recipient, period), a `Delivery` on (reminder, channel), and an
in-app `Notification` on its reminder. A scan that runs twice, or twice at once,
finds the keys taken and records nothing new.
"""

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import PortalUser

if TYPE_CHECKING:
    from notifications.texts import Said


class Kind(models.TextChoices):
    """What a reminder is about; each kind is about one model (see reminders.py)."""

    VISIT_SHORT = "visit_short", _("Visits short this month")
    VISITS_MISSED = "visits_missed", _("Pairings that missed last month's visits")
    ISSUE_DUE_SOON = "issue_due_soon", _("Problem due soon")
    ISSUE_OVERDUE = "issue_overdue", _("Problem overdue")
    ISSUE_SUPERVISE = "issue_supervise", _("Problem long overdue, for supervision")
    ESCALATION_UNDECIDED = "escalation_undecided", _("Escalation waiting for a decision")
    FEEDBACK_WAITING = "feedback_waiting", _("Resolved problem waiting for feedback")
    ERRAND_STALE = "errand_stale", _("Errand not moved")
    EXTENSION_PENDING = "extension_pending", _("Extension request waiting for a decision")
    RECTIFICATION_RAISED = "rectification_raised", _("Rectification item to answer")
    RECTIFICATION_DUE_SOON = "rectification_due_soon", _("Rectification item due soon")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("Rectification item overdue")
    RECTIFICATION_ANSWERED = "rectification_answered", _("Rectification answer waiting for its check")
    # Not found by the scan: recorded by a move on a problem, for whoever's turn it is (handovers.py).
    ISSUE_HANDED_OVER = "issue_handed_over", _("Your turn on a problem")
    # Not reminders either: an export run in the background has finished (notifications/exports.py).
    EXPORT_READY = "export_ready", _("Export ready")
    EXPORT_FAILED = "export_failed", _("Export failed")


# A reminder's title; "Overdue 3 days: " and the like before a problem's title (itself up to 200) are cut.
TITLE_LENGTH = 200


class Reminder(models.Model):
    """One reminder owed to one person: recorded once, whatever the scan does."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    # The id of the object the kind is about (a pairing, problem, errand, request, item; 0 for a digest).
    object_id = models.PositiveBigIntegerField(_("object id"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    # What makes a repeat a new reminder: a date, a month, a deadline and step, a timestamp.
    period = models.CharField(_("period"), max_length=40)
    # What it says is put together from these values in the reader's language (notifications/texts.py).
    params = models.JSONField(_("values"), default=dict, blank=True)
    # The text as stored by reminders recorded before the values were kept; blank on later ones.
    title = models.CharField(_("title"), max_length=TITLE_LENGTH, blank=True)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "recipient", "period"], name="reminder_once_per_key"),
        ]
        # The newest first (the admin's list). The scan no longer looks its rows up by their timestamp:
        # its INSERT … RETURNING says which it recorded (recording.py).
        indexes = [models.Index(fields=["created_at"], name="reminder_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.period}"

    @property
    def text(self) -> "Said":
        """Its title and text in the active language."""
        return said(self)


class Delivery(models.Model):
    """A reminder's delivery on one channel: pending until the channel has taken it."""

    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("reminder")
    )
    # Copied from the reminder so that "who still has something pending" is one indexed query.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=30)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            # Only the pending rows are ever searched; the partial index stays small as history grows.
            models.Index(fields=["recipient", "channel"], condition=Q(sent_at__isnull=True), name="delivery_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.reminder}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: PortalUser) -> Self:
        """Scope to the user's own notifications: nobody reads anyone else's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in a user's notification centre (the bell), with a link to the item."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    # The in-app channel writes one notification per reminder, never two.
    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.SET_NULL,
        related_name="notification",
        null=True,
        blank=True,
        verbose_name=_("reminder"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    # As on its reminder: the values it is said from, or (rows written before) the stored text.
    params = models.JSONField(_("values"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=TITLE_LENGTH, blank=True)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell's unread count on every page, and the list, newest first.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return self.text.title

    @property
    def text(self) -> "Said":
        """Its title and text in the active language."""
        return said(self)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def said(row: Reminder | Notification) -> "Said":
    """Return what a reminder or notification says in the active language (notifications/texts.py)."""
    from notifications.texts import say  # the catalogue names this module's kinds

    return say(row.kind, row.params, title=row.title, body=row.body)


class ScanRecord(models.Model):
    """When a scan last ran to its end: one row per scan (`REMINDERS`), rewritten by each run.

    `/health/` reports its age, so a monitor notices a beat that stopped even when the scans found
    nothing due (which would leave the newest `Reminder` old on a quiet day).
    """

    REMINDERS = "reminders"

    name = models.CharField(_("scan"), max_length=30, primary_key=True)
    finished_at = models.DateTimeField(_("last finished at"))

    class Meta:
        verbose_name = _("scan record")
        verbose_name_plural = _("scan records")

    def __str__(self) -> str:
        return f"{self.name} · {self.finished_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def record(name: str) -> None:
        """Say that scan `name` has just finished: one upsert (INSERT … ON CONFLICT DO UPDATE), race-free."""
        ScanRecord.objects.bulk_create(
            [ScanRecord(name=name, finished_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["finished_at"],
        )
