"""The reminders' thresholds across the 2026 holidays: waiting counts working days, overdue counts calendar days."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import workdays
from core.models import CalendarDay
from issues.models import ExtensionRequest, Status
from notifications.models import Kind
from notifications.reminders import scan
from tests.factories import IssueFactory
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db
D = datetime.date


def due_of(kind: str, when: str) -> list[int]:
    return sorted({d.object_id for d in scan(now=at(when)) if d.kind == kind})


def test_an_escalation_before_spring_festival_waits_five_working_days(escalated, leader, settings):
    settings.CAMPAIGN_ESCALATION_DECIDE_DAYS = 5
    issue = escalated(at("2026-02-12 10:00"))
    # Working days after Thu 2-12: Fri 2-13, Sat 2-14 (调休), Tue 2-24, Wed 2-25, Thu 2-26.
    assert due_of(Kind.ESCALATION_UNDECIDED, "2026-02-17 09:00") == []  # five calendar days: the holiday
    assert due_of(Kind.ESCALATION_UNDECIDED, "2026-02-25 09:00") == []
    assert due_of(Kind.ESCALATION_UNDECIDED, "2026-02-26 09:00") == [issue.pk]


def test_an_extension_request_before_national_day_is_reminded_on_the_adjusted_saturday(
    assigned, staff, leader, settings
):
    settings.CAMPAIGN_EXTENSION_DECIDE_DAYS = 3
    issue = assigned(D(2026, 10, 30))
    request = ExtensionRequest.objects.create(
        issue=issue,
        requested_by=staff.user,
        old_deadline=issue.deadline,
        new_deadline=D(2026, 11, 20),
        reason="需等待上级批复",
        created_at=at("2026-09-30 16:00"),
    )
    # Working days after Wed 9-30: Thu 10-8, Fri 10-9, Sat 10-10 (调休).
    assert due_of(Kind.EXTENSION_PENDING, "2026-10-09 09:00") == []
    assert due_of(Kind.EXTENSION_PENDING, "2026-10-10 09:00") == [request.pk]


def test_feedback_waits_seven_working_days_across_national_day(enterprise, cadre, settings):
    settings.CAMPAIGN_FEEDBACK_WAIT_DAYS = 7
    issue = IssueFactory(
        enterprise=enterprise, reporter=cadre, status=Status.RESOLVED, resolved_at=at("2026-09-29 15:00")
    )
    # After Tue 9-29: 9-30, 10-8, 10-9, 10-10 (调休), 10-12, 10-13, 10-14.
    assert due_of(Kind.FEEDBACK_WAITING, "2026-10-13 09:00") == []
    assert due_of(Kind.FEEDBACK_WAITING, "2026-10-14 09:00") == [issue.pk]


def test_due_soon_reaches_over_spring_festival(assigned, staff, settings):
    settings.CAMPAIGN_DUE_SOON_DAYS = 3
    soon = assigned(D(2026, 2, 24))
    assigned(D(2026, 2, 25))
    assert due_of(Kind.ISSUE_DUE_SOON, "2026-02-12 09:00") == [soon.pk]


def test_the_overdue_repeat_counts_calendar_days_even_over_the_holiday(assigned, staff, cadre, settings):
    settings.CAMPAIGN_OVERDUE_REPEAT_DAYS = 3
    issue = assigned(D(2026, 2, 13))
    periods = lambda when: {d.period for d in scan(now=at(when)) if d.kind == Kind.ISSUE_OVERDUE}  # noqa: E731
    assert periods("2026-02-14 09:00") == {"2026-02-13#0"}
    assert periods("2026-02-17 09:00") == {"2026-02-13#1"}  # three calendar days later, in the holiday
    assert issue.warning(D(2026, 2, 17)) == "overdue"


def test_a_2027_holiday_entered_by_the_office_delays_the_reminder(escalated, leader, settings):
    settings.CAMPAIGN_ESCALATION_DECIDE_DAYS = 1
    issue = escalated(at("2027-01-29 10:00"))  # a Friday, in a year the package does not know
    assert due_of(Kind.ESCALATION_UNDECIDED, "2027-02-01 09:00") == [issue.pk]  # Monday, Mon–Fri
    CalendarDay.objects.create(date=D(2027, 2, 1), is_working_day=False, name="假日")
    assert due_of(Kind.ESCALATION_UNDECIDED, "2027-02-01 09:00") == []
    assert due_of(Kind.ESCALATION_UNDECIDED, "2027-02-02 09:00") == [issue.pk]


@pytest.mark.parametrize("size", [1, 6])
def test_the_scan_reads_the_calendar_table_once_whatever_the_number_of_items(
    size, escalated, assigned, enterprise, cadre, staff, leader
):
    long_ago = at("2026-11-02 10:00")
    for _n in range(size):
        escalated(long_ago)
        IssueFactory(enterprise=enterprise, reporter=cadre, status=Status.RESOLVED, resolved_at=long_ago)
        issue = assigned(D(2026, 11, 23))
        ExtensionRequest.objects.create(
            issue=issue,
            requested_by=staff.user,
            old_deadline=issue.deadline,
            new_deadline=D(2026, 12, 23),
            reason="需等待上级批复",
            created_at=long_ago,
        )
    with CaptureQueriesContext(connection) as warm:
        found = scan(now=at("2026-11-20 09:00"))
    workdays.forget()  # a process's first scan: the table is read once, for the year asked
    with CaptureQueriesContext(connection) as cold:
        assert scan(now=at("2026-11-20 09:00")) == found
    assert len(cold) == len(warm) + 1
    assert {d.kind for d in found} >= {
        Kind.ESCALATION_UNDECIDED,
        Kind.FEEDBACK_WAITING,
        Kind.EXTENSION_PENDING,
        Kind.ISSUE_DUE_SOON,
    }
