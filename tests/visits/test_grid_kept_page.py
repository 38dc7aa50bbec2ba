"""The compliance grid keeps each page's judged rows (core/kept.py): a kept read judges nothing, shows what a fresh
judgement shows, and a visit logged, a cadre renamed or moved shows at once.

The page is read as the leading group reads it (the test client) and the visit logged as a cadre logs it
(visits/services.py `visit_log`); the fresh judgement is the rule's own (`compliance.Standings`, `judge`).
"""

import datetime
import pickle
import re
from dataclasses import fields, is_dataclass

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import Promise

from core.kept import touch
from core.months import Month, last_months
from organisation.models import Department, Pairing
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, VisitFactory
from visits import compliance, views
from visits.compliance import Standing
from visits.models import Visit
from visits.services import VisitData, visit_log

pytestmark = pytest.mark.django_db
GRID = reverse("visits:compliance")
# Pages to read: every order, the drill-down into a unit, a standing, a search, a second page (two cadres a page).
QUERIES = ["", "?order=name", "?standing=short", "?q=王", "?page=2", "?order=name&page=2", "?page=9"]


@pytest.fixture
def grid(the_27th, cadre, other_cadre, monkeypatch):
    """Five cadres in two units, two a page: 王建国 compliant in November, 李志强 at risk, 孙晓明 missed (served until
    the 10th), 周文 gone in October (not judged), 王小明 paired from the 20th (one visit required, none made)."""
    monkeypatch.setattr(views, "GRID_PAGE_SIZE", 2)
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 11, 3))
    VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 11, 5))
    VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 9, 8))
    PairingFactory(
        cadre=CadreFactory(name="孙晓明", unit=cadre.unit),
        enterprise=EnterpriseFactory(name="西安纺织城印染有限公司", street="十里铺街道"),
        ended_on=datetime.date(2026, 11, 10),
    )
    PairingFactory(cadre=CadreFactory(name="周文", unit=None), ended_on=datetime.date(2026, 10, 31))
    PairingFactory(cadre=CadreFactory(name="王小明"), started_on=datetime.date(2026, 11, 20))
    return the_27th


def _page(client, query: str = ""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(GRID + query)
    assert response.status_code == 200
    return response, captured


def _html(response) -> str:
    """The page as its reader gets it, without the CSRF tokens that change with every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _fresh_rows(today: datetime.date, worst_first: bool, offset: int):
    """The page's rows judged now by the rule itself, nothing kept."""
    standings = compliance.Standings(last_months(today, 12), today, Pairing.objects.all())
    ids = standings.cadre_ids(worst_first=worst_first, offset=offset, limit=views.GRID_PAGE_SIZE)
    return [compliance.PlainRow.of(row) for row in standings.rows(ids)]


@pytest.mark.parametrize("query", QUERIES)
def test_a_kept_page_is_the_page_judged_afresh(client, leader, grid, settings, query):
    client.force_login(leader)
    _page(client, query)  # the figures' version rows are made once per database (core/kept.py)
    touch("visits", None)  # as a visit logged in bulk: the page counts again
    counted, counting = _page(client, query)
    kept, keeping = _page(client, query)
    # A kept read judges nothing: no pairing read, no tally, none of the rule's SQL; both within the budget.
    assert not [q["sql"] for q in keeping if "visits_visittally" in q["sql"] or "organisation_pairing" in q["sql"]]
    assert len(keeping) < len(counting) <= 12
    assert kept.context["rows"] == counted.context["rows"]
    assert _html(kept) == _html(counted)

    settings.KEPT_SECONDS = 0  # nothing kept: every figure counted for this read alone
    fresh, _queries = _page(client, query)
    assert _html(kept) == _html(fresh)


def test_the_kept_rows_are_the_rules_rows(client, leader, grid):
    client.force_login(leader)
    _page(client)
    kept, _queries = _page(client)
    rows = [line.row for line in kept.context["rows"]]
    assert rows == _fresh_rows(grid, worst_first=True, offset=0)
    assert [row.cadre.name for row in rows] == ["孙晓明", "李志强"]  # missed first, then at risk
    assert [(cell.visits, cell.required, cell.standing) for cell in rows[1].cells[-3:]] == [
        (1, 2, Standing.MISSED),
        (0, 2, Standing.MISSED),
        (1, 2, Standing.AT_RISK),
    ]
    second, _queries = _page(client, "?order=name&page=2")
    assert [line.row for line in second.context["rows"]] == _fresh_rows(grid, worst_first=False, offset=2)


def test_a_kept_page_shows_each_cell_as_the_rule_judged_it(client, leader, grid):
    client.force_login(leader)
    _page(client, "?q=李志强")
    kept, _queries = _page(client, "?q=李志强")
    [line] = kept.context["rows"]
    assert line.shown[0] == ("at_risk", True, "1/2", str(Standing.AT_RISK.label))  # this month first
    assert line.shown[2] == ("missed", True, "1/2", str(Standing.MISSED.label))
    assert line.shown[-1] == ("none", False, "0/0", str(Standing.NONE.label))  # December 2025: not paired yet
    page = _html(kept)
    assert '<td class="text-center cell-at_risk"><i class="bi bi-hourglass-split" aria-hidden="true"></i> 1/2' in page
    assert '<td class="text-center cell-none"><span aria-hidden="true">–</span>' in page


def test_a_visit_logged_through_the_service_shows_on_the_next_read(client, leader, grid, other_cadre):
    client.force_login(leader)
    _page(client, "?q=李志强")
    before, _queries = _page(client, "?q=李志强")  # kept
    [line] = before.context["rows"]
    assert line.shown[0][:3] == ("at_risk", True, "1/2")

    pairing = other_cadre.pairings.get()
    visit_log(
        actor=other_cadre.user,
        pairing=pairing,
        data=VisitData(visited_on=datetime.date(2026, 11, 26), mode=Visit.Mode.ON_SITE),
    )

    after, counting = _page(client, "?q=李志强")
    assert [q for q in counting if "visits_visittally" in q["sql"]]  # judged again
    [now] = after.context["rows"]
    assert now.shown[0][:3] == ("compliant", True, "2/2")
    assert now.short == line.short - 1
    assert after.context["totals"][-1].compliant == before.context["totals"][-1].compliant + 1
    # And on every other page that shows the cadre: the whole grid, by name.
    by_name = [line.row for line in _page(client, "?order=name")[0].context["rows"]]
    assert by_name == _fresh_rows(grid, worst_first=False, offset=0)


def test_a_cadre_renamed_or_moved_and_an_enterprise_renamed_show_on_the_next_read(client, leader, grid, cadre):
    client.force_login(leader)
    _page(client, "?q=王建")
    kept, _queries = _page(client, "?q=王建")
    assert [line.cadre.name for line in kept.context["rows"]] == ["王建国"]

    cadre.name = "王建军"
    cadre.save()
    enterprise = cadre.pairings.get().enterprise
    enterprise.name = "西安灞河精密机械股份有限公司"
    enterprise.save()
    after, _queries = _page(client, "?q=王建")
    [line] = after.context["rows"]
    assert (line.cadre.name, line.enterprise.name) == ("王建军", "西安灞河精密机械股份有限公司")

    moved = Department.objects.create(name="区商务局")
    cadre.unit = moved
    cadre.save()
    after, _queries = _page(client, "?q=王建")
    [line] = after.context["rows"]
    assert line.cadre.unit == compliance.Named(moved.pk, "区商务局")
    assert [unit.name for unit in after.context["units"]] == ["区商务局"]


def _plain(value, path="kept") -> None:
    """Fail unless `value` is plain data: numbers, text, dates, months, standings, and containers of them."""
    assert not isinstance(value, (Model, Promise)), path
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _plain(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _plain(key, f"{path}.key")
            _plain(item, f"{path}[{key!r}]")
    elif is_dataclass(value):
        for field in fields(value):
            _plain(getattr(value, field.name), f"{path}.{field.name}")
    else:
        assert type(value) in (int, str, bool, type(None), datetime.date, Standing), (path, type(value))


def test_what_the_grid_keeps_is_plain_data_and_pickles_back_equal(grid):
    months = last_months(grid, 12)
    standings = compliance.Standings(months, grid, Pairing.objects.all())
    page = views._count_grid(standings, worst_first=True, offset=0)
    _plain(page)
    assert pickle.loads(pickle.dumps(page)) == page
    assert isinstance(page.totals[0].month, Month)  # a NamedTuple of numbers: plain, and compared as (year, month)
    assert page.cadres == 5 and len(page.rows) == 2
    # The units as rows of numbers read back as the summaries the rule counted.
    assert sorted(
        (compliance.UnitSummary.of(unit, months) for unit in page.units), key=lambda u: u.unit_id or 0
    ) == sorted(standings.units(), key=lambda u: u.unit_id or 0)
