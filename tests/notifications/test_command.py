"""`manage.py send_reminders`: the same scan, for admins and cron-only deployments."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from demo.seed import seed_demo
from notifications.models import Delivery, Notification, Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the command and what it does after commit, as in a real transaction."""

    def _run(*args) -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", *args, stdout=out)
        return out.getvalue()

    return _run


def test_a_dry_run_prints_counts_per_kind_and_writes_nothing(run, assigned, staff, cadre):
    assigned(datetime.date(2026, 11, 19))
    out = run("--dry-run", "--now", "2026-11-20T09:00")
    assert "演练" in out
    assert "问题已逾期（issue_overdue）：2" in out
    assert "将发送提醒共 3 条" in out
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_it_delivers_in_process_so_cron_needs_no_worker(run, assigned, staff, cadre, queued):
    assigned(datetime.date(2026, 11, 19))
    out = run("--now", "2026-11-20T09:00")
    assert "已发送提醒共 3 条" in out
    assert Notification.objects.count() == 3 and queued == []
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


def test_enqueue_hands_delivery_to_the_workers(run, assigned, staff, cadre, queued):
    assigned(datetime.date(2026, 11, 19))
    run("--now", "2026-11-20T09:00", "--enqueue")
    assert sorted(queued) == sorted([staff.user_id, cadre.user_id])


def test_a_bad_time_is_refused(run):
    with pytest.raises(CommandError, match="ISO"):
        run("--now", "next tuesday")


def test_twice_on_the_demo_district_the_second_run_sends_nothing(run):
    seed_demo()  # the demo's dates are relative to the real today
    moment = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0).isoformat()
    first = run("--now", moment)
    second = run("--now", moment)
    assert "已发送提醒共 0 条" not in first
    assert "已发送提醒共 0 条" in second and "投递对象 0 人" in second
    assert Notification.objects.count() == Reminder.objects.count() > 20
