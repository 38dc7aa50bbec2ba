"""The assessment's pages: who sees which, what they show, the xlsx, and queries that do not grow with the data."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import Subject
from assessment.services import year_freeze
from issues.models import Action
from issues.payloads import AcceptPayload, AssignPayload
from issues.services import issue_report, issue_transition
from supervision.models import Kind, Rating, Target
from supervision.services import InspectionData, inspection_record, item_raise
from tests import factories

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def url(name: str, *args) -> str:
    return reverse(f"assessment:{name}", args=args)


@pytest.fixture
def pages(cadre, department):
    """This year's pages: the year, the persona cadre's breakdown and the persona department's."""
    return {
        "year": url("year", THIS_YEAR),
        "cadre": url("cadre", THIS_YEAR, cadre.pk),
        "department": url("department", THIS_YEAR, department.pk),
        "compare": url("compare", THIS_YEAR),
    }


# What each persona gets at each page: 200, a redirect to (the path of) their own breakdown, 403 or 404.
EXPECTED = {
    "cadre": {"year": "own", "cadre": 200, "department": 404, "compare": 403},
    "other_cadre": {"year": "own", "cadre": 404, "department": 404, "compare": 403},
    "staff": {"year": "own", "cadre": 404, "department": 200, "compare": 403},
    "other_staff": {"year": "own", "cadre": 404, "department": 404, "compare": 403},
    "leader": {"year": 200, "cadre": 200, "department": 200, "compare": 200},
    "office": {"year": 200, "cadre": 200, "department": 200, "compare": 200},
    "superuser": {"year": 200, "cadre": 200, "department": 200, "compare": 200},
    "nobody": {"year": 403, "cadre": 403, "department": 403, "compare": 403},
}


def own_breakdown(user) -> str:
    if hasattr(user, "cadre"):
        return url("cadre", THIS_YEAR, user.cadre.pk)
    return url("department", THIS_YEAR, user.department_staff.department_id)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_persona_sees_only_what_is_theirs(client, everyone, pages, who):
    user = everyone[who]
    client.force_login(user)
    for page, expected in EXPECTED[who].items():
        response = client.get(pages[page])
        if expected == "own":
            assert (response.status_code, response.url) == (302, own_breakdown(user)), page
        else:
            assert response.status_code == expected, (who, page)


def test_a_visitor_is_asked_to_log_in(client, pages):
    for page in [url("index"), *pages.values()]:
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), page


@pytest.mark.parametrize("who", ["leader", "office", "superuser"])
def test_the_menus_entry_takes_an_overseer_to_the_years_ranking(client, everyone, who):
    client.force_login(everyone[who])
    home = client.get(reverse("home")).content.decode()
    assert f'href="{url("year", THIS_YEAR)}"' in home
    response = client.get(url("index"))  # the bare address still finds the year
    assert (response.status_code, response.url) == (302, url("year", THIS_YEAR))


@pytest.mark.parametrize("who", ["cadre", "staff"])
def test_the_menus_entry_shows_a_cadre_or_a_unit_its_own_breakdown_without_a_hop(client, everyone, who):
    user = everyone[who]
    client.force_login(user)
    assert f'href="{url("index")}"' in client.get(reverse("home")).content.decode()
    response = client.get(url("index"))
    assert response.status_code == 200
    mine = client.get(own_breakdown(user)).context["score"]
    assert (response.context["score"].unit_id, response.context["score"].score) == (mine.unit_id, mine.score)


def test_the_menu_has_no_entry_for_an_account_without_a_role(client, nobody):
    client.force_login(nobody)
    assert url("index") not in client.get(reverse("home")).content.decode()
    assert client.get(url("index")).status_code == 403


@pytest.mark.parametrize("year", [THIS_YEAR + 1, 1999, 0])
def test_a_year_to_come_or_before_2000_is_not_found(client, leader, cadre, year):
    client.force_login(leader)
    for page in (url("year", year), url("cadre", year, cadre.pk), url("compare", year)):
        assert client.get(page).status_code == 404


def test_an_unknown_unit_is_not_found(client, leader):
    client.force_login(leader)
    assert client.get(url("cadre", THIS_YEAR, 999999)).status_code == 404
    assert client.get(url("department", THIS_YEAR, 10**18)).status_code == 404


def test_the_pages_are_read_only(client, leader, pages):
    client.force_login(leader)
    for page in pages.values():
        assert client.post(page).status_code == 405


def test_the_breakdown_shows_each_measure_with_its_figures_and_links(client, year):
    client.force_login(year.cadre.user)
    page = client.get(url("cadre", 2025, year.cadre.pk))
    html = page.content.decode()
    for key in (
        "compliance",
        "response",
        "on_time",
        "satisfaction",
        "returns_reopened",
        "inspections",
        "rectification",
    ):
        assert f'<tr id="measure-{key}">' in html
    assert f"/issues/?measure=answered&amp;from=2025-01&amp;to=2025-12&amp;cadre={year.cadre.pk}" in html
    assert page.context["score"].score == page.context["assessment"].find(Subject.CADRE, year.cadre.pk).score
    assert 'id="weights"' in html  # the rules and the weights in force


def test_the_year_page_ranks_both_and_names_the_board(client, year, settings):
    settings.CAMPAIGN_ASSESSMENT_BOARD_SIZE = 1
    client.force_login(year.leader)
    page = client.get(url("year", 2025))
    cadres = [score.unit_id for score, _parts in page.context["cadre_rows"]]
    assert cadres == [year.other_cadre.pk, year.cadre.pk]
    boards = dict(page.context["boards"])
    board = boards["Cadres"] if "Cadres" in boards else next(iter(boards.values()))
    assert [s.unit_id for s in board.top] == [year.other_cadre.pk]
    assert [s.unit_id for s in board.bottom] == [year.cadre.pk]
    assert 2025 in page.context["years"]


def test_the_tables_sort_on_the_server(client, year):
    client.force_login(year.leader)
    page = client.get(url("year", 2025), {"sort": "-compliance"})
    assert [score.unit_id for score, _parts in page.context["cadre_rows"]] == [year.cadre.pk, year.other_cadre.pk]
    page = client.get(url("year", 2025), {"sort": "nonsense"})
    assert [score.unit_id for score, _parts in page.context["cadre_rows"]] == [year.other_cadre.pk, year.cadre.pk]


def test_the_xlsx_has_every_row_in_three_sheets(client, year):
    client.force_login(year.leader)
    response = client.get(url("year", 2025), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cadres, departments, board = book.worksheets
    rows = list(cadres.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, "李志强", 77.5), (2, "王建国", 73.25)]
    names = [r[1] for r in departments.iter_rows(min_row=2, values_only=True)]
    assert {"区行政审批服务局", "区住房和城乡建设局"} <= set(names)
    assert board.max_row > 1


def test_a_cadre_downloads_no_xlsx_of_others(client, cadre):
    client.force_login(cadre.user)
    response = client.get(url("year", THIS_YEAR), {"format": "xlsx"})
    assert response.status_code == 302


# -- queries that do not grow with the data ---------------------------------------------------------------------


def _grow(leader, n: int, start: int) -> None:
    """Add n cadres with a pairing, visits, a problem with a department's moves, an inspection and an item."""
    today = timezone.localdate()
    now = timezone.now()
    first = datetime.date(THIS_YEAR, 1, 1)
    for i in range(start, start + n):
        unit = factories.DepartmentFactory(name=f"区测试单位{i}")
        staff = factories.DepartmentStaffFactory(department=unit)
        pairing = factories.PairingFactory(started_on=first, cadre__unit=unit)
        factories.visit_logged(pairing, first)
        factories.visit_logged(pairing, today)
        issue = issue_report(
            actor=pairing.cadre.user,
            enterprise=pairing.enterprise,
            title="问题",
            category=factories.category("approvals"),
            route=AssignPayload(
                department=unit,
                responsible_person="经办人",
                deadline=today + datetime.timedelta(days=10),
                milestones=(("办结", today + datetime.timedelta(days=5)),),
            ),
        )
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.ACCEPT, version=issue.version, payload=AcceptPayload()
        )
        inspection = inspection_record(
            actor=leader,
            data=InspectionData(
                kind=Kind.CONCENTRATED,
                inspected_on=today,
                inspectors=[leader],
                target=Target.DEPARTMENT,
                department=unit,
                findings="发现问题",
                rating=Rating.AVERAGE,
            ),
            now=now,
        )
        item_raise(actor=leader, inspection=inspection, requirement="整改", deadline=today, department=unit, now=now)
        item_raise(
            actor=leader, inspection=inspection, requirement="整改", deadline=today, cadre=pairing.cadre, now=now
        )


def _counts(client, cadre, department, *, kept: bool = False) -> dict[str, int]:
    """Each page's queries counting its figures again (the kept ones cleared), or read again when `kept`."""
    found = {}
    for name, page in {
        "year": url("year", THIS_YEAR),
        "xlsx": url("year", THIS_YEAR) + "?format=xlsx",
        "cadre": url("cadre", THIS_YEAR, cadre.pk),
        "department": url("department", THIS_YEAR, department.pk),
        "compare": url("compare", THIS_YEAR),
    }.items():
        if kept:
            assert client.get(page).status_code == 200
        else:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
            if name == "xlsx":
                b"".join(response.streaming_content)
        assert response.status_code == 200, name
        found[name] = len(queries)
    return found


@pytest.mark.parametrize("frozen", [False, True])
def test_the_pages_run_the_same_queries_at_two_sizes(client, leader, cadre, department, frozen):
    _grow(leader, 2, 0)
    if frozen:
        year_freeze(actor=leader, year=THIS_YEAR)
    client.force_login(leader)
    _counts(client, cadre, department)  # the figures' version rows are made once per database (core/kept.py)
    small = _counts(client, cadre, department)
    _grow(leader, 5, 10)
    assert _counts(client, cadre, department) == small
    assert small["year"] <= 12, small  # five of them count the year (scores.live), two read the kept versions
    again = _counts(client, cadre, department, kept=True)
    assert all(again[name] <= small[name] for name in small), (again, small)
    # Counted live: the year page, the Excel file and the breakdowns read what is kept, in fewer queries; a
    # frozen year's pages read their snapshot as before, and the comparison's live side is kept.
    fewer = ["compare"] if frozen else ["year", "xlsx", "cadre", "department"]
    assert all(again[name] < small[name] for name in fewer), (again, small)
