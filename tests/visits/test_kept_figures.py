"""The visit figures, the compliance grid and the visit list's count are kept (core/kept.py): a kept read makes
fewer queries and gives the same answer, and a visit logged through the real service shows at once.

The touches that make a visit logged count again are the writers' (visits/kept.py); these tests read the pages
as their users do and log the visit as a cadre does (visits/services.py `visit_log`).
"""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.months import Month, last_months
from core.periods import Period
from oversight.scope import Filters, Scope, visit_figures
from tests.factories import VisitFactory
from visits.models import Visit
from visits.services import VisitData, visit_log

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _log(pairing, on: datetime.date) -> Visit:
    return visit_log(actor=pairing.cadre.user, pairing=pairing, data=VisitData(visited_on=on, mode=Visit.Mode.ON_SITE))


def _read(read):
    with CaptureQueriesContext(connection) as captured:
        found = read()
    return found, len(captured)


@pytest.fixture
def november(the_27th, cadre, other_cadre):
    """王建国 made both of November's visits (compliant), 李志强 one so far (at risk) and one in October."""
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 11, 3))
    VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 11, 5))
    logged = datetime.datetime(2026, 10, 12, 18, 0, tzinfo=SHANGHAI)
    VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 10, 12), created_at=logged)
    return the_27th


def test_visit_figures_kept_read_is_one_query_and_a_logged_visit_shows_at_once(november, leader, other_cadre):
    months = last_months(november, 12)
    scope = Scope(Period.month(Month.of(november)))

    def figures():
        return visit_figures(leader, scope, months=months)

    first, counted = _read(figures)
    again, kept_read = _read(figures)
    assert (first.visits, first.by_month[-2:], first.pairings) == (3, (1, 3), 2)
    assert (first.judged, first.compliant) == (2, 1)
    assert again == first
    assert kept_read == 1 < counted

    _log(other_cadre.pairings.get(), datetime.date(2026, 11, 26))

    after = figures()
    assert (after.visits, after.by_month[-2:]) == (4, (1, 4))
    assert (after.judged, after.compliant) == (2, 2)


def test_visit_figures_kept_apart_for_each_period_and_filter(november, leader, cadre):
    october = Scope(Period.month(Month(2026, 10)))
    november_scope = Scope(Period.month(Month.of(november)))
    street = Scope(november_scope.period, Filters(street=cadre.pairings.get().enterprise.street or "无此街道"))
    assert visit_figures(leader, october).visits == 1
    assert visit_figures(leader, november_scope).visits == 3
    # The filter is part of what is kept: the street's figure is its own count, not the whole district's.
    expected = Visit.objects.filter(visited_on__month=11, pairing__enterprise__street=street.filters.street).count()
    assert visit_figures(leader, street).visits == expected


def _grid(client, query: str = ""):
    response = client.get(reverse("visits:compliance") + query)
    assert response.status_code == 200
    context = response.context
    return (
        [(row.cadre.name, [(cell.visits, cell.standing) for cell in row.cells]) for row in context["rows"]],
        [(total.judged, total.compliant) for total in context["totals"]],
        [(unit.name, unit.summary.cadres) for unit in context["units"]],
        context["chart"],
    )


def test_grid_kept_read_makes_fewer_queries_and_the_same_page(november, client, leader):
    client.force_login(leader)
    first, counted = _read(lambda: _grid(client))
    again, kept_read = _read(lambda: _grid(client))
    assert again == first
    assert kept_read < counted <= 12
    assert first[1][-1] == (2, 1)  # November: two cadres judged, one met the rule
    # Another sort is kept apart: by name, the same cadres in another order.
    by_name = _grid(client, "?order=name")
    assert [name for name, _cells in by_name[0]] == sorted(name for name, _cells in first[0])


def test_grid_shows_a_visit_logged_through_the_service_at_once(november, client, leader, other_cadre):
    client.force_login(leader)
    before = _grid(client)
    _grid(client)  # kept
    assert before[1][-1] == (2, 1)

    _log(other_cadre.pairings.get(), datetime.date(2026, 11, 26))

    rows, totals, _units, chart = _grid(client)
    assert totals[-1] == (2, 2)
    assert chart["rates"][-1] == 100.0
    cells = dict(rows)[other_cadre.name]
    assert cells[-1][0] == 2


def _visit_list(client, query: str = ""):
    response = client.get(reverse("visits:visit_list") + query)
    assert response.status_code == 200
    page = response.context["page"]
    return page.paginator.count, [visit.pk for visit in page.object_list]


def test_visit_list_count_kept_and_a_logged_visit_shows_at_once(november, client, leader, other_cadre):
    client.force_login(leader)
    first, counted = _read(lambda: _visit_list(client))
    again, kept_read = _read(lambda: _visit_list(client))
    assert first[0] == Visit.objects.count() == 4
    assert again == first
    assert kept_read < counted

    # A filtered list has its own count.
    assert _visit_list(client, "?visited_after=2026-11-01")[0] == 3

    visit = _log(other_cadre.pairings.get(), datetime.date(2026, 11, 26))

    count, page = _visit_list(client)
    assert count == 5
    assert page[0] == visit.pk
    assert _visit_list(client, "?visited_after=2026-11-01")[0] == 4
