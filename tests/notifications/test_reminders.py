"""Who is reminded of what, and when: the scan alone, with the clock injected."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workdays import DayCount, deadline_for
from issues.models import ExtensionRequest, Status
from notifications.models import Kind
from notifications.reminders import scan
from oversight.panels import cadre_panel
from tests.factories import IssueFactory, PairingFactory, UserFactory, VisitFactory
from tests.notifications.conftest import NOW, TODAY, at
from visits.compliance import Standing
from visits.models import Errand

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
QUERIES_PER_SCAN = 21  # every kind, at any size: see the last test


def due_of(kind: str, now=NOW) -> list[tuple[int, int, str]]:
    """Return (object, recipient, period) of each reminder of the kind due at `now`."""
    return sorted((d.object_id, d.recipient_id, d.period) for d in scan(now=now) if d.kind == kind)


# --- Visits ---


def test_on_the_20th_a_cadre_short_of_visits_is_reminded_and_a_compliant_one_is_not(cadre, other_cadre):
    pairing = cadre.pairings.get()
    VisitFactory(pairing=pairing, visited_on=datetime.date(2026, 11, 3))
    for day in (2, 9):
        VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 11, day))
    assert due_of(Kind.VISIT_SHORT) == [(pairing.pk, cadre.user_id, "2026-11-20")]
    reminder = next(d for d in scan(now=NOW) if d.kind == Kind.VISIT_SHORT)
    assert "1" in reminder.title and "2" in reminder.title
    assert "西安灞河精密机械有限公司" in reminder.body


def test_there_is_no_visit_reminder_before_the_20th(cadre):
    assert due_of(Kind.VISIT_SHORT, at("2026-11-19 18:00")) == []


def test_a_late_scan_sends_only_the_latest_reminder_day(cadre):
    pairing = cadre.pairings.get()
    assert due_of(Kind.VISIT_SHORT, at("2026-11-21 09:00")) == [(pairing.pk, cadre.user_id, "2026-11-20")]
    assert due_of(Kind.VISIT_SHORT, at("2026-11-26 09:00")) == [(pairing.pk, cadre.user_id, "2026-11-25")]


def test_the_reminder_day_is_local_time_in_shanghai(cadre):
    # 2026-11-19 16:30 UTC is already the 20th, 00:30, in Xi'an.
    moment = datetime.datetime(2026, 11, 19, 16, 30, tzinfo=datetime.UTC)
    assert [p for _o, _r, p in due_of(Kind.VISIT_SHORT, moment)] == ["2026-11-20"]


def test_a_pairing_that_began_late_in_the_month_needs_fewer_visits(db):
    late = PairingFactory(started_on=datetime.date(2026, 11, 18))
    VisitFactory(pairing=late, visited_on=datetime.date(2026, 11, 19))
    assert due_of(Kind.VISIT_SHORT) == []  # one visit is this part-month's share


def test_on_the_first_the_office_gets_last_months_missed_pairings(cadre, other_cadre, office, leader):
    for day in (2, 9):
        VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 11, day))
    admin = UserFactory(username="root", is_superuser=True)
    found = [d for d in scan(now=at("2026-12-01 09:00")) if d.kind == Kind.VISITS_MISSED]
    assert sorted(d.recipient_id for d in found) == sorted([office.pk, admin.pk])
    assert {d.period for d in found} == {"2026-11"}
    assert "王建国" in found[0].body and "李志强" not in found[0].body


def _swapped_on_the_16th(first_visits: int, second_visits: int):
    """A cadre who served one enterprise to 15 November and another since: half a month, one visit, each."""
    old = PairingFactory(started_on=datetime.date(2026, 6, 17), ended_on=datetime.date(2026, 11, 15))
    new = PairingFactory(cadre=old.cadre, started_on=datetime.date(2026, 11, 16))
    for n in range(first_visits):
        VisitFactory(pairing=old, visited_on=datetime.date(2026, 11, 3 + n))
    for n in range(second_visits):
        VisitFactory(pairing=new, visited_on=datetime.date(2026, 11, 17 + n))
    return old.cadre, new


def test_the_visit_reminder_says_what_the_cadres_home_page_says(db):
    cadre, current = _swapped_on_the_16th(1, 0)
    [due] = [d for d in scan(now=NOW) if d.kind == Kind.VISIT_SHORT]
    cell = cadre_panel(cadre.user, TODAY).cell
    # Judged on both parts together: one visit of the two the halves need, and still at risk.
    assert (cell.visits, cell.required, cell.standing) == (1, 2, Standing.AT_RISK)
    assert due.key == (Kind.VISIT_SHORT, current.pk, cadre.user_id, "2026-11-20")
    assert due.title == _("Visits this month: %(done)d of %(required)d") % {"done": 1, "required": 2}


def test_a_cadre_whose_two_parts_together_meet_the_rule_is_neither_reminded_nor_reported(db, office):
    _swapped_on_the_16th(1, 1)
    assert due_of(Kind.VISIT_SHORT) == []
    assert [d for d in scan(now=at("2026-12-01 09:00")) if d.kind == Kind.VISITS_MISSED] == []


# --- Assigned problems ---


def test_three_working_days_before_the_deadline_the_departments_staff_are_reminded(assigned, staff, other_staff, cadre):
    # Friday 2026-11-20: Monday, Tuesday and Wednesday are the next three working days.
    issue = assigned(TODAY + 5 * DAY)
    assigned(TODAY + 6 * DAY)  # Thursday: not yet
    assert due_of(Kind.ISSUE_DUE_SOON) == [(issue.pk, staff.user_id, str(TODAY + 5 * DAY))]


def test_overdue_reminds_the_department_and_the_cadre_every_three_days(assigned, staff, cadre):
    issue = assigned(TODAY - DAY)  # the first overdue day
    expected = lambda step: [(issue.pk, u, f"{TODAY - DAY}#{step}") for u in sorted([staff.user_id, cadre.user_id])]  # noqa: E731
    assert due_of(Kind.ISSUE_OVERDUE) == expected(0)
    assert due_of(Kind.ISSUE_OVERDUE, NOW + 2 * DAY) == expected(0)
    assert due_of(Kind.ISSUE_OVERDUE, NOW + 3 * DAY) == expected(1)
    assert due_of(Kind.ISSUE_OVERDUE, NOW + 6 * DAY) == expected(2)


def test_the_overdue_reminder_goes_to_the_reporter_when_the_enterprise_has_no_cadre_now(
    assigned, staff, cadre, enterprise
):
    issue = assigned(TODAY - DAY)
    enterprise.pairings.update(ended_on=TODAY - 2 * DAY)
    assert cadre.user_id in [r for _o, r, _p in due_of(Kind.ISSUE_OVERDUE)]
    assert issue.pk in [o for o, _r, _p in due_of(Kind.ISSUE_OVERDUE)]


def test_seven_days_overdue_goes_to_the_leading_group_once_per_deadline(assigned, staff, cadre, leader, office):
    issue = assigned(TODAY - 6 * DAY)
    assert due_of(Kind.ISSUE_SUPERVISE) == []
    assert due_of(Kind.ISSUE_SUPERVISE, NOW + DAY) == [(issue.pk, leader.pk, str(TODAY - 6 * DAY))]
    assert due_of(Kind.ISSUE_SUPERVISE, NOW + 9 * DAY) == [(issue.pk, leader.pk, str(TODAY - 6 * DAY))]


def test_a_resolved_problem_is_no_longer_overdue(assigned, staff):
    issue = assigned(TODAY - 5 * DAY)
    issue.status = Status.RESOLVED
    issue.resolved_at = NOW
    issue.save()
    assert due_of(Kind.ISSUE_OVERDUE) == [] and due_of(Kind.ISSUE_DUE_SOON) == []


# --- Escalations, feedback, errands, extensions ---


def test_an_escalation_undecided_for_five_days_goes_to_the_leading_group(escalated, leader, office, staff):
    old = escalated(NOW - 5 * DAY)
    escalated(NOW - 4 * DAY)
    found = due_of(Kind.ESCALATION_UNDECIDED)
    assert found == [(old.pk, leader.pk, (NOW - 5 * DAY).isoformat(timespec="seconds"))]


def test_a_problem_resolved_seven_working_days_ago_without_feedback_reminds_the_cadre(enterprise, cadre, other_cadre):
    # Resolved on Wednesday 11-11: 11-12, 13, 16, 17, 18, 19 and 20 are seven working days.
    issue = IssueFactory(enterprise=enterprise, reporter=cadre, status=Status.RESOLVED, resolved_at=NOW - 9 * DAY)
    IssueFactory(enterprise=enterprise, reporter=cadre, status=Status.RESOLVED, resolved_at=NOW - 8 * DAY)
    IssueFactory(enterprise=enterprise, reporter=cadre, status=Status.CLOSED, resolved_at=NOW - 12 * DAY)
    assert due_of(Kind.FEEDBACK_WAITING) == [(issue.pk, cadre.user_id, (NOW - 9 * DAY).isoformat(timespec="seconds"))]


def test_an_errand_that_has_not_moved_for_fourteen_days_reminds_the_cadre(cadre, other_cadre):
    pairing = cadre.pairings.get()
    stale = Errand.objects.create(
        pairing=pairing, matter="施工许可", approving_department="区住建局", moved_at=NOW - 15 * DAY
    )
    Errand.objects.create(pairing=pairing, matter="环评批复", approving_department="区环保局", moved_at=NOW - 13 * DAY)
    Errand.objects.create(
        pairing=pairing,
        matter="营业执照",
        approving_department="区市场监管局",
        stage=Errand.Stage.DELIVERED,
        result="已送达",
        moved_at=NOW - 30 * DAY,
    )
    assert due_of(Kind.ERRAND_STALE) == [(stale.pk, cadre.user_id, (NOW - 15 * DAY).isoformat(timespec="seconds"))]


def test_an_extension_pending_three_days_goes_to_whoever_may_decide(assigned, staff, leader, office, cadre):
    issue = assigned(TODAY + 10 * DAY)
    request = ExtensionRequest.objects.create(
        issue=issue,
        requested_by=staff.user,
        old_deadline=issue.deadline,
        new_deadline=issue.deadline + 10 * DAY,
        reason="需等待上级批复",
        created_at=NOW - 3 * DAY,
    )
    found = due_of(Kind.EXTENSION_PENDING)
    assert found == sorted((request.pk, u, str(TODAY - 3 * DAY)) for u in (leader.pk, office.pk))
    assert due_of(Kind.EXTENSION_PENDING, NOW - DAY) == []


def test_an_inactive_account_is_not_reminded(assigned, staff, cadre):
    assigned(TODAY + DAY)
    staff.user.is_active = False
    staff.user.save()
    assert due_of(Kind.ISSUE_DUE_SOON) == []


# --- "N days" are local calendar days ---

# An item created late in the evening and one created just after midnight, in Xi'an.
EVENING = at("2026-11-10 23:30")
PAST_MIDNIGHT = at("2026-11-11 00:30")
THRESHOLDS = {
    Kind.ESCALATION_UNDECIDED: "CAMPAIGN_ESCALATION_DECIDE_DAYS",
    Kind.FEEDBACK_WAITING: "CAMPAIGN_FEEDBACK_WAIT_DAYS",
    Kind.EXTENSION_PENDING: "CAMPAIGN_EXTENSION_DECIDE_DAYS",
    Kind.ERRAND_STALE: "CAMPAIGN_ERRAND_STALE_DAYS",
}
# How each threshold counts its days (docs/working-days.md): waiting for a decision or an answer, in working days.
COUNTS = {
    Kind.ESCALATION_UNDECIDED: DayCount.WORKING,
    Kind.FEEDBACK_WAITING: DayCount.WORKING,
    Kind.EXTENSION_PENDING: DayCount.WORKING,
    Kind.ERRAND_STALE: DayCount.CALENDAR,
}


@pytest.fixture
def made_at(escalated, assigned, enterprise, cadre, staff):
    """Return a function making an item of a kind at a moment: escalated, resolved, requested, last moved."""

    def _made_at(kind: str, when: datetime.datetime) -> int:
        if kind == Kind.ESCALATION_UNDECIDED:
            return escalated(when).pk
        if kind == Kind.FEEDBACK_WAITING:
            return IssueFactory(enterprise=enterprise, reporter=cadre, status=Status.RESOLVED, resolved_at=when).pk
        if kind == Kind.EXTENSION_PENDING:
            issue = assigned(TODAY + 30 * DAY)
            return ExtensionRequest.objects.create(
                issue=issue,
                requested_by=staff.user,
                old_deadline=issue.deadline,
                new_deadline=issue.deadline + 10 * DAY,
                reason="需等待上级批复",
                created_at=when,
            ).pk
        errand = Errand.objects.create(
            pairing=cadre.pairings.get(), matter="施工许可", approving_department="区住建局", moved_at=when
        )
        return errand.pk

    return _made_at


def _objects_due(kind: str, now: datetime.datetime) -> list[int]:
    return sorted({o for o, _r, _p in due_of(kind, now)})


@pytest.mark.parametrize("kind", list(THRESHOLDS))
def test_n_days_after_an_evening_event_is_the_nth_local_date_not_a_day_later(kind, made_at, settings, leader, office):
    days = getattr(settings, THRESHOLDS[kind])
    evening = made_at(kind, EVENING)
    past_midnight = made_at(kind, PAST_MIDNIGHT)
    # The 10th + N (working) days: the evening's item is N local (working) days old then.
    due_on = deadline_for(EVENING.date(), days, COUNTS[kind])
    assert _objects_due(kind, at(f"{due_on - DAY} 18:05")) == []  # the last scan of the day before
    assert _objects_due(kind, at(f"{due_on} 08:05")) == [evening]  # the first scan of the day: not a day late
    assert _objects_due(kind, at(f"{due_on} 18:05")) == [evening]  # the 11th's item waits for its own day
    later = deadline_for(PAST_MIDNIGHT.date(), days, COUNTS[kind])
    assert _objects_due(kind, at(f"{later} 08:05")) == sorted([evening, past_midnight])


def test_the_thresholds_count_local_dates_when_the_clock_is_given_in_utc(made_at, leader):
    evening = made_at(Kind.ESCALATION_UNDECIDED, EVENING)  # 15:30 UTC on Tuesday the 10th
    # 00:05 UTC on the 17th is 08:05 in Xi'an: five local working days after the 10th (11, 12, 13, 16, 17).
    assert _objects_due(Kind.ESCALATION_UNDECIDED, datetime.datetime(2026, 11, 17, 0, 5, tzinfo=datetime.UTC)) == [
        evening
    ]
    assert _objects_due(Kind.ESCALATION_UNDECIDED, datetime.datetime(2026, 11, 16, 15, 59, tzinfo=datetime.UTC)) == []


@pytest.mark.parametrize(
    "moment", ["2026-11-24 18:05", "2026-11-24 23:59", "2026-11-25 00:00", "2026-11-25 08:05", "2026-11-26 08:05"]
)
def test_the_errands_stale_flag_and_its_reminder_agree(moment, made_at, monkeypatch):
    for when in (EVENING, PAST_MIDNIGHT, at("2026-11-11 12:00"), at("2026-11-12 00:00")):
        made_at(Kind.ERRAND_STALE, when)
    now = at(moment)
    monkeypatch.setattr(timezone, "now", lambda: now)  # what the errand pages read the flag at
    flagged = sorted(e.pk for e in Errand.objects.all() if e.is_stale)
    listed = sorted(Errand.objects.stale().values_list("pk", flat=True))
    assert flagged == listed == _objects_due(Kind.ERRAND_STALE, now)


def test_an_errand_is_stale_from_the_fourteenth_local_date_after_its_last_move(made_at):
    errand = Errand.objects.get(pk=made_at(Kind.ERRAND_STALE, EVENING))
    assert not errand.is_stale_on(datetime.date(2026, 11, 23))
    assert errand.is_stale_on(datetime.date(2026, 11, 24))


# --- The scan's cost ---


@pytest.mark.parametrize("size", [1, 6])
def test_the_scan_runs_a_fixed_number_of_queries_whatever_the_number_of_items(
    size, made_at, assigned, leader, office, django_assert_num_queries
):
    for _n in range(size):
        PairingFactory()  # a cadre short of visits on the 20th
        assigned(TODAY - 8 * DAY)  # overdue, and for supervision
        assigned(TODAY + DAY)  # due soon
        for kind in THRESHOLDS:
            made_at(kind, NOW - 20 * DAY)
    # One or two per kind (the items, then whom to tell), each role's members once, the visit rule's own.
    with django_assert_num_queries(QUERIES_PER_SCAN):
        found = scan(now=NOW)
    kinds = {d.kind for d in found}
    assert kinds >= {Kind.VISIT_SHORT, Kind.ISSUE_DUE_SOON, Kind.ISSUE_OVERDUE, Kind.ISSUE_SUPERVISE, *THRESHOLDS}
