import datetime
import zoneinfo

import pytest
from django.utils import timezone

from core.months import Month, last_months, months_of_year
from organisation.models import Pairing
from tests.factories import EnterpriseFactory, PairingFactory, VisitFactory
from visits.compliance import (
    Cell,
    Standing,
    cadre_month,
    cells_by_cadre,
    judge,
    month_summary,
    required_visits,
    summarise,
)
from visits.models import Visit
from visits.services import VisitData, VisitError, visit_log

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def _month(pairing: Pairing, month: Month, today: datetime.date) -> Cell:
    """Judge the pairing's cadre in one month, as the grid would."""
    rows = judge([month], today, Pairing.objects.filter(cadre=pairing.cadre))
    return rows[0].cells[0] if rows else Cell()


def _log_now(cadre, now):
    """Log a visit 'today' as the portal sees today at that instant."""
    return visit_log(
        actor=cadre.user,
        pairing=cadre.pairings.get(),
        data=VisitData(visited_on=timezone.localdate(now), mode=Visit.Mode.ON_SITE),
        now=now,
    )


def test_visits_at_2359_and_0001_around_a_months_end_fall_in_their_own_local_months(cadre):
    # 00:01 on 1 December in Shanghai is still 30 November in UTC: the local date must win.
    late = _log_now(cadre, _at(2026, 11, 30, 23, 59))
    early = _log_now(cadre, _at(2026, 12, 1, 0, 1))
    assert (late.visited_on, early.visited_on) == (datetime.date(2026, 11, 30), datetime.date(2026, 12, 1))
    pairing = cadre.pairings.get()
    today = datetime.date(2026, 12, 2)
    assert _month(pairing, Month(2026, 11), today).visits == 1
    assert _month(pairing, Month(2026, 12), today).visits == 1


@pytest.mark.parametrize(
    ("visits", "today", "expected"),
    [
        (2, datetime.date(2026, 11, 10), Standing.COMPLIANT),
        (1, datetime.date(2026, 11, 30), Standing.AT_RISK),  # the last day still counts
        (1, datetime.date(2026, 12, 1), Standing.MISSED),
        (3, datetime.date(2026, 12, 1), Standing.COMPLIANT),
    ],
)
def test_a_month_is_compliant_at_risk_or_missed(cadre, visits, today, expected):
    for day in range(visits):
        VisitFactory(pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 11, 1 + day))
    assert _month(cadre.pairings.get(), Month(2026, 11), today).standing == expected


def test_a_pairing_reassigned_mid_month_judges_each_cadre_on_their_own_part():
    enterprise = EnterpriseFactory()
    first = PairingFactory(
        enterprise=enterprise, started_on=datetime.date(2026, 6, 17), ended_on=datetime.date(2026, 11, 15)
    )
    second = PairingFactory(enterprise=enterprise, started_on=datetime.date(2026, 11, 16))
    # Half a month each: each needs ceil(2 × 15/30) = 1 visit.
    assert required_visits(first, Month(2026, 11)) == required_visits(second, Month(2026, 11)) == 1
    VisitFactory(pairing=first, visited_on=datetime.date(2026, 11, 3))
    today = datetime.date(2026, 11, 20)
    assert _month(first, Month(2026, 11), today).standing == Standing.COMPLIANT
    # The newcomer's part is not over: short, but only at risk.
    assert _month(second, Month(2026, 11), today).standing == Standing.AT_RISK
    assert cadre_month(second.cadre, today) == _month(second, Month(2026, 11), today)
    # October was the first cadre's whole month, and it is over: without a visit, missed.
    assert _month(first, Month(2026, 10), today).standing == Standing.MISSED


def test_a_visit_dated_before_the_pairing_started_is_refused(cadre):
    pairing = cadre.pairings.get()
    with pytest.raises(VisitError) as exc:
        visit_log(
            actor=cadre.user,
            pairing=pairing,
            data=VisitData(visited_on=pairing.started_on - datetime.timedelta(days=1), mode=Visit.Mode.ON_SITE),
        )
    assert exc.value.code == "before_pairing"
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_is_refused(cadre):
    with pytest.raises(VisitError) as exc:
        visit_log(
            actor=cadre.user,
            pairing=cadre.pairings.get(),
            data=VisitData(visited_on=datetime.date(2026, 12, 1), mode=Visit.Mode.ON_SITE),
            now=_at(2026, 11, 30, 23, 59),
        )
    assert exc.value.code == "visit_in_future"
    assert not Visit.objects.exists()


def test_the_grid_judges_every_cadre_for_twelve_months(cadre):
    months = last_months(datetime.date(2026, 11, 27), 12)
    assert months[0] == (2025, 12) and months[-1] == (2026, 11)
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 10, 9))
    [row] = judge(months, datetime.date(2026, 11, 27))
    cells = dict(zip(months, row.cells, strict=True))
    assert row.cadre == cadre and row.enterprise == cadre.pairings.get().enterprise
    assert cells[(2026, 10)].standing == Standing.COMPLIANT
    assert cells[(2026, 9)].standing == Standing.MISSED
    assert cells[(2026, 11)].standing == Standing.AT_RISK
    assert cells[(2026, 5)].standing == Standing.NONE  # before the pairing started
    assert row.short == sum(1 for c in row.cells if c.standing in (Standing.AT_RISK, Standing.MISSED))


def test_the_grid_runs_the_same_queries_for_more_cadres(django_assert_num_queries):
    months = last_months(datetime.date(2026, 11, 27), 12)
    PairingFactory.create_batch(3)
    with django_assert_num_queries(2):
        judge(months, datetime.date(2026, 11, 27))
    PairingFactory.create_batch(30)
    with django_assert_num_queries(2):
        judge(months, datetime.date(2026, 11, 27))


def test_months_and_parts_that_have_not_begun_are_not_judged(cadre):
    today = datetime.date(2026, 11, 27)
    later = PairingFactory(started_on=datetime.date(2026, 11, 28))
    assert cadre_month(later.cadre, today) == Cell()
    [row] = judge(months_of_year(2026), today, Pairing.objects.filter(cadre=cadre))
    standings = [cell.standing for cell in row.cells]
    # Paired on 17 June, no visits: June to October missed, November at risk, December not begun.
    assert standings[:5] == [Standing.NONE] * 5
    assert standings[5:10] == [Standing.MISSED] * 5
    assert standings[10:] == [Standing.AT_RISK, Standing.NONE]
    assert row.short == 6


def test_a_cadre_who_changed_enterprise_is_one_row_named_by_the_active_pairing():
    enterprise = EnterpriseFactory()
    old = PairingFactory(started_on=datetime.date(2026, 6, 17), ended_on=datetime.date(2026, 11, 15))
    new = PairingFactory(cadre=old.cadre, enterprise=enterprise, started_on=datetime.date(2026, 11, 16))
    VisitFactory(pairing=old, visited_on=datetime.date(2026, 11, 2))
    VisitFactory(pairing=new, visited_on=datetime.date(2026, 11, 20))
    [row] = judge(last_months(datetime.date(2026, 11, 27), 2), datetime.date(2026, 11, 27))
    assert row.pairing == new and row.enterprise == enterprise
    assert (row.cells[-1].visits, row.cells[-1].required, row.cells[-1].standing) == (2, 2, Standing.COMPLIANT)


def test_the_month_summary_counts_the_cadres_judged_and_those_meeting_the_rule(cadre, other_cadre):
    today = datetime.date(2026, 11, 27)
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 11, 2))
    PairingFactory(started_on=datetime.date(2026, 11, 28))  # not judged yet
    summary = month_summary(today)
    assert (summary.month, summary.judged, summary.compliant, summary.rate) == ((2026, 11), 2, 1, 50.0)
    rows = judge(last_months(today, 12), today)
    assert summarise(rows, last_months(today, 12))[-1] == summary
    assert summarise(rows, last_months(today, 12))[0].rate is None  # nobody was paired in December 2025


def test_each_cadres_cells_are_the_grids_without_its_rows(cadre, other_cadre):
    """`cells_by_cadre` (the annual assessment's, many cadres at once) judges as `judge` does: one rule."""
    today = datetime.date(2026, 11, 27)
    enterprise = EnterpriseFactory()
    old = PairingFactory(started_on=datetime.date(2026, 6, 17), ended_on=datetime.date(2026, 11, 15))
    new = PairingFactory(cadre=old.cadre, enterprise=enterprise, started_on=datetime.date(2026, 11, 16))
    VisitFactory(pairing=old, visited_on=datetime.date(2026, 11, 2))
    VisitFactory(pairing=new, visited_on=datetime.date(2026, 11, 20))
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 10, 2))
    months = last_months(today, 12)
    assert cells_by_cadre(months, today) == {row.cadre.pk: row.cells for row in judge(months, today)}
