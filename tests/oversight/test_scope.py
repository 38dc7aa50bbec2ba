"""The period's service figures (oversight/scope.py), with a pairing swapped mid-month, and the filters' links."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from core.months import Month
from core.periods import Period
from oversight.scope import Filters, Scope, ScopeForm, count_visit_figures, visit_figures
from tests import factories

OCTOBER = Period.month(Month(2025, 10))


@pytest.fixture
def october(db):
    """Three cadres in October 2025: A all month; B until 15 Oct, C from 16 Oct on the same enterprise."""
    e1 = factories.EnterpriseFactory(name="西安灞桥甲公司", sector="industry", street="纺织城街道")
    e2 = factories.EnterpriseFactory(name="西安灞桥乙公司", sector="commerce", street="席王街道")
    a = factories.PairingFactory(enterprise=e1, started_on=datetime.date(2025, 1, 1))
    b = factories.PairingFactory(
        enterprise=e2, started_on=datetime.date(2025, 1, 1), ended_on=datetime.date(2025, 10, 15)
    )
    c = factories.PairingFactory(enterprise=e2, started_on=datetime.date(2025, 10, 16))
    for pairing, days in ((a, (3, 20)), (b, (9,)), (c, (28,))):
        for d in days:
            logged = datetime.datetime(2025, 10, d, 20, tzinfo=datetime.UTC)  # logged on the day
            factories.VisitFactory(pairing=pairing, visited_on=datetime.date(2025, 10, d), created_at=logged)
    factories.VisitFactory(pairing=a, visited_on=datetime.date(2025, 11, 2))  # another month
    return {"a": a, "b": b, "c": c}


def test_a_mid_month_swap_judges_each_cadre_on_their_part(october, leader):
    found = visit_figures(leader, Scope(OCTOBER))
    # A: 2 of 2. B held 15 of 31 days: needs ceil(2×15/31) = 1, made 1. C held 16 days: needs 2, made 1.
    assert (found.judged, found.compliant, found.compliance_rate) == (3, 2, 66.7)
    assert found.visits == 4  # 2 + 1 + 1, November's excluded
    assert found.pairings == 2  # in force on 31 October: A's and C's; B's ended on the 15th


def test_the_enterprise_filters_narrow_the_service_figures(october, leader):
    found = visit_figures(leader, Scope(OCTOBER, Filters(sector="commerce")))
    assert (found.pairings, found.visits, found.judged, found.compliant) == (1, 2, 2, 1)


def test_a_cadre_sees_only_their_own_service(october):
    found = visit_figures(october["c"].cadre.user, Scope(OCTOBER))
    assert (found.pairings, found.visits, found.judged, found.compliant) == (1, 1, 1, 0)


def test_service_figures_take_the_same_queries_at_two_sizes(october, leader, django_assert_num_queries):
    count_visit_figures(leader, Scope(OCTOBER), timezone.now(), ())  # reads the viewer's roles, kept on the user
    with django_assert_num_queries(3) as small:  # the rule's one (in SQL), two counts
        count_visit_figures(leader, Scope(OCTOBER), timezone.now(), ())
    for i in range(20):
        pairing = factories.PairingFactory(started_on=datetime.date(2025, 1, 1))
        logged = datetime.datetime(2025, 10, 1 + i, 20, tzinfo=datetime.UTC)
        factories.VisitFactory(pairing=pairing, visited_on=datetime.date(2025, 10, 1 + i), created_at=logged)
    with django_assert_num_queries(len(small.captured_queries)):
        assert count_visit_figures(leader, Scope(OCTOBER), timezone.now(), ()).visits == 24
    # Kept (core/kept.py): counted once more after the visits above, then read back in one query.
    assert visit_figures(leader, Scope(OCTOBER)).visits == 24
    with django_assert_num_queries(1):
        assert visit_figures(leader, Scope(OCTOBER)).visits == 24


def test_links_carry_the_period_and_filters(db):
    department = factories.DepartmentFactory(name="区发改委")
    scope = Scope(OCTOBER, Filters(sector="industry", department=department))
    ledger = parse_qs(urlsplit(scope.ledger("overdue")).query)
    assert ledger == {
        "measure": ["overdue"],
        "from": ["2025-10"],
        "to": ["2025-10"],
        "sector": ["industry"],
        "unit": [str(department.pk)],
    }
    visits = parse_qs(urlsplit(scope.visit_list()).query)
    assert visits["visited_after"] == ["2025-10-01"] and visits["visited_before"] == ["2025-10-31"]
    assert visits["department"] == [str(department.pk)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"from": "2025-08", "to": "2025-10"}, Period(Month(2025, 8), Month(2025, 10))),
        ({"from": "2025-10", "to": "2025-08"}, Period(Month(2025, 8), Month(2025, 10))),  # turned round
        ({"to": "2025-10"}, Period.month(Month(2025, 10))),
    ],
)
def test_the_form_reads_a_period(db, query, expected):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update(query)
    assert ScopeForm(data).scope(datetime.date(2026, 11, 27)).period == expected


@pytest.mark.parametrize("bad", ["2025-13", "abc", "2025-1", "1999-12"])
def test_a_bad_month_is_a_clear_error_and_the_default_period(db, bad):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"from": bad})
    form = ScopeForm(data)
    assert not form.is_valid()
    assert "2026-11" in str(form.errors["start"])  # the example the message gives
    assert form.scope(datetime.date(2026, 11, 27)).period == Period.month(Month(2026, 11))


def test_a_visit_logged_after_the_month_leaves_the_month_as_it_was(october, leader):
    before = visit_figures(leader, Scope(OCTOBER))
    late = factories.VisitFactory(pairing=october["c"], visited_on=datetime.date(2025, 10, 30))
    assert late.created_at > OCTOBER.end_at  # logged now, for a day in October
    assert visit_figures(leader, Scope(OCTOBER)) == before
    # The compliance grid, asked without a moment, counts it.
    from visits import compliance

    rows = compliance.judge([OCTOBER.first], datetime.date(2026, 11, 27), october["c"].cadre.pairings.all())
    assert rows[0].cells[0].visits == 2


def test_a_bad_field_leaves_the_others_in_force(db):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"from": "2025-09", "category": "-1", "sector": "industry"})
    form = ScopeForm(data)
    assert not form.is_valid() and "category" in form.errors
    scope = form.scope(datetime.date(2026, 11, 27))
    assert scope.period == Period.month(Month(2025, 9)) and scope.filters.sector == "industry"


@pytest.mark.postgres
def test_the_periods_visits_are_counted_from_the_visits_index_alone(october, leader):
    """A province's month of visits lies scattered over 9.7 million rows: counted from the heap it read 112,000
    pages (687 ms); `visit_list_order` holds what the count reads of a visit (its pairing, the enterprise's
    answer, when it was logged), so it is counted from the index alone (50 ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        count_visit_figures(leader, Scope(OCTOBER), timezone.now(), [Month(2025, 9), Month(2025, 10)])
    (counting,) = [query["sql"] for query in queries if query["sql"].startswith('SELECT COUNT("visits_visit"."id")')]
    # A test's few rows would be read whole by any planner: without sequential and bitmap scans, the plan shows
    # which index the query can use at all (tests/visits/test_tallies.py).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        try:
            cursor.execute("EXPLAIN " + counting)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_bitmapscan = on")
    assert "Index Only Scan using visit_list_order" in plan, plan
