"""The compliance grid on a phone's terms (issue 12): this month first, cells coloured by standing, filters.

The page is read as a user's browser gets it, through the test client; tests/browser/test_compliance_grid.py
looks at it in Chromium at 390×844.
"""

import datetime
import io
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, VisitFactory
from visits.compliance import Standing

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOVEMBER = datetime.date(2026, 11, 27)


@pytest.fixture
def four(the_27th, cadre, other_cadre):
    """A cadre of each standing in November, by standing.

    王建国 made both visits (compliant); 李志强 one so far (at risk); 孙晓明 served until the 10th and made
    none, so the part is over and short (missed); 周文 left in October (not judged in November).
    """
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 11, 3))
    VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 11, 5))
    missed = PairingFactory(
        cadre=CadreFactory(name="孙晓明"),
        enterprise=EnterpriseFactory(name="西安纺织城印染有限公司", street="十里铺街道"),
        ended_on=datetime.date(2026, 11, 10),
    ).cadre
    gone = PairingFactory(cadre=CadreFactory(name="周文"), ended_on=datetime.date(2026, 10, 31)).cadre
    return {Standing.COMPLIANT: cadre, Standing.AT_RISK: other_cadre, Standing.MISSED: missed, Standing.NONE: gone}


class _Grid(HTMLParser):
    """The grid's table as lists of cells, each (tag, attributes, text): the header row first."""

    def __init__(self):
        super().__init__()
        self.region: dict[str, str | None] = {}
        self.heading_ids: set[str] = set()
        self.rows: list[list[tuple[str, dict, str]]] = []
        self._in_grid = False
        self._cell: tuple[str, dict] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2" and attrs.get("id"):
            self.heading_ids.add(attrs["id"])
        if "compliance-scroll" in (attrs.get("class") or ""):
            self.region = attrs
        if tag == "table" and "compliance-grid" in (attrs.get("class") or ""):
            self._in_grid = True
        elif self._in_grid and tag == "tr":
            self.rows.append([])
        elif self._in_grid and tag in ("th", "td"):
            self._cell, self._text = (tag, attrs), []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_grid = False
        elif self._in_grid and tag in ("th", "td") and self._cell:
            self.rows[-1].append((*self._cell, " ".join("".join(self._text).split())))
            self._cell = None

    def handle_data(self, data):
        if self._cell:
            self._text.append(data)


def _grid(response) -> _Grid:
    assert response.status_code == 200
    parser = _Grid()
    parser.feed(response.content.decode())
    return parser


def _names(grid: _Grid) -> list[str]:
    return [row[0][2] for row in grid.rows[1:] if row[0][0] == "th"]


def test_the_current_month_is_the_first_month_column_next_to_the_cadre(client, leader, four):
    client.force_login(leader)
    grid = _grid(client.get(reverse("visits:compliance")))
    header = [text for _tag, _attrs, text in grid.rows[0]]
    assert header[0] == "助企干部"
    assert header[1].startswith("2026-11") and "month-current" in grid.rows[0][1][1]["class"]
    assert header[2:13] == [f"2026-{m:02d}" for m in range(10, 0, -1)] + ["2025-12"]  # newest first
    row = next(r for r in grid.rows[1:] if r[0][2] == "李志强")
    assert "cell-at_risk" in row[1][1]["class"] and "1/2" in row[1][2]  # November, beside the name
    assert "cell-none" in row[-4][1]["class"]  # December 2025, the oldest, before the count and names


def test_each_cell_is_coloured_by_its_standing_and_says_it_in_words(client, leader, four):
    client.force_login(leader)
    grid = _grid(client.get(reverse("visits:compliance")))
    november = {row[0][2]: row[1] for row in grid.rows[1:]}
    for standing, cadre in four.items():
        _tag, attrs, text = november[cadre.name]
        assert f"cell-{standing}" in attrs["class"].split()
        assert str(standing.label) in text  # not colour alone: the label is there for a screen reader
    body = client.get(reverse("visits:compliance")).content.decode()
    # The legend names the same four standings, with the same colours (portal.css's .standing-*) and icons.
    for standing, icon in [("compliant", "bi-check-lg"), ("at_risk", "bi-hourglass-split"), ("missed", "bi-x-lg")]:
        assert re.search(rf'class="badge standing-{standing}"><i class="bi {icon}"', body)
        assert f'<i class="bi {icon}" aria-hidden="true"></i> ' in body
    assert 'class="badge standing-none"' in body
    # The grid's own stylesheet gives each standing's cells their colours.
    assert "css/compliance.css" in body


def test_the_scroll_region_is_focusable_and_named_by_its_heading(client, leader, four):
    client.force_login(leader)
    grid = _grid(client.get(reverse("visits:compliance")))
    assert grid.region["tabindex"] == "0"
    assert grid.region["role"] == "region"
    assert grid.region["aria-labelledby"] in grid.heading_ids


@pytest.mark.parametrize(
    ("standing", "expected"),
    [
        ("missed", ["孙晓明"]),
        ("at_risk", ["李志强"]),
        ("compliant", ["王建国"]),
        ("none", ["周文"]),
        ("short", ["孙晓明", "李志强"]),
        ("", ["孙晓明", "李志强", "王建国", "周文"]),
    ],
)
def test_the_standing_filter_keeps_the_cadres_of_this_months_standing(client, leader, four, standing, expected):
    client.force_login(leader)
    response = client.get(reverse("visits:compliance"), {"standing": standing})
    assert _names(_grid(response)) == expected
    assert response.context["page"].paginator.count == len(expected)


def test_the_search_finds_a_cadre_by_name_or_enterprise_and_judges_all_their_pairings(client, leader, four):
    cadre = four[Standing.COMPLIANT]
    # 王建国 served another enterprise until October: found through it, he is judged on both pairings.
    PairingFactory(
        cadre=cadre,
        enterprise=EnterpriseFactory(name="西安半坡湖文旅有限公司"),
        started_on=datetime.date(2026, 6, 1),
        ended_on=datetime.date(2026, 6, 16),
    )
    client.force_login(leader)
    by_name = client.get(reverse("visits:compliance"), {"q": "王建"})
    by_former = client.get(reverse("visits:compliance"), {"q": "半坡湖"})
    assert _names(_grid(by_name)) == _names(_grid(by_former)) == ["王建国"]
    assert by_name.context["rows"][0].cells == by_former.context["rows"][0].cells
    assert _names(_grid(client.get(reverse("visits:compliance"), {"q": "灞河精密"}))) == ["王建国"]
    assert _names(_grid(client.get(reverse("visits:compliance"), {"q": "没有这个人"}))) == []


def test_the_street_and_origin_filters_narrow_the_rows(client, office, four):
    client.force_login(office)
    street = _grid(client.get(reverse("visits:compliance"), {"street": "十里铺街道"}))
    assert _names(street) == ["孙晓明"]
    district = _grid(client.get(reverse("visits:compliance"), {"origin": "district"}))
    assert _names(district) == ["李志强"]
    # The more filters are folded away unless one of them is in use.
    assert "<details open>" in client.get(reverse("visits:compliance"), {"street": "十里铺街道"}).content.decode()
    assert "<details>" in client.get(reverse("visits:compliance"), {"q": "王"}).content.decode()


def test_past_a_districts_units_the_cadres_unit_is_searched(client, leader, four):
    """A province's 1,173 units were written into every page of the grid: past `PLAIN_UP_TO` the unit filter is
    the search picker (core/pickers.py), offered the units the grid read (no query of its own). The grid still
    narrows to the unit chosen, and a search without JavaScript comes back with the matches and the grid."""
    from core.pickers import PLAIN_UP_TO, SEARCH
    from tests.factories import DepartmentFactory

    for n in range(PLAIN_UP_TO + 1):
        DepartmentFactory(name=f"不该列出的单位{n}")
    client.force_login(leader)
    everything = client.get(reverse("visits:compliance")).content.decode()
    unit = four[Standing.MISSED].unit
    assert "不该列出的单位" not in everything.split('id="compliance-units-heading"')[0]
    chosen = client.get(reverse("visits:compliance"), {"department": unit.pk})
    body = chosen.content.decode()
    assert f'<option value="{unit.pk}" selected>{unit.name}</option>' in body
    assert _names(_grid(chosen)) == ["孙晓明"]
    searched = client.get(
        reverse("visits:compliance"), {"department": unit.pk, "department-q": "不该列出的单位1", SEARCH: "department"}
    )
    assert searched.status_code == 200 and ">不该列出的单位1</option>" in searched.content.decode()
    assert _names(_grid(searched)) == ["孙晓明"]


def test_below_the_rule_first_by_default_and_by_name_on_request(client, leader, four):
    client.force_login(leader)
    default = _names(_grid(client.get(reverse("visits:compliance"))))
    assert default == ["孙晓明", "李志强", "王建国", "周文"]  # missed, at risk, met, not judged this month
    by_name = _names(_grid(client.get(reverse("visits:compliance"), {"order": "name"})))
    assert by_name == sorted(default)


def test_an_unknown_filter_value_shows_every_cadre_not_an_error(client, leader, four):
    client.force_login(leader)
    response = client.get(reverse("visits:compliance"), {"standing": "bogus", "street": "nowhere"})
    assert len(_names(_grid(response))) == 4


def test_the_xlsx_and_the_chart_follow_the_filters(client, office, four):
    client.force_login(office)
    page = client.get(reverse("visits:compliance"), {"standing": "short"})
    assert page.context["chart"]["rates"][-1] == 0.0  # of the two below the rule this month, none met it
    assert "standing=short&amp;format=xlsx" in page.content.decode()
    response = client.get(reverse("visits:compliance"), {"standing": "short", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["孙晓明", "李志强"]
    everyone = client.get(reverse("visits:compliance")).context["chart"]
    assert everyone["rates"][-1] == round(100 / 3, 1)  # three judged in November, one met the rule


def test_the_grid_pages_its_rows_and_keeps_the_filters_across_pages(client, leader, four, monkeypatch):
    from visits import views

    monkeypatch.setattr(views, "GRID_PAGE_SIZE", 2)
    client.force_login(leader)
    first = client.get(reverse("visits:compliance"), {"standing": "", "q": ""})
    second = client.get(reverse("visits:compliance"), {"standing": "", "q": "", "page": 2})
    assert _names(_grid(first)) + _names(_grid(second)) == ["孙晓明", "李志强", "王建国", "周文"]
    assert "standing=&amp;q=&amp;page=2" in first.content.decode()
    assert first.context["chart"] == second.context["chart"]  # the chart covers every row the filters keep


@pytest.mark.parametrize("filters", [{}, {"q": "干部", "standing": "at_risk", "origin": "city", "order": "name"}])
def test_the_filtered_grid_runs_as_many_queries_for_more_cadres(client, leader, the_27th, filters):
    client.force_login(leader)
    PairingFactory.create_batch(3)

    def count():
        client.get(reverse("visits:compliance"), filters)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("visits:compliance"), filters)
        return len(ctx)

    small = count()
    PairingFactory.create_batch(40)
    assert count() == small
