import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import ScanResult, reminders_send


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(_("--now needs an ISO time such as 2026-11-20T09:00: %(text)s") % {"text": text}) from exc
    # A time without a zone is local time in Asia/Shanghai, as the campaign's dates are.
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Run the reminder scan once: record what is due, deliver it here and now (or queue it with --enqueue), "
        "and print how many of each kind were recorded and what was delivered or queued. Exits 1 when anything "
        "pending could not be handed over (broker down, a channel failing); it stays pending for the next scan. "
        "Safe to run as often as you like (each reminder is sent once); for cron-only deployments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; write and send nothing.")
        parser.add_argument("--now", type=_moment, help="Pretend it is this local time, e.g. 2026-11-20T09:00.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand delivery to the Celery workers instead of delivering in this process.",
        )

    def handle(self, *args, dry_run: bool = False, now=None, enqueue: bool = False, **options):
        now = now or timezone.now()
        result = reminders_send(now=now, dry_run=dry_run, inline=not enqueue)
        mode = _("dry run: nothing is written or sent") if dry_run else _("for real")
        self.stdout.write(
            _("Reminder scan at %(time)s (%(mode)s)")
            % {"time": f"{timezone.localtime(now):%Y-%m-%d %H:%M}", "mode": mode}
        )
        for kind in Kind:
            self.stdout.write(
                _("  %(label)s (%(kind)s): %(count)d")
                % {"label": kind.label, "kind": kind.value, "count": result.counts.get(kind.value, 0)}
            )
        if dry_run:
            self.stdout.write(_("Reminders that would be recorded: %(count)d.") % {"count": result.total})
            return
        self.stdout.write(_("Reminders recorded: %(count)d.") % {"count": result.total})
        self._hand_over(result)

    def _hand_over(self, result: ScanResult) -> None:
        """Say what was delivered or queued, and fail when anything pending was not handed over."""
        people = len(result.recipients)
        if not result.handed_over:
            # Only inside a transaction that has not committed yet, which a shell run never is.
            raise CommandError(
                _("The reminders were recorded in a transaction not yet committed; nothing was handed over.")
            )
        if result.inline:
            self.stdout.write(
                _("Delivered here: %(deliveries)d; recipients: %(people)d (earlier scans' pending included).")
                % {"deliveries": result.delivered, "people": people}
            )
        else:
            self.stdout.write(
                _("Queued for the workers: recipients %(queued)d of %(people)d (earlier scans' pending included).")
                % {"queued": result.queued, "people": people}
            )
        if result.not_queued:
            raise CommandError(
                _(
                    "Not queued: recipients %(count)d, the message broker is unreachable. Their reminders are "
                    "recorded and stay pending: the next scan queues them again, or run send_reminders without "
                    "--enqueue to deliver them here."
                )
                % {"count": result.not_queued}
            )
        if result.undelivered:
            raise CommandError(
                _(
                    "Not delivered: %(count)d, a channel failed (see the log). "
                    "They stay pending and the next scan delivers them."
                )
                % {"count": result.undelivered}
            )
