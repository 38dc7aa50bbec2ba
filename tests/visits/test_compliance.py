import datetime
import zoneinfo

import pytest
from django.utils import timezone

from tests.factories import EnterpriseFactory, PairingFactory, VisitFactory
from visits.compliance import Standing, cadre_grid, last_months, pairing_month, required_visits
from visits.models import Visit
from visits.services import VisitData, VisitError, visit_log

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


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
    assert pairing_month(pairing, 2026, 11, today).visits == 1
    assert pairing_month(pairing, 2026, 12, today).visits == 1


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
    assert pairing_month(cadre.pairings.get(), 2026, 11, today).standing == expected


def test_a_pairing_reassigned_mid_month_judges_each_cadre_on_their_own_part():
    enterprise = EnterpriseFactory()
    first = PairingFactory(
        enterprise=enterprise, started_on=datetime.date(2026, 6, 17), ended_on=datetime.date(2026, 11, 15)
    )
    second = PairingFactory(enterprise=enterprise, started_on=datetime.date(2026, 11, 16))
    # Half a month each: each needs ceil(2 × 15/30) = 1 visit.
    assert required_visits(first, 2026, 11) == required_visits(second, 2026, 11) == 1
    VisitFactory(pairing=first, visited_on=datetime.date(2026, 11, 3))
    today = datetime.date(2026, 11, 20)
    assert pairing_month(first, 2026, 11, today).standing == Standing.COMPLIANT
    # The newcomer's part is not over: short, but only at risk.
    assert pairing_month(second, 2026, 11, today).standing == Standing.AT_RISK
    # The first cadre's part ended on the 15th; without a visit it would be missed already.
    assert pairing_month(first, 2026, 10, today).standing == Standing.MISSED


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
    grid, _pairings = cadre_grid(months, datetime.date(2026, 11, 27))
    row = grid[cadre.pk]
    assert row[(2026, 10)].standing == Standing.COMPLIANT
    assert row[(2026, 9)].standing == Standing.MISSED
    assert row[(2026, 11)].standing == Standing.AT_RISK
    assert row[(2026, 5)].standing == Standing.NONE  # before the pairing started


def test_the_grid_runs_the_same_queries_for_more_cadres(django_assert_num_queries):
    months = last_months(datetime.date(2026, 11, 27), 12)
    PairingFactory.create_batch(3)
    with django_assert_num_queries(2):
        cadre_grid(months, datetime.date(2026, 11, 27))
    PairingFactory.create_batch(30)
    with django_assert_num_queries(2):
        cadre_grid(months, datetime.date(2026, 11, 27))
