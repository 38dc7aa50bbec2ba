"""Recording and delivering reminders: once per key, per person, whatever runs twice or fails."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from issues.models import ExtensionRequest
from notifications import channels
from notifications.models import Delivery, Kind, Notification, Reminder
from notifications.services import notification_mark_read, reminders_deliver, reminders_send
from tests.factories import DepartmentStaffFactory, EnterpriseFactory, IssueFactory, PairingFactory
from tests.notifications.conftest import NOW, TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the scan and its after-commit hand-over, as a committed transaction would."""

    def _send(now=NOW, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(now=now, **kwargs)

    return _send


def test_the_scan_run_twice_sends_each_reminder_once(send, assigned, staff, cadre):
    assigned(TODAY - DAY)
    first = send(inline=True)
    second = send(inline=True)
    assert first.counts == {Kind.ISSUE_OVERDUE: 2, Kind.VISIT_SHORT: 1}
    assert second.total == 0 and second.recipients == []
    assert Reminder.objects.count() == 3
    assert Notification.objects.count() == 3
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


def test_the_next_step_of_an_overdue_problem_is_a_new_reminder(send, assigned, staff, cadre):
    assigned(TODAY - DAY)
    send(inline=True)
    assert send(NOW + 2 * DAY, inline=True).counts[Kind.ISSUE_OVERDUE] == 0
    assert send(NOW + 3 * DAY, inline=True).counts[Kind.ISSUE_OVERDUE] == 2
    assert Notification.objects.filter(recipient=staff.user, kind=Kind.ISSUE_OVERDUE).count() == 2


def test_an_approved_extension_starts_the_reminders_afresh(send, assigned, staff, cadre):
    issue = assigned(TODAY + 2 * DAY)
    assert send(inline=True).counts[Kind.ISSUE_DUE_SOON] == 1
    assert send(NOW + DAY, inline=True).counts[Kind.ISSUE_DUE_SOON] == 0
    issue.deadline = TODAY + 3 * DAY  # moved by an approved extension
    issue.save()
    assert send(NOW + DAY, inline=True).counts[Kind.ISSUE_DUE_SOON] == 1


def test_deliveries_are_queued_per_person_not_per_item(send, queued, department, staff, cadre):
    for _n in range(12):
        pairing = PairingFactory()
        IssueFactory(
            enterprise=pairing.enterprise,
            reporter=pairing.cadre,
            status="in_progress",
            flow="assigned",
            department=department,
            deadline=TODAY - DAY,
        )
    result = send()
    # 12 problems: 12 reminders to the one staff member and one to each of 12 cadres (+ visits).
    assert result.counts[Kind.ISSUE_OVERDUE] == 24
    people = {staff.user_id, *Reminder.objects.values_list("recipient_id", flat=True)}
    assert sorted(queued) == sorted(people)
    assert queued.count(staff.user_id) == 1


def test_the_scan_runs_the_same_queries_for_more_items(send, department, staff, leader, office):
    def build(count: int) -> None:
        for _n in range(count):
            pairing = PairingFactory()
            IssueFactory(
                enterprise=pairing.enterprise,
                reporter=pairing.cadre,
                status="in_progress",
                flow="assigned",
                department=department,
                deadline=TODAY - 8 * DAY,
            )
            IssueFactory(
                enterprise=pairing.enterprise, reporter=pairing.cadre, status="resolved", resolved_at=NOW - 8 * DAY
            )
            due_soon = IssueFactory(
                enterprise=pairing.enterprise, reporter=pairing.cadre, status="assigned", flow="assigned",
                department=department, deadline=TODAY + DAY,
            )  # fmt: skip
            ExtensionRequest.objects.create(
                issue=due_soon,
                requested_by=staff.user,
                old_deadline=due_soon.deadline,
                new_deadline=due_soon.deadline + 9 * DAY,
                reason="等待批复",
                created_at=NOW - 4 * DAY,
            )

    def measure(now) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            result = send(now)
        return len(queries), result.total

    build(2)
    small, small_total = measure(NOW)
    build(10)
    large, large_total = measure(NOW + DAY)  # a new day: every overdue step and visit reminder is new again
    assert large_total > small_total * 3
    assert large == small, f"{small} queries for {small_total} reminders, {large} for {large_total}"


def test_a_dry_run_counts_and_writes_nothing(send, assigned, staff, cadre):
    assigned(TODAY - DAY)
    result = send(dry_run=True)
    assert result.dry_run and result.counts[Kind.ISSUE_OVERDUE] == 2
    assert not Reminder.objects.exists()
    send(inline=True)
    assert send(dry_run=True).total == 0


def test_a_failed_hand_over_is_caught_up_by_the_next_scan(send, queued, monkeypatch, assigned, staff, cadre):
    assigned(TODAY - DAY)

    def broker_down(args, **options):
        raise ConnectionError("broker unreachable")

    from notifications import tasks

    monkeypatch.setattr(tasks.deliver, "apply_async", broker_down)
    assert send().counts[Kind.ISSUE_OVERDUE] == 2  # recorded, but nothing delivered
    assert Notification.objects.count() == 0
    assert Delivery.objects.filter(sent_at__isnull=True).count() == 3 * 2  # two channels

    again = send(NOW + datetime.timedelta(hours=1), inline=True)
    assert again.total == 0  # nothing new is due
    assert sorted(again.recipients) == sorted([staff.user_id, cadre.user_id])
    assert Notification.objects.count() == 3
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


def test_a_failing_channel_leaves_only_its_own_deliveries_pending(send, monkeypatch, assigned, staff, cadre):
    assigned(TODAY - DAY)
    staff.user.email = "zhang@bq.gov.local"
    staff.user.save()

    def refuse(self, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(channels.EmailChannel, "send", refuse)
    send(inline=True)
    assert Notification.objects.filter(recipient=staff.user).count() == 1
    pending = Delivery.objects.filter(sent_at__isnull=True)
    assert set(pending.values_list("channel", flat=True)) == {"email"}

    monkeypatch.undo()
    assert reminders_deliver(recipient_id=staff.user_id, now=NOW) == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=staff.user).count() == 1  # never twice


def test_one_email_in_the_campaigns_language_lists_all_of_a_persons_reminders(send, assigned, staff, cadre, settings):
    settings.PORTAL_BASE_URL = "https://qsz.bq.gov.local/"
    staff.user.email = "zhang@bq.gov.local"
    staff.user.save()
    first = assigned(TODAY - DAY, title="用电增容迟迟未办")
    assigned(TODAY + DAY, title="道路开口审批")
    send(inline=True)
    to_staff = [m for m in mail.outbox if m.to == ["zhang@bq.gov.local"]]
    assert len(to_staff) == 1
    message = to_staff[0]
    with translation.override("zh-hans"):  # nobody keeps a language of their own: the campaign's
        assert message.subject == _("[Pro-business] %(count)s reminders for you") % {"count": 2}
    assert "用电增容迟迟未办" in message.body and "道路开口审批" in message.body
    assert f"https://qsz.bq.gov.local/issues/{first.pk}/" in message.body
    assert "逾期" in message.body  # the title, in Chinese


def test_people_without_an_email_address_get_the_in_app_notification_only(send, assigned, staff, cadre):
    assigned(TODAY - DAY)
    send(inline=True)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=cadre.user).exists()


def test_channels_come_from_the_setting(send, settings, assigned, staff, cadre):
    settings.NOTIFICATION_CHANNELS = ["notifications.channels.InAppChannel"]
    assigned(TODAY - DAY)
    send(inline=True)
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"in_app"}


def test_marking_read_touches_only_the_users_own_notifications(send, assigned, staff, cadre):
    assigned(TODAY - DAY)
    send(inline=True)
    theirs = Notification.objects.get(recipient=cadre.user, kind=Kind.ISSUE_OVERDUE)
    assert notification_mark_read(user=staff.user, notification_id=theirs.pk) == 0
    assert notification_mark_read(user=cadre.user) == 2
    assert Notification.objects.filter(recipient=cadre.user, read_at__isnull=True).count() == 0


def test_the_recipients_are_the_departments_staff_accounts(send, department, staff, cadre, other_staff):
    second = DepartmentStaffFactory(department=department)
    enterprise = EnterpriseFactory()
    IssueFactory(enterprise=enterprise, status="assigned", flow="assigned", department=department, deadline=TODAY)
    send(inline=True)
    got = set(Notification.objects.filter(kind=Kind.ISSUE_DUE_SOON).values_list("recipient_id", flat=True))
    assert got == {staff.user_id, second.user_id}


def test_times_are_recorded_at_the_injected_moment(send, assigned, staff, cadre):
    assigned(TODAY - DAY)
    moment = at("2026-11-20 14:30")
    send(moment, inline=True)
    assert set(Notification.objects.values_list("created_at", flat=True)) == {moment}
