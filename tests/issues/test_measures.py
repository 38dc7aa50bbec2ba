"""Every figure of issues/measures.py against a month built by hand, move by move, through the real services.

October 2025, as the problems' own events record it (times are 10:00 in Asia/Shanghai):

- P1 (1 Oct): solved on the spot; the enterprise is satisfied on 5 Oct.
- P2 (3 Oct): assigned to D1 (deadline 20 Oct), accepted 4 Oct, resolved 15 Oct (on time); the enterprise is
  dissatisfied on 16 Oct, so it reopens; assigned to D2 on 17 Oct (deadline 31 Oct), accepted 25 Oct (late
  for the two days allowed). Still with D2 when October ends: overdue.
- P3 (6 Oct): assigned to D1 (deadline 12 Oct), returned by D1 on 8 Oct; assigned to D2 on 9 Oct (deadline
  30 Oct), accepted that day; D2 asks on 20 Oct to move the deadline to 10 Nov, the leading group grants it
  on 21 Oct. On track when October ends.
- P4 (10 Oct, the other cadre's enterprise): assigned to D1 (deadline 14 Oct), accepted 11 Oct; the office
  takes it back and reassigns it to D2 on 13 Oct (deadline 28 Oct), accepted that day; resolved 29 Oct
  (late); the enterprise is satisfied on 30 Oct.
- P5 (20 Oct): escalated; the leading group has not answered by the month's end.
- P6 (25 Sep): assigned to D1 (deadline 10 Oct), accepted 26 Sep, never resolved: overdue in October.

Then November's moves on the same problems, which must not change October's figures.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db.models import OuterRef, Subquery

from core.months import Month
from core.periods import Period
from issues import measures
from issues.models import Action, Feedback, Issue, IssueEvent
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionDecisionPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    ReassignPayload,
    ResolvePayload,
    ReturnPayload,
)
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = Period.month(Month(2025, 10))
SEPTEMBER = Period.month(Month(2025, 9))


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, tzinfo=SHANGHAI)


def day(month: int, d: int) -> datetime.date:
    return datetime.date(2025, month, d)


def to(department, deadline: datetime.date, planned: datetime.date) -> AssignPayload:
    return AssignPayload(
        department=department,
        responsible_person="经办人",
        deadline=deadline,
        milestones=(("核实办理", planned),),
    )


class Month_:
    """The hand-built month: the problems by name, and a way to move them on a given day."""

    def __init__(self, cadre, other_cadre, staff, other_staff, leader, office):
        self.cadre, self.other_cadre = cadre, other_cadre
        self.staff, self.other_staff, self.leader, self.office = staff, other_staff, leader, office
        self.d1, self.d2 = staff.department, other_staff.department

    def report(self, when, route, cadre=None) -> Issue:
        return factories.reported_at(cadre or self.cadre, when, route)

    def move(self, issue: Issue, user, action: Action, payload, when) -> Issue:
        return factories.moved_at(issue, user, action, payload, when)


@pytest.fixture
def month(cadre, other_cadre, staff, other_staff, leader, office):
    m = Month_(cadre, other_cadre, staff, other_staff, leader, office)
    d1, d2, staff_user, other_user = m.d1, m.d2, staff.user, other_staff.user
    satisfied = FeedbackPayload(rating=Feedback.Rating.SATISFIED, note="满意")
    dissatisfied = FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="没解决")

    m.p6 = m.report(at(9, 25), to(d1, day(10, 10), day(10, 5)))
    m.move(m.p6, staff_user, Action.ACCEPT, AcceptPayload(), at(9, 26))

    m.p1 = m.report(at(10, 1), ResolvePayload(note="现场答复"))
    m.move(m.p1, cadre.user, Action.CLOSE, satisfied, at(10, 5))

    m.p2 = m.report(at(10, 3), to(d1, day(10, 20), day(10, 10)))
    m.move(m.p2, staff_user, Action.ACCEPT, AcceptPayload(), at(10, 4))
    m.move(m.p2, staff_user, Action.RESOLVE, ResolvePayload(note="已办结"), at(10, 15))
    m.move(m.p2, cadre.user, Action.REOPEN, dissatisfied, at(10, 16))
    m.move(m.p2, cadre.user, Action.ASSIGN, to(d2, day(10, 31), day(10, 25)), at(10, 17))
    m.move(m.p2, other_user, Action.ACCEPT, AcceptPayload(), at(10, 25))

    m.p3 = m.report(at(10, 6), to(d1, day(10, 12), day(10, 10)))
    m.move(m.p3, staff_user, Action.RETURN, ReturnPayload(note="非本单位职责"), at(10, 8))
    m.move(m.p3, cadre.user, Action.ASSIGN, to(d2, day(10, 30), day(10, 20)), at(10, 9))
    m.move(m.p3, other_user, Action.ACCEPT, AcceptPayload(), at(10, 9, 15))
    extension = ExtensionRequestPayload(new_deadline=day(11, 10), note="需要会商")
    m.move(m.p3, other_user, Action.REQUEST_EXTENSION, extension, at(10, 20))
    m.move(m.p3, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True), at(10, 21))

    m.p4 = m.report(at(10, 10), to(d1, day(10, 14), day(10, 12)), cadre=other_cadre)
    m.move(m.p4, staff_user, Action.ACCEPT, AcceptPayload(), at(10, 11))
    again = ReassignPayload(assignment=to(d2, day(10, 28), day(10, 20)), note="原单位无法办理")
    m.move(m.p4, office, Action.REASSIGN, again, at(10, 13))
    m.move(m.p4, other_user, Action.ACCEPT, AcceptPayload(), at(10, 13, 11))
    m.move(m.p4, other_user, Action.RESOLVE, ResolvePayload(note="已办结"), at(10, 29))
    m.move(m.p4, other_cadre.user, Action.CLOSE, satisfied, at(10, 30))

    m.p5 = m.report(at(10, 20), EscalatePayload(note="涉及多个部门"))
    return m


OCTOBER_FIGURES = {
    "reported": 5,
    "on_the_spot": 1,
    "assigned": 3,
    "escalated": 1,
    "status_reported": 0,
    "status_assigned": 0,
    "status_in_progress": 2,
    "status_escalated": 1,
    "status_resolved": 0,
    "status_closed": 2,
    "status_reopened": 0,
    "answered": 4,
    "unanswered": 1,
    "resolved_on_time": 1,  # P2 on 15 Oct
    "resolved_late": 1,  # P4 on 29 Oct, deadline 28 Oct
    "overdue": 2,  # P2 (31 Oct) and P6 (10 Oct), as of 1 Nov
    "due_soon": 0,
    "on_track": 1,  # P3, extended to 10 Nov
    "satisfied": 2,  # P1, P4
    "dissatisfied": 1,  # P2
    "returned": 1,  # P3
    "extension_asked": 1,
    "extension_granted": 1,
    "assigned_to_unit": 3,  # P2, P3, P4 (P6 was assigned in September)
    "accepted_in_time": 3,  # P2 by D1, P3 by D2, P4 by D1 and D2 (P2's acceptance by D2 took 8 days)
    # Who spoke for the enterprise (issue 15; tests/issues/test_measures_voice.py has the enterprise's own):
    "reported_by_cadre": 5,  # every problem of the month
    "raised_by_enterprise": 0,
    "raised_by_enterprise_answered": 0,
    "rated_by_cadre": 3,  # P1, P2, P4: each rating recorded by a cadre
    "rated_by_enterprise": 0,
}


def figures(period: Period, unit=None) -> dict[str, int]:
    return measures.counts(Issue.objects.all(), measures.Window.of(period), unit=unit)


def test_october_figures_exactly(month):
    assert figures(OCTOBER) == OCTOBER_FIGURES


def test_october_rates(month):
    rates = measures.Rates.of(figures(OCTOBER))
    assert rates.response == 80.0  # 4 of 5
    assert rates.on_time == 25.0  # 1 of (1 on time + 1 late + 2 overdue)
    assert rates.satisfaction == 66.7  # 2 of 3


def test_each_figure_lists_the_rows_it_counts(month):
    window = measures.Window.of(OCTOBER)
    expected = {
        "on_the_spot": {month.p1},
        "unanswered": {month.p5},
        "overdue": {month.p2, month.p6},
        "resolved_late": {month.p4},
        "dissatisfied": {month.p2},
        "returned": {month.p3},
        "extension_granted": {month.p3},
    }
    for key, issues in expected.items():
        assert set(measures.rows(Issue.objects.all(), key, window)) == issues, key


def test_departments_figures_credit_each_move_to_the_unit_that_made_it(month):
    table = measures.by_unit(Issue.objects.all(), measures.Window.of(OCTOBER))
    d1, d2 = table[month.d1.pk], table[month.d2.pk]
    assert (d1["assigned_to_unit"], d1["accepted_in_time"]) == (3, 2)  # P3 was returned before it was accepted
    assert (d1["resolved_on_time"], d1["resolved_late"], d1["overdue"]) == (1, 0, 1)  # P2; P6
    assert (d1["returned"], d1["dissatisfied"], d1["satisfied"]) == (1, 1, 0)
    assert (d2["assigned_to_unit"], d2["accepted_in_time"]) == (3, 2)  # P2 accepted after 8 days
    assert (d2["resolved_on_time"], d2["resolved_late"], d2["overdue"], d2["on_track"]) == (0, 1, 1, 1)
    assert (d2["extension_asked"], d2["extension_granted"], d2["satisfied"], d2["returned"]) == (1, 1, 1, 0)
    assert d2["reported"] == 3  # P2, P3, P4 were with D2 when October ended
    # The grouped table and a unit's own count agree, figure by figure.
    for unit, row in table.items():
        assert figures(OCTOBER, unit=unit) == row


def test_days_to_resolve_run_from_the_units_latest_assignment(month):
    days = measures.resolve_days(Issue.objects.all(), measures.Window.of(OCTOBER))
    assert days == {month.d1.pk: 12.0, month.d2.pk: 16.0}  # P2: 3→15 Oct; P4: reassigned 13→29 Oct


def test_september_is_read_as_it_stood_then(month):
    assert figures(SEPTEMBER) == {
        **dict.fromkeys(OCTOBER_FIGURES, 0),
        "reported": 1,
        "reported_by_cadre": 1,
        "assigned": 1,
        "status_in_progress": 1,
        "answered": 1,
        "assigned_to_unit": 1,
        "accepted_in_time": 1,
        # P6's deadline, 10 Oct, was ten calendar days after 30 Sep but only three working days: 1–7 Oct
        # are the National Day holiday, then 8 Oct, 9 Oct and the 调休 Saturday 10 Oct (core/workdays.py).
        "due_soon": 1,
    }


def test_later_moves_leave_october_as_it_was(month):
    before = figures(OCTOBER)
    before_units = measures.by_unit(Issue.objects.all(), measures.Window.of(OCTOBER))
    m = month
    m.move(m.p2, m.other_staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(11, 3))
    m.move(m.p2, m.cadre.user, Action.CLOSE, FeedbackPayload(rating=Feedback.Rating.BASICALLY_SATISFIED), at(11, 4))
    m.move(m.p3, m.other_staff.user, Action.RETURN, ReturnPayload(note="需另行交办"), at(11, 5))
    m.move(m.p5, m.leader, Action.ASSIGN, to(m.d1, day(11, 30), day(11, 20)), at(11, 6))
    m.move(
        m.p6,
        m.office,
        Action.REASSIGN,
        ReassignPayload(assignment=to(m.d2, day(11, 30), day(11, 20)), note="改派"),
        at(11, 7),
    )

    assert figures(OCTOBER) == before == OCTOBER_FIGURES
    assert measures.by_unit(Issue.objects.all(), measures.Window.of(OCTOBER)) == before_units
    november = figures(Period.month(Month(2025, 11)))
    assert (november["reported"], november["resolved_late"], november["satisfied"], november["returned"]) == (
        0,
        1,
        1,
        1,
    )
    assert november["assigned_to_unit"] == 2  # P5 to D1, P6 to D2


def test_rows_not_saved_since_the_month_ended_are_read_as_they_stand(month):
    """The same figures whether a problem is read back from its events or, untouched since, from its row."""
    last_move = IssueEvent.objects.filter(issue=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    Issue.objects.update(updated_at=Subquery(last_move))  # as if each row was last saved by its last move
    assert Issue.objects.filter(updated_at__lt=OCTOBER.end_at).count() == 6  # every last move was by 31 October
    assert figures(OCTOBER) == OCTOBER_FIGURES


def test_a_running_month_reads_the_rows_as_they_are(month, settings):
    """While a period runs, its state is the problem's row now, and overdue is judged on today."""
    now = at(10, 31, 23)
    window = measures.Window(OCTOBER, now)
    assert not window.is_over
    assert window.as_of_date == day(10, 31)
    found = measures.counts(Issue.objects.all(), window, ["overdue", "due_soon", "on_track"])
    # Read on 31 Oct: P6 is overdue; P2's deadline is today (due soon); P3's 10 Nov is beyond three days.
    assert found == {"overdue": 1, "due_soon": 1, "on_track": 1}


def test_counting_takes_one_query_whatever_the_number_of_problems(month, django_assert_num_queries):
    window = measures.Window.of(OCTOBER)
    with django_assert_num_queries(1):
        measures.counts(Issue.objects.all(), window)
    with django_assert_num_queries(1):
        measures.by_unit(Issue.objects.all(), window)
    for i in range(6):
        month.report(at(10, 2 + i), to(month.d1, day(10, 28), day(10, 20)))
    with django_assert_num_queries(1):
        assert measures.counts(Issue.objects.all(), window)["reported"] == 11
    with django_assert_num_queries(1):
        measures.by_unit(Issue.objects.all(), window)


def test_the_ledger_lists_a_figures_rows_and_names_it(month, client, leader):
    client.force_login(leader)
    page = client.get("/issues/", {"measure": "overdue", "from": "2025-10", "to": "2025-10"})
    assert page.status_code == 200
    assert [issue.pk for issue in page.context["page"]] == [month.p2.pk, month.p6.pk]  # newest first
    assert page.context["filter"].figure.measure.key == "overdue"
    unit = client.get("/issues/", {"measure": "returned", "from": "2025-10", "unit": month.d1.pk})
    assert [issue.pk for issue in unit.context["page"]] == [month.p3.pk]
    assert (
        client.get("/issues/", {"measure": "returned", "from": "2025-10", "unit": month.d2.pk})
        .context["page"]
        .paginator.count
        == 0
    )


@pytest.mark.parametrize(
    "query", [{"measure": "bogus"}, {"measure": "overdue", "unit": "99999"}, {"measure": "x" * 500}]
)
def test_an_unknown_figure_is_said_never_a_500(month, client, leader, query):
    client.force_login(leader)
    page = client.get("/issues/", query)
    assert page.status_code == 200
    assert "alert-warning" in page.content.decode()


# --- several families of figures in one statement (measures.read) -----------------------------------------


def test_read_sends_every_family_in_one_statement_and_each_answer_is_its_own(month, django_assert_num_queries):
    # The dashboard reads its figures, each department's and cadre's, its breakdowns and its months
    # together: each answer is what the family's own function gives alone.
    window = measures.Window.of(OCTOBER)
    issues = Issue.objects.all()
    months = [Month(2025, 9), Month(2025, 10), Month(2025, 11)]
    alone = (
        measures.counts(issues, window),
        measures.by_unit(issues, window),
        measures.grouped(issues, window, "reporter", also=("reporter__name",)),
        measures.grouped(issues, window, "enterprise__sector", ["reported"]),
        [measures.counts(issues, measures.Window.of(Period.month(m)), ["reported"])["reported"] for m in months],
    )
    with django_assert_num_queries(1):
        together = measures.read(
            measures.counting(issues, window),
            measures.units(issues, window),
            measures.grouping(issues, window, "reporter", also=("reporter__name",), types={"reporter__name": str}),
            measures.grouping(issues, window, "enterprise__sector", ["reported"], types={"enterprise__sector": str}),
            measures.reported_by_month(issues, months),
        )
    assert tuple(together) == alone
    assert alone[0]["reported"] == 5 and alone[4][:2] == [1, 5]


def test_read_answers_a_family_that_can_match_nothing_without_asking(month, django_assert_num_queries):
    window = measures.Window.of(OCTOBER)
    with django_assert_num_queries(0):
        [found] = measures.read(measures.counting(Issue.objects.none(), window, ["reported", "overdue"]))
    assert found == {"reported": 0, "overdue": 0}


# --- the period's moves are read from their index alone -------------------------------------------------


def _moves_index_columns() -> set[str]:
    [index] = [index for index in IssueEvent._meta.indexes if index.name == "issue_event_moves"]
    return {IssueEvent._meta.get_field(name).column for name in (*index.fields, *index.include)}


@pytest.mark.parametrize(
    "key", ["answered", "rated_by_enterprise", "rated_by_cadre", "extension_granted", "returned", "resolved_late"]
)
def test_each_figures_moves_ask_only_what_the_moves_index_carries(key):
    # On PostgreSQL the index (action, created_at) INCLUDE (…) is read alone, without the table's pages, only
    # where it carries every column a figure's moves are tested on (a city's ratings read the table: 4,000
    # pages a month).
    window = measures.Window.of(OCTOBER)
    if key == "answered":  # the answers from the period's start: one list of actions, not an OR of two lists
        events = IssueEvent.objects.filter(
            measures.ANSWERING, created_at__gte=window.start_at, created_at__lt=window.as_of
        )
        assert '"action" IN (accept, resolve, link, assign)' in str(events.query)
    else:
        events = measures.MEASURES[key].moves.events(window)
    sql = str(events.order_by().values("issue_id").query)
    asked = set(re.findall(r'"issues_issueevent"\."(\w+)"', sql))
    assert asked and asked <= _moves_index_columns(), asked - _moves_index_columns()
