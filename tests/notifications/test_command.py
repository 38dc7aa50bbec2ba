"""`manage.py send_reminders`: the same scan, for admins and cron-only deployments.

These tests commit, as a shell run does: the command reports what its hand-over did, and
the hand-over runs when the scan's transaction commits.
"""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from demo.seed import seed_demo
from notifications import channels
from notifications.models import Delivery, Kind, Notification, Reminder
from tests.factories import CATEGORY_NAMES, category

pytestmark = pytest.mark.django_db(transaction=True)
NOW = "2026-11-20T09:00"


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def _line(count: int, kind: Kind) -> str:
    return _("  %(label)s (%(kind)s): %(count)d") % {"label": kind.label, "kind": kind.value, "count": count}


def test_a_dry_run_prints_counts_per_kind_and_writes_nothing(assigned, staff, cadre):
    assigned(datetime.date(2026, 11, 19))
    out = run("--dry-run", "--now", NOW)
    assert _("dry run: nothing is written or sent") in out
    assert _line(2, Kind.ISSUE_OVERDUE) in out
    assert _("Reminders that would be recorded: %(count)d.") % {"count": 3} in out
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_it_delivers_in_process_so_cron_needs_no_worker(assigned, staff, cadre, queued):
    assigned(datetime.date(2026, 11, 19))
    out = run("--now", NOW)
    assert _("Reminders recorded: %(count)d.") % {"count": 3} in out
    # Two people; each has a notification per reminder, and no email address to send to.
    delivered = _("Delivered here: %(deliveries)d; recipients: %(people)d (earlier scans' pending included).")
    assert delivered % {"deliveries": 6, "people": 2} in out
    assert Notification.objects.count() == 3 and queued == []
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


def test_enqueue_hands_delivery_to_the_workers_and_says_so(assigned, staff, cadre, queued):
    assigned(datetime.date(2026, 11, 19))
    out = run("--now", NOW, "--enqueue")
    assert sorted(queued) == sorted([staff.user_id, cadre.user_id])
    assert _("Reminders recorded: %(count)d.") % {"count": 3} in out
    queued_line = _("Queued for the workers: recipients %(queued)d of %(people)d (earlier scans' pending included).")
    assert queued_line % {"queued": 2, "people": 2} in out


def test_a_failing_channel_is_reported_and_the_command_exits_non_zero(assigned, staff, cadre, monkeypatch):
    assigned(datetime.date(2026, 11, 19))

    def refuse(self, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(channels.EmailChannel, "send", refuse)
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("send_reminders", "--now", NOW, stdout=out)
    assert failed.value.returncode == 1
    assert str(failed.value) == _(
        "Not delivered: %(count)d, a channel failed (see the log). They stay pending and the next scan delivers them."
    ) % {"count": 3}  # each of the three reminders' email
    assert _("Reminders recorded: %(count)d.") % {"count": 3} in out.getvalue()
    assert Notification.objects.count() == 3  # the in-app channel took its share

    monkeypatch.undo()
    again = run("--now", "2026-11-20T10:00")
    assert _("Reminders recorded: %(count)d.") % {"count": 0} in again
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


def test_a_bad_time_is_refused():
    with pytest.raises(CommandError, match="ISO"):
        run("--now", "next tuesday")


def test_twice_on_the_demo_district_the_second_run_records_nothing():
    for code in CATEGORY_NAMES:
        category(code)  # loaded by a migration, but this test's database was flushed before it
    seed_demo()  # the demo's dates are relative to the real today
    moment = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0).isoformat()
    first = run("--now", moment)
    second = run("--now", moment)
    nothing = _("Reminders recorded: %(count)d.") % {"count": 0}
    assert nothing not in first
    assert nothing in second
    delivered = _("Delivered here: %(deliveries)d; recipients: %(people)d (earlier scans' pending included).")
    assert delivered % {"deliveries": 0, "people": 0} in second
    assert Notification.objects.count() == Reminder.objects.count() > 20


def test_its_output_is_in_english_for_an_english_run(assigned, staff, cadre):
    assigned(datetime.date(2026, 11, 19))
    with translation.override("en"):
        out = run("--dry-run", "--now", NOW)
    assert out.splitlines()[0] == "Reminder scan at 2026-11-20 09:00 (dry run: nothing is written or sent)"
    assert "  Problem overdue (issue_overdue): 2" in out.splitlines()
    assert "  Your turn on a problem (issue_handed_over): 0" in out.splitlines()
    assert out.splitlines()[-1] == "Reminders that would be recorded: 3."


def test_its_output_is_in_the_campaigns_language_by_default(assigned, staff, cadre):
    assigned(datetime.date(2026, 11, 19))
    out = run("--now", NOW)
    assert out.startswith("提醒扫描时间 2026-11-20 09:00") and "已记录提醒共 3 条。" in out
    assert "Reminder" not in out and "Problem overdue" not in out
