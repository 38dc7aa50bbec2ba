"""Record the reminders due and deliver them: exactly once per key, whatever happens.

`reminders_send` is the scan's one write. In one transaction it records every due
reminder under its unique key (a key already taken is skipped by the database:
INSERT … ON CONFLICT DO NOTHING), gives each new reminder a pending delivery per
channel, and — only after commit — hands every person with anything pending to
the `deliver` task: one message per person, however many items they have.

The scan is set-based: it reads in a fixed number of queries per kind (reminders.py),
records and makes the deliveries in one statement on PostgreSQL (two on SQLite), and a dry
run counts what is not recorded yet in one query (recording.py) — the same number of
queries for 3 reminders due or 100,000. Only the hand-over grows with the number of
people (one queued task, or one delivery here, per person); the tasks reach the broker in one
round trip per ENQUEUE_BATCH people (`deliveries_enqueue`).

Nothing is marked sent until a channel has taken it (`reminders_deliver`), so a
broker that is down, a worker killed mid-task, or a mail server that refuses
leaves the deliveries pending, and the next scan hands them over again.
"""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.roles import PortalUser
from notifications import recording, reminders
from notifications.channels import channels
from notifications.models import Delivery, Notification, ScanRecord

logger = logging.getLogger(__name__)


@dataclass
class ScanResult:
    """What one scan recorded (or, in a dry run, would record), per kind, and what became of its delivery.

    The delivery fields are filled in after commit, when the hand-over has run: `handed_over` says so.
    """

    counts: Counter[str] = field(default_factory=Counter)
    # People handed to delivery after commit: everyone with a pending delivery, old or new.
    recipients: list[int] = field(default_factory=list)
    dry_run: bool = False
    inline: bool = False
    handed_over: bool = False
    queued: int = 0  # people whose delivery task the broker took
    not_queued: int = 0  # people whose task could not be queued (broker down): their deliveries stay pending
    delivered: int = 0  # deliveries made in this process (inline)
    undelivered: int = 0  # deliveries still pending after delivering in this process (a channel failed)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def complete(self) -> bool:
        """Whether everything pending was handed over: queued for the workers, or delivered here."""
        return self.handed_over and not self.not_queued and not self.undelivered


def reminders_send(*, now: datetime.datetime | None = None, dry_run: bool = False, inline: bool = False) -> ScanResult:
    """Record every reminder due at `now` once, then deliver after commit (queued, or here if `inline`)."""
    now = now or timezone.now()
    # No sentence is stored: each channel says it in its reader's language (notifications/texts.py).
    due = reminders.scan(now=now)
    if dry_run:
        return ScanResult(counts=recording.untaken(due), dry_run=True)
    names = [channel.name for channel in channels()]
    with transaction.atomic():
        # One statement on PostgreSQL (notifications/recording.py): the keys not taken yet, and their
        # deliveries. A scan running at the same moment either took a key first (and made its deliveries
        # in the same statement) or waited on ours, so no key is recorded or delivered by both.
        counts = recording.record(due, channels=names, now=now)
        pending = list(
            Delivery.objects.filter(sent_at__isnull=True)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        result = ScanResult(counts=counts, recipients=pending, inline=inline)
        ScanRecord.record(ScanRecord.REMINDERS)  # for /health/: the scan ran, whether or not it found anything
        # Outside any other transaction this runs as the block above commits, so the caller
        # gets the result with its hand-over filled in.
        transaction.on_commit(lambda: _hand_over(result, now))
    return result


# People whose delivery tasks go to the broker in one round trip: ~1 KB a message, so ~10 MB held at once.
ENQUEUE_BATCH = 10_000


def deliveries_enqueue(*, recipient_ids: list[int]) -> int:
    """Queue one delivery task per person, ENQUEUE_BATCH people a round trip; if the broker is down, leave them pending.

    Return how many people's tasks the broker took. One producer publishes every task of a batch inside
    kombu's publish batch (`Producer.batch`), which on Redis buffers the LPUSHes in one pipeline sent as the
    batch closes: one round trip for a city's 5,000 people, not 5,000. Other brokers (the file broker of a
    bare development machine) publish each task at once, as before.
    """
    from notifications.tasks import deliver

    queued = 0
    for start in range(0, len(recipient_ids), ENQUEUE_BATCH):
        batch = recipient_ids[start : start + ENQUEUE_BATCH]
        try:
            with deliver.app.producer_or_acquire() as producer, producer.batch(max_size=len(batch)):
                for recipient_id in batch:
                    deliver.apply_async((recipient_id,), producer=producer)
        except Exception:
            # Never shown to users: the deliveries stay pending and the next scan queues them again. A batch
            # that failed as it was sent may have been taken in part: a person queued twice is delivered once.
            logger.exception(
                "Could not queue reminders (broker unreachable?); %d people stay pending for the next scan.",
                len(recipient_ids) - queued,
            )
            return queued
        queued += len(batch)
    return queued


def _hand_over(result: ScanResult, now: datetime.datetime) -> None:
    """Deliver here, or queue for the workers, everyone with a pending delivery; note how it went."""
    if result.inline:
        result.delivered = sum(reminders_deliver(recipient_id=pk, now=now) for pk in result.recipients)
        result.undelivered = Delivery.objects.filter(sent_at__isnull=True).count()
    else:
        result.queued = deliveries_enqueue(recipient_ids=result.recipients)
        result.not_queued = len(result.recipients) - result.queued
    result.handed_over = True


def reminders_deliver(*, recipient_id: int, now: datetime.datetime | None = None) -> int:
    """Hand one person's pending reminders to each channel; return how many deliveries were made.

    Each channel is its own transaction: the pending rows are locked (others skip
    them rather than wait), the channel takes them, and they are marked sent; a
    channel that fails rolls back only its own rows, which stay pending.
    """
    now = now or timezone.now()
    recipient = get_user_model().objects.filter(pk=recipient_id).first()
    if recipient is None:
        return 0
    made = 0
    for channel in channels():
        try:
            with transaction.atomic():
                batch = list(
                    Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(recipient_id=recipient_id, channel=channel.name, sent_at__isnull=True)
                    .select_related("reminder")
                    .order_by("reminder__created_at", "pk")
                )
                if not batch:
                    continue
                channel.send(recipient=recipient, reminders=[d.reminder for d in batch], now=now)
                Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(sent_at=now)
                made += len(batch)
        except Exception:
            logger.exception("Channel %s failed for user %s; the next scan retries.", channel.name, recipient_id)
    return made


def notification_mark_read(
    *, user: PortalUser, notification_id: int | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark one of the user's notifications read, or all of them when no id is given; return how many."""
    unread = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now or timezone.now())
