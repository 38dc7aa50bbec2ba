"""The two-visit rule in SQL (visits/compliance.py's `Standings`) gives `judge`'s answers, and the grid's units.

The grid counts a city's cadres in SQL and judges only a page of them in Python; both are the rule's one
module, held here to the same answers on the awkward cases: part-months, re-pairings, a month not begun.
"""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.months import last_months
from organisation.models import Pairing
from tests.factories import CadreFactory, DepartmentFactory, PairingFactory, VisitFactory
from visits import compliance
from visits.compliance import SHORT, Standing

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def mixed(the_27th):
    """Cadres in two units: whole months, part-months, a re-pairing mid-month, a pairing not begun, none."""
    east, west = DepartmentFactory(name="东区"), DepartmentFactory(name="西区")
    day = datetime.date
    steady = PairingFactory(cadre=CadreFactory(name="甲", unit=east), started_on=day(2025, 1, 1))
    VisitFactory.create_batch(2, pairing=steady, visited_on=day(2026, 11, 2))
    VisitFactory(pairing=steady, visited_on=day(2026, 10, 9))
    moved = CadreFactory(name="乙", unit=east)
    before = PairingFactory(cadre=moved, started_on=day(2026, 3, 1), ended_on=day(2026, 9, 14))
    after = PairingFactory(cadre=moved, started_on=day(2026, 9, 15))
    VisitFactory(pairing=before, visited_on=day(2026, 9, 3))
    VisitFactory(pairing=after, visited_on=day(2026, 9, 20))
    VisitFactory(pairing=after, visited_on=day(2026, 11, 20))
    left = PairingFactory(
        cadre=CadreFactory(name="丙", unit=west), started_on=day(2026, 5, 10), ended_on=day(2026, 11, 4)
    )
    VisitFactory(pairing=left, visited_on=day(2026, 5, 20))
    PairingFactory(cadre=CadreFactory(name="丁", unit=west), started_on=day(2026, 11, 30))  # not begun yet
    PairingFactory(cadre=CadreFactory(name="戊", unit=None), started_on=day(2026, 11, 26))
    return east, west


def _months():
    return last_months(TODAY, 12)


def test_the_units_counts_are_judges_month_by_month(mixed):
    standings = compliance.Standings(_months(), TODAY, Pairing.objects.all())
    assert compliance.totals(standings.units(), _months()) == compliance.summarise(
        compliance.judge(_months(), TODAY), _months()
    )


def test_each_units_this_month_counts_the_standings_judge_gives(mixed):
    _east, west = mixed
    rows = compliance.judge(_months(), TODAY)
    expected: dict[int | None, dict[str, int]] = {}
    for row in rows:
        mine = expected.setdefault(row.cadre.unit_id, dict.fromkeys(Standing.values, 0))
        mine[row.cells[-1].standing] += 1
    found = {
        unit.unit_id: unit.this_month for unit in compliance.Standings(_months(), TODAY, Pairing.objects.all()).units()
    }
    assert found == expected
    assert found[west.pk][Standing.NONE] == 1  # 丁's pairing has not begun: not judged yet


def test_the_order_is_below_the_rule_first_as_judged(mixed):
    rows = compliance.judge(_months(), TODAY)
    worst = {Standing.MISSED: 0, Standing.AT_RISK: 1, Standing.COMPLIANT: 2, Standing.NONE: 3}
    expected = [r.cadre.pk for r in sorted(rows, key=lambda r: (worst[r.cells[-1].standing], -r.short, r.cadre.name))]
    standings = compliance.Standings(_months(), TODAY, Pairing.objects.all())
    assert standings.cadre_ids(worst_first=True) == expected
    assert standings.cadre_ids(worst_first=True, offset=1, limit=2) == expected[1:3]
    assert [r.cadre.pk for r in standings.rows(expected[1:3])] == expected[1:3]


def test_the_standings_kept_narrow_the_cadres_and_the_units(mixed):
    rows = compliance.judge(_months(), TODAY)
    short = {r.cadre.pk for r in rows if r.cells[-1].standing in SHORT}
    standings = compliance.Standings(_months(), TODAY, Pairing.objects.all(), standings=SHORT)
    assert set(standings.cadre_ids(worst_first=False)) == short
    assert sum(unit.cadres for unit in standings.units()) == len(short)


def test_a_units_name_opens_its_own_cadres(client, leader, mixed):
    _east, _west = mixed
    client.force_login(leader)
    page = client.get(reverse("visits:compliance"))
    units = {row.name: row for row in page.context["units"]}
    assert units["东区"].summary.cadres == 2 and units["西区"].summary.cadres == 2
    drilled = client.get(reverse("visits:compliance") + units["东区"].href.split("#")[0])
    assert sorted(r.cadre.name for r in drilled.context["rows"]) == ["乙", "甲"]
    assert [row.name for row in drilled.context["units"]] == ["东区"]


@pytest.mark.parametrize("filters", [{}, {"standing": "short", "order": "name"}, {"format": "xlsx"}])
def test_the_grid_and_its_xlsx_run_as_many_queries_for_more_cadres(client, leader, the_27th, filters):
    client.force_login(leader)
    PairingFactory.create_batch(3)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("visits:compliance"), filters)
            if response.streaming:
                b"".join(response.streaming_content)
        return len(ctx)

    count()
    small = count()  # kept (core/kept.py): the units and the page read back, the page's cadres judged
    for _ in range(2):
        PairingFactory(cadre=CadreFactory(unit=DepartmentFactory()))
    PairingFactory.create_batch(40)
    counted = count()  # the pairings touched the kept figures: counted again
    assert count() == small
    assert small <= counted <= 12


@pytest.mark.parametrize("logged_before", [None, datetime.datetime(2026, 10, 1, tzinfo=SHANGHAI)])
def test_the_months_met_and_counted_are_the_cells_judge_gives(mixed, logged_before):
    """The annual assessment's compliance (met; counted = met or missed) read in SQL, as `cells_by_cadre` judges."""
    cells = compliance.cells_by_cadre(_months(), TODAY, Pairing.objects.all(), logged_before=logged_before)
    expected = {
        pk: (
            sum(c.standing == Standing.COMPLIANT for c in mine),
            sum(c.standing in (Standing.COMPLIANT, Standing.MISSED) for c in mine),
        )
        for pk, mine in cells.items()
    }
    standings = compliance.Standings(_months(), TODAY, Pairing.objects.all(), logged_before=logged_before)
    assert standings.months_met() == expected
    assert any(counted > met for met, counted in expected.values())  # some months were missed


def test_the_units_and_a_page_read_together_are_those_read_apart(mixed):
    standings = compliance.Standings(_months(), TODAY, Pairing.objects.all())
    units, ids = standings.units_and_page(worst_first=True, offset=1, limit=2)
    assert sorted(units, key=lambda u: u.unit_id or 0) == sorted(standings.units(), key=lambda u: u.unit_id or 0)
    assert ids == standings.cadre_ids(worst_first=True, offset=1, limit=2)


def test_a_page_past_the_last_shows_the_last(client, leader, mixed, monkeypatch):
    from visits import views

    monkeypatch.setattr(views, "GRID_PAGE_SIZE", 2)
    client.force_login(leader)
    last = client.get(reverse("visits:compliance"), {"page": 3})
    past = client.get(reverse("visits:compliance"), {"page": 99})
    assert past.context["page"].number == last.context["page"].number == 3
    assert [r.cadre.pk for r in past.context["rows"]] == [r.cadre.pk for r in last.context["rows"]]
    assert len(last.context["rows"]) == 1  # five cadres, two a page


def test_the_units_are_paged_and_keep_the_filters(client, leader, mixed, monkeypatch):
    from visits import views

    monkeypatch.setattr(views, "GRID_UNITS_PAGE_SIZE", 2)
    client.force_login(leader)
    first = client.get(reverse("visits:compliance"), {"order": "name"})
    second = client.get(reverse("visits:compliance"), {"order": "name", "units_page": 2})
    east, west = mixed
    shown = [row.summary.unit_id for row in [*first.context["units"], *second.context["units"]]]
    assert sorted(shown, key=lambda pk: pk or 0) == [None, east.pk, west.pk]  # and the cadre without a unit
    assert "order=name&amp;units_page=2" in first.content.decode()
    assert first.context["rows"] == second.context["rows"]  # the cadres' page is its own


def test_judge_in_batches_gives_judges_rows_in_its_order(db, django_assert_num_queries):
    """A city's export judges a thousand cadres at a time: the same rows, in the same order, as one judge."""
    today = datetime.date(2026, 11, 20)
    months = last_months(today, 3)
    for i in range(5):
        pairing = PairingFactory(cadre__name=f"干部{4 - i}", started_on=datetime.date(2026, 8, 1))
        VisitFactory.create_batch(i % 3, pairing=pairing, visited_on=datetime.date(2026, 10, 5))
    whole = compliance.judge(months, today, Pairing.objects.all())
    with django_assert_num_queries(1 + 2 * 3):  # the ids, then judge's two for each of three batches
        batched = list(compliance.judge_in_batches(months, today, Pairing.objects.all(), size=2))
    assert [(r.cadre.pk, [c.visits for c in r.cells], r.short) for r in batched] == [
        (r.cadre.pk, [c.visits for c in r.cells], r.short) for r in whole
    ]
    assert [r.cadre.name for r in batched] == sorted(r.cadre.name for r in whole)


@pytest.mark.parametrize("logged_before", [None, datetime.datetime(2026, 10, 1, tzinfo=SHANGHAI)])
def test_the_months_judged_and_met_are_the_cells_judge_gives(mixed, logged_before):
    """The roll-up per cadre's months judged and met, read in SQL, as `cells_by_cadre` judges them."""
    cells = compliance.cells_by_cadre(_months(), TODAY, Pairing.objects.all(), logged_before=logged_before)
    expected = {pk: (sum(c.is_judged for c in mine), sum(c.is_compliant for c in mine)) for pk, mine in cells.items()}
    standings = compliance.Standings(_months(), TODAY, Pairing.objects.all(), logged_before=logged_before)
    assert standings.judged_and_met() == expected
    assert any(judged > met for judged, met in expected.values())  # some months judged were not met
    assert any(judged == 0 for judged, _met in expected.values())  # a cadre whose pairing has not begun


def test_the_field_that_names_each_cadres_row_is_judges(mixed):
    """`row_names` reads, per cadre, what `judge` names the row by: the pairing in force, else the latest."""
    rows = compliance.judge(_months(), TODAY)
    names = compliance.row_names(_months(), Pairing.objects.all(), "enterprise_id")
    assert names == {row.cadre.pk: row.pairing.enterprise_id for row in rows}
    moved = next(row for row in rows if row.cadre.name == "乙")
    assert moved.pairing.ended_on is None  # the re-paired cadre is named by the pairing in force, not the first
