"""The roll-ups' and the department table's sorted pages, each kept on its own (oversight/tables.py `rollup_page`,
`department_page`): a kept page is the freshly sorted table's page, read in fewer queries, and a change made
through the services (a move, a department renamed) shows on the next read.

On the hand-built September of tests/oversight/tables_data.py, with more cadres and problems and small pages.
"""

import pickle
from collections.abc import Sequence

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.sorting import Sort
from issues.models import Action
from issues.payloads import AcceptPayload, ResolvePayload
from oversight import rollups, tables
from oversight.scope import ScopeForm
from tests.oversight.tables_data import (  # noqa: F401
    SEPTEMBER,
    _move,
    at,
    build_problems,
    many_cadres,
    september_fixture,
)

pytestmark = pytest.mark.django_db

ROLLUP_SIZE, DEPARTMENT_SIZE = 4, 2
DEPARTMENTS = reverse("oversight:departments")


@pytest.fixture
def busy(client, leader, staff, other_staff, september, monkeypatch):
    """September with eight more cadres and twenty more problems, shown in pages of four (departments: two)."""
    build_problems(20, [staff, other_staff], many_cadres(8), leader)
    monkeypatch.setattr(rollups, "ROLLUP_PAGE_SIZE", ROLLUP_SIZE)
    monkeypatch.setattr(rollups, "DEPARTMENT_PAGE_SIZE", DEPARTMENT_SIZE)
    client.force_login(leader)
    cache.clear()
    yield september
    cache.clear()


def read(client, path: str, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"from": SEPTEMBER, **params})
    assert response.status_code == 200, (path, params)
    return response, len(queries)


def shown(rows) -> list[tuple]:
    """Rows as a page shows them: name, every column's value and every count's link."""
    return [(row.name, [row.value(c.key) for c in COLUMNS[type(row)]], dict(row.links)) for row in rows]


COLUMNS = {tables.RollupRow: tables.rollup_columns("cadre"), tables.DepartmentRow: tables.DEPARTMENT_COLUMNS}


def page_of(response) -> tuple:
    page = response.context["page"]
    rows = [line.row for line in response.context["rows"]]
    return shown(rows), shown([response.context["total"].row]), page.number, page.paginator.count


def fresh(leader, dimension: str | None, sort: str, page: int | str, settings) -> tuple:
    """The table counted afresh (nothing kept), sorted whole and paged, as the pages were before they were kept."""
    settings.KEPT_SECONDS = 0
    try:
        scope = ScopeForm({"from": SEPTEMBER}).scope()
        rows: Sequence[tables.Row]
        total: tables.Row
        if dimension is None:
            rows, total = tables.department_table(leader, scope), tables.department_total(leader, scope)
            size, keys = DEPARTMENT_SIZE, [c.key for c in tables.DEPARTMENT_COLUMNS]
        else:
            table = tables.rollup_table(leader, scope, dimension)
            rows, total = table.rows(), table.total
            size, keys = ROLLUP_SIZE, [c.key for c in tables.rollup_columns(dimension)]
        found = Paginator(tables.sort_rows(rows, Sort.read(sort, keys)), size).get_page(page)
    finally:
        settings.KEPT_SECONDS = 3600
    return shown(found.object_list), shown([total]), found.number, found.paginator.count


def path_of(dimension: str | None) -> str:
    return DEPARTMENTS if dimension is None else reverse("oversight:rollup", args=[dimension])


# The page number is `number`, never `page`: a test asking for an argument named `page` is given pytest-playwright's
# browser page (and a browser), and pytest would run the browser tests among these.
SORTS = [("", 1), ("-reported", 2), ("name", 1), ("-compliance_rate", 3), ("-on_time_rate", 1), ("sector", 9)]


def kept_as_counted(client, leader, settings, path: str, dimension: str | None, sort: str, number) -> None:
    """The page read twice (counted, then kept) is the freshly sorted table's page, and the kept read costs less."""
    settings.KEPT_SECONDS = 3600
    first, counting = read(client, path, sort=sort, page=number)
    again, reading = read(client, path, sort=sort, page=number)
    expected = fresh(leader, dimension, sort, number, settings)
    assert page_of(first) == expected and page_of(again) == expected
    assert expected[0], "the page has rows"
    assert reading < counting


@pytest.mark.parametrize("dimension", tables.DIMENSIONS)
@pytest.mark.parametrize(("sort", "number"), SORTS)
def test_a_kept_roll_up_page_is_the_freshly_sorted_tables_page(client, leader, busy, settings, dimension, sort, number):
    kept_as_counted(client, leader, settings, path_of(dimension), dimension, sort, number)


@pytest.mark.parametrize(("sort", "number"), [("", 1), ("-assigned_to_unit", 1), ("-resolve_days", 2), ("name", 2)])
def test_a_kept_department_table_page_is_the_freshly_sorted_tables_page(client, leader, busy, settings, sort, number):
    kept_as_counted(client, leader, settings, DEPARTMENTS, None, sort, number)


@pytest.mark.parametrize("number", ["99", "0", "-3", "abc", ""])
def test_a_page_past_the_end_or_unreadable_is_kept_as_the_paginator_reads_it(client, leader, busy, settings, number):
    """Past the end or below 1: the last page; not a number: the first (Django's `get_page`), kept or not."""
    settings.KEPT_SECONDS = 3600
    path = path_of("cadre")
    last = read(client, path)[0].context["page"].paginator.num_pages
    for _ in range(2):
        response = read(client, path, sort="-reported", page=number)[0]
        assert page_of(response) == fresh(leader, "cadre", "-reported", number, settings)
        assert response.context["page"].number == (1 if number in ("abc", "") else last)
    assert last > 1


@pytest.mark.parametrize("dimension", ["cadre", "department", None])
def test_a_problem_resolved_through_the_service_shows_on_the_next_read(
    client, leader, staff, busy, settings, dimension
):
    """P4 (李志强's, with D1, never accepted: overdue) is accepted and resolved late: the page sorted by what was
    resolved late, read kept before, shows it at once, as the table counted afresh does."""
    settings.KEPT_SECONDS = 3600
    path, sort = path_of(dimension), "-resolved_late"
    before = read(client, path, sort=sort)[0]
    read(client, path, sort=sort)  # kept
    p4 = busy.problems["P4"]
    _move(p4, staff.user, Action.ACCEPT, AcceptPayload(), at(9, 22))
    _move(p4, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(9, 25))
    after, _queries = read(client, path, sort=sort)
    assert page_of(after) == fresh(leader, dimension, sort, 1, settings) != page_of(before)
    late = [c.key for c in COLUMNS[tables.DepartmentRow if dimension is None else tables.RollupRow]].index(
        "resolved_late"
    )
    assert page_of(after)[1][0][1][late] == page_of(before)[1][0][1][late] + 1  # the totals row: one more late


@pytest.mark.parametrize("dimension", ["department", None])
def test_a_department_renamed_shows_and_sorts_by_its_new_name_on_the_next_read(
    client, leader, busy, settings, dimension
):
    """The department pages keep the departments' names (and sort by them): a rename shows at once."""
    settings.KEPT_SECONDS = 3600
    path = path_of(dimension)
    read(client, path, sort="name")
    read(client, path, sort="name")  # kept
    busy.d2.name = "一号新名局"  # sorts first
    busy.d2.save()
    after = read(client, path, sort="name")[0]
    assert after.context["rows"][0].row.name == "一号新名局"
    assert page_of(after) == fresh(leader, dimension, "name", 1, settings)


def test_each_language_reads_its_own_kept_page(client, leader, busy, settings):
    """The kept page holds the names as shown (a sector's label, the totals row): each language keeps its own."""
    settings.KEPT_SECONDS = 3600
    path = path_of("sector")
    chinese = read(client, path, sort="name")[0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = read(client, path, sort="name")[0]
    names = [line.row.name for line in english.context["rows"]]
    assert english.context["total"].row.name == "Total" and chinese.context["total"].row.name == "合计"
    assert "Industry" in names and names == sorted(names)
    assert [line.row.name for line in chinese.context["rows"]] != names


def test_what_a_page_keeps_is_plain_data(leader, busy):
    """No lazy translation, model or HTML in a kept page: its links are plain strings, made when it was counted."""
    scope = ScopeForm({"from": SEPTEMBER}).scope()
    table = tables.rollup_table(leader, scope, "cadre")
    cadres = table.page(Sort("reported", True), 1, ROLLUP_SIZE)
    departments = tables.count_department_page(leader, scope, Sort("overdue", True), 1, DEPARTMENT_SIZE)
    text = pickle.dumps([cadres, departments])
    assert b"django" not in text and b"_Links" not in text
    assert cadres.count == len(table) and len(cadres.rows) == ROLLUP_SIZE and len(departments.rows) == DEPARTMENT_SIZE
    for row in [*cadres.rows, cadres.total, *departments.rows, departments.total]:
        assert type(row.name) is str and type(row.links) is dict
        assert all(type(link) is str for link in row.links.values())
    assert cadres.total.links and departments.total.links
