import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.models import Kind
from notifications.services import reminders_send


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--now 需要 ISO 格式的时间，例如 2026-11-20T09:00：{text}") from exc
    # A time without a zone is local time in Asia/Shanghai, as the campaign's dates are.
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Run the reminder scan once: record what is due, deliver it here and now, and print how many of each "
        "kind. Safe to run as often as you like (each reminder is sent once); for cron-only deployments."
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
        verb = "将发送" if dry_run else "已发送"
        mode = "演练，不写入也不发送" if dry_run else "正式"
        self.stdout.write(f"提醒扫描时间 {timezone.localtime(now):%Y-%m-%d %H:%M}（{mode}）")
        for kind in Kind:
            self.stdout.write(f"  {kind.label}（{kind.value}）：{result.counts.get(kind.value, 0)}")
        self.stdout.write(f"{verb}提醒共 {result.total} 条。")
        if not dry_run:
            self.stdout.write(f"投递对象 {len(result.recipients)} 人（含此前未投递成功的）。")
