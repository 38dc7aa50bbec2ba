"""The roll-ups (/oversight/rollups/<dimension>/): exact figures on a hand-built September, each count's link
listing that many problems, who may see them, sorting, the xlsx, and queries that do not grow with the data."""

import datetime
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from core.months import Month, month_label
from enterprises.models import Enterprise
from issues import measures
from oversight import tables
from oversight.scope import ScopeForm, visit_figures
from oversight.tables import ROLLUP_FIGURES
from tests import factories
from tests.oversight.lists import listed
from tests.oversight.tables_data import SEPTEMBER, build_problems, many_cadres, september_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

ZERO = dict.fromkeys(ROLLUP_FIGURES, 0)
# 王建国: P1 (extension, on time, satisfied), P2 (returned, then D2's: on track), P5 (on the spot), P7 (due soon),
# and P8 (reported in August, resolved on time in September).
WANG = {
    **ZERO,
    "reported": 4,
    "reported_by_cadre": 4,  # every problem here was a cadre's report, every rating a cadre's record
    "rated_by_cadre": 1,
    "on_the_spot": 1,
    "assigned": 3,
    "answered": 3,
    "resolved_on_time": 2,
    "satisfied": 1,
    "returned": 1,
    "extension_asked": 1,
    "extension_granted": 1,
    "due_soon": 1,
    "on_track": 1,
}
# 李志强: P3 (accepted late, resolved late, reopened dissatisfied), P4 (never accepted: overdue), P6 (escalated).
LI = {
    **ZERO,
    "reported": 3,
    "reported_by_cadre": 3,
    "rated_by_cadre": 1,
    "assigned": 2,
    "escalated": 1,
    "answered": 1,
    "resolved_late": 1,
    "overdue": 1,
    "dissatisfied": 1,
}
TOTAL = {key: WANG[key] + LI[key] for key in ROLLUP_FIGURES}


def url(dimension: str, **params) -> str:
    return reverse("oversight:rollup", args=[dimension]), {"from": SEPTEMBER, **params}


def get(client, dimension: str, **params):
    path, query = url(dimension, **params)
    return client.get(path, query)


def rows_of(response) -> dict[str, tables.Row]:
    return {shown.row.name: shown.row for shown in response.context["rows"]}


# -- the figures ------------------------------------------------------------------------------------------------


def test_each_cadres_row_counts_their_problems_and_visits(client, leader, september):
    client.force_login(leader)
    rows = rows_of(get(client, "cadre"))
    assert set(rows) == {"王建国（副局长）", "李志强（副局长）"}
    wang, li = rows["王建国（副局长）"], rows["李志强（副局长）"]
    assert dict(wang.figures) == WANG and dict(li.figures) == LI
    assert (wang.rates.response, wang.rates.on_time, wang.rates.satisfaction) == (75.0, 100.0, 100.0)
    assert (li.rates.response, li.rates.on_time, li.rates.satisfaction) == (33.3, 0.0, 0.0)
    # Two visits in September (the August one is not the period's): the rule met; 李志强's one: missed.
    assert (wang.visits.pairings, wang.visits.visits, wang.visits.judged, wang.visits.compliant) == (1, 2, 1, 1)
    assert (li.visits.pairings, li.visits.visits, li.visits.judged, li.visits.compliant) == (1, 1, 1, 0)
    assert (wang.value("compliance_rate"), li.value("compliance_rate")) == (100.0, 0.0)


def test_streets_and_sectors_group_the_same_problems_by_the_enterprise(client, leader, september):
    client.force_login(leader)
    streets = rows_of(get(client, "street"))
    assert list(streets) == ["洪庆街道", "纺织城街道"]
    assert dict(streets["纺织城街道"].figures) == WANG and dict(streets["洪庆街道"].figures) == LI
    assert streets["纺织城街道"].visits.visits == 2
    sectors = rows_of(get(client, "sector"))
    assert list(sectors) == ["工业"]  # both enterprises are industry; a sector with nothing is not listed
    assert dict(sectors["工业"].figures) == TOTAL
    assert (sectors["工业"].visits.judged, sectors["工业"].visits.compliant, sectors["工业"].visits.visits) == (2, 1, 3)


def test_each_departments_row_counts_its_moves_and_the_problems_with_it_at_the_months_end(client, leader, september):
    client.force_login(leader)
    rows = rows_of(get(client, "department"))
    d1, d2 = rows[september.d1.name], rows[september.d2.name]
    # D1: P1, P4 and P7 with it at the end (P2 returned, P3 never its); P8 (August's) resolved on time.
    assert dict(d1.figures) == {
        **ZERO,
        "reported": 3,
        "reported_by_cadre": 3,
        "rated_by_cadre": 1,
        "assigned": 3,
        "answered": 1,
        "resolved_on_time": 2,
        "overdue": 1,
        "satisfied": 1,
        "returned": 1,
        "extension_asked": 1,
        "extension_granted": 1,
        "due_soon": 1,
    }
    # D2: P2 (reassigned to it, on track); P3's late reply and its dissatisfied rating (P3 is with no one now).
    assert dict(d2.figures) == {
        **ZERO,
        "reported": 1,
        "reported_by_cadre": 1,
        "rated_by_cadre": 1,
        "assigned": 1,
        "answered": 1,
        "resolved_late": 1,
        "dissatisfied": 1,
        "on_track": 1,
    }
    assert dict(rows[september.idle.name].figures) == ZERO  # active, with nothing: listed
    assert september.gone.name not in rows  # inactive, with nothing: not
    assert rows[september.d1.name].visits is None


def test_the_totals_row_is_the_periods_own_figures_each_problem_once(client, leader, september):
    client.force_login(leader)
    for dimension in tables.DIMENSIONS:
        total = get(client, dimension).context["total"].row
        assert dict(total.figures) == TOTAL, dimension
        assert (total.rates.response, total.rates.on_time, total.rates.satisfaction) == (57.1, 50.0, 50.0)
    scope = ScopeForm({"from": SEPTEMBER}).scope()
    assert tables.rollup_total(leader, scope, "cadre").visits == visit_figures(leader, scope)


@pytest.mark.parametrize("dimension", ["cadre", "street", "sector"])
def test_the_rows_service_work_adds_up_to_the_scopes_own(leader, september, dimension):
    """Pairings in force, visits, cadre-months judged and met: each belongs to one row, so the rows add up to what
    `visit_figures` counts for the scope, with a filter or without, the period over or running."""
    extra = factories.PairingFactory(started_on=datetime.date(2026, 1, 1))
    for day in (3, 4, 5):  # a pairing with several visits: counted once each, its pairing once
        factories.VisitFactory(pairing=extra, visited_on=datetime.date(2026, 9, day))
    factories.VisitFactory(pairing=extra, visited_on=timezone.localdate())
    street = Enterprise.objects.exclude(street="").values_list("street", flat=True).first()
    for params in ({"from": SEPTEMBER}, {"from": SEPTEMBER, "street": street}, {}):
        scope = ScopeForm(params).scope()
        whole = visit_figures(leader, scope)
        assert whole.visits, params
        rollup = tables.rollup_table(leader, scope, dimension)
        added = [sum(row.visits.pairings for row in rollup.rows()), sum(row.visits.visits for row in rollup.rows())]
        added += [sum(row.visits.judged for row in rollup.rows()), sum(row.visits.compliant for row in rollup.rows())]
        assert added == [whole.pairings, whole.visits, whole.judged, whole.compliant], params


def test_a_cadres_streets_or_sectors_total_is_what_the_measures_count_for_the_scope(
    leader, staff, other_staff, september
):
    """Each problem has one reporter and one enterprise: the groups' figures add up to the scope's own counts."""
    build_problems(12, [staff, other_staff], many_cadres(5), leader)
    for params in ({"from": SEPTEMBER}, {"from": SEPTEMBER, "department": str(staff.department.pk)}):
        scope = ScopeForm(params).scope()
        counted = measures.counts(scope.filters.issues(leader), scope.window(), ROLLUP_FIGURES, unit=scope.filters.unit)
        assert any(counted.values())
        for dimension in ("cadre", "street", "sector"):
            assert dict(tables.rollup_total(leader, scope, dimension).figures) == counted, (dimension, params)


def test_the_functions_the_monthly_report_calls_give_the_pages_rows(leader, september):
    scope = ScopeForm({"from": SEPTEMBER}).scope()
    rows = tables.rollup(leader, scope, "street")
    assert [(row.key, dict(row.figures)) for row in rows] == [("洪庆街道", LI), ("纺织城街道", WANG)]
    with pytest.raises(ValueError):
        tables.rollup(leader, scope, "category")


def test_a_department_filter_gives_each_cadre_that_departments_figures(client, leader, september):
    client.force_login(leader)
    rows = rows_of(get(client, "cadre", department=september.d2.pk))
    wang, li = rows["王建国（副局长）"], rows["李志强（副局长）"]
    assert (wang.figures["reported"], wang.figures["on_track"], wang.figures["returned"]) == (1, 1, 0)
    assert (li.figures["resolved_late"], li.figures["dissatisfied"], li.figures["overdue"]) == (1, 1, 0)
    for row in (wang, li):
        for key, href in row.links.items():
            assert parse_qs(urlsplit(href).query)["unit"] == [str(september.d2.pk)]
            assert listed(client, href) == row.figures[key], (row.name, key)


# -- the links ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dimension", tables.DIMENSIONS)
def test_every_count_links_to_a_ledger_listing_exactly_that_many_problems(client, leader, september, dimension):
    client.force_login(leader)
    response = get(client, dimension)
    checked = 0
    for shown in [*response.context["rows"], response.context["total"]]:
        row = shown.row
        assert set(row.links) == {key for key, n in row.figures.items() if n}, row.name
        for key, href in row.links.items():
            assert listed(client, href) == row.figures[key], (row.name, key)
            checked += 1
    assert checked >= 20
    body = response.content.decode()
    some = next(shown.row for shown in response.context["rows"] if shown.row.links)
    assert next(iter(some.links.values())).replace("&", "&amp;") in body


def test_a_cadres_link_lists_only_the_problems_that_cadre_reported(client, leader, september, cadre):
    client.force_login(leader)
    wang = rows_of(get(client, "cadre"))["王建国（副局长）"]
    href = wang.links["reported"]
    assert parse_qs(urlsplit(href).query)["cadre"] == [str(cadre.pk)]
    listed = client.get(href).context["page"].object_list
    assert sorted(issue.title for issue in listed) == ["P1", "P2", "P5", "P7"]


def test_a_row_for_enterprises_with_no_street_has_no_links_rather_than_wrong_ones(
    client, leader, september, enterprise
):
    enterprise.street = ""
    enterprise.save()
    client.force_login(leader)
    rows = [shown.row for shown in get(client, "street").context["rows"]]
    assert [row.key for row in rows] == ["洪庆街道", ""]  # the blank one last
    assert dict(rows[1].figures) == WANG and rows[1].links == {} and rows[1].visits.visits == 2


# -- who may see them -------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = get(client, "cadre")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["cadre", "staff", "nobody"])
def test_cadres_department_staff_and_others_are_refused(client, everyone, persona):
    client.force_login(everyone[persona])
    for dimension in tables.DIMENSIONS:
        assert get(client, dimension).status_code == 403
        assert get(client, dimension, format="xlsx").status_code == 403


@pytest.mark.parametrize("persona", ["leader", "office", "superuser"])
def test_the_leading_group_and_the_campaign_office_see_every_dimension(client, everyone, persona):
    client.force_login(everyone[persona])
    for dimension in tables.DIMENSIONS:
        assert get(client, dimension).status_code == 200


def test_an_unknown_dimension_is_not_found(client, leader):
    client.force_login(leader)
    assert get(client, "category").status_code == 404
    assert get(client, "Department").status_code == 404


def test_the_roll_up_refuses_post(client, leader):
    client.force_login(leader)
    assert client.post(reverse("oversight:rollup", args=["cadre"])).status_code == 405


def test_the_page_links_the_four_dimensions_and_the_department_table_keeping_the_period(client, leader, september):
    client.force_login(leader)
    body = get(client, "street").content.decode()
    for dimension in tables.DIMENSIONS:
        assert f'href="{reverse("oversight:rollup", args=[dimension])}?from={SEPTEMBER}&amp;to={SEPTEMBER}"' in body
    assert f'href="{reverse("oversight:departments")}?from={SEPTEMBER}&amp;to={SEPTEMBER}"' in body
    assert 'aria-current="page" href="/oversight/rollups/street/' in body


def test_each_column_says_what_it_counts(client, leader, september):
    client.force_login(leader)
    response = get(client, "cadre")
    body = response.content.decode()
    for column in response.context["columns"]:
        assert f'title="{column.definition}"' in body.replace("&#x27;", "'")
    assert 'scope="col"' in body and "table-responsive" in body


# -- sorting --------------------------------------------------------------------------------------------------------


def test_rows_sort_by_any_column_either_way_and_the_heading_says_so(client, leader, september):
    client.force_login(leader)
    names = lambda response: [shown.row.name for shown in response.context["rows"]]  # noqa: E731
    assert names(get(client, "cadre", sort="-overdue")) == ["李志强（副局长）", "王建国（副局长）"]
    assert names(get(client, "cadre", sort="overdue")) == ["王建国（副局长）", "李志强（副局长）"]
    assert names(get(client, "cadre", sort="-reported")) == ["王建国（副局长）", "李志强（副局长）"]
    assert names(get(client, "cadre", sort="-compliance_rate")) == ["王建国（副局长）", "李志强（副局长）"]
    body = get(client, "cadre", sort="-overdue").content.decode()
    assert body.count("aria-sort=") == 1 and 'aria-sort="descending"' in body
    # The sorted column's heading links to the other direction; the others to their largest first.
    assert "sort=overdue" in body and "sort=-reported" in body


def test_ties_keep_the_natural_order_and_empty_rates_go_last(client, leader, september):
    client.force_login(leader)
    natural = [shown.row.name for shown in get(client, "department").context["rows"]]
    for sort in ("-extension_asked", "extension_asked"):
        rows = [shown.row for shown in get(client, "department", sort=sort).context["rows"]]
        zeros = [row.name for row in rows if row.figures["extension_asked"] == 0]
        assert zeros == [name for name in natural if name in zeros]
    for sort in ("-response_rate", "response_rate"):
        rows = [shown.row for shown in get(client, "department", sort=sort).context["rows"]]
        rates = [row.rates.response for row in rows]
        assert rates[:2] in ([100.0, 33.3], [33.3, 100.0]) and set(rates[2:]) == {None}


@pytest.mark.parametrize("sort", ["bogus", "-", "--overdue", "name;drop", "visits", "-1", "pk"])
def test_an_unknown_sort_gives_the_natural_order(client, leader, september, sort):
    client.force_login(leader)
    response = get(client, "department", sort=sort)
    assert response.status_code == 200 and not response.context["sort"].key


# -- the xlsx -------------------------------------------------------------------------------------------------------


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


@pytest.mark.parametrize("dimension", tables.DIMENSIONS)
def test_the_xlsx_has_the_pages_rows_and_columns_in_its_order(client, leader, september, dimension):
    client.force_login(leader)
    page = get(client, dimension, sort="-reported")
    sheet = sheet_of(get(client, dimension, sort="-reported", format="xlsx"))
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    columns = page.context["columns"]
    assert values[0] == [str(tables.NAME_HEADINGS[dimension]), *(str(c.label) for c in columns)]
    shown = [*page.context["rows"], page.context["total"]]
    assert [row[0] for row in values[1:]] == [s.row.name for s in shown]
    for row, s in zip(values[1:], shown, strict=True):
        expected = [s.row.value(c.key) for c in columns]
        assert [None if v == "" else v for v in row[1:]] == expected


def test_the_xlsx_is_headed_in_the_readers_language(client, leader, september):
    client.force_login(leader)
    sheet = sheet_of(get(client, "cadre", format="xlsx"))
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    with translation.override("zh-hans"):
        assert sheet.title == str(tables.DIMENSION_LABELS["cadre"])
        assert headers == [str(tables.NAME_HEADINGS["cadre"]), *(str(c.label) for c in tables.rollup_columns("cadre"))]
    assert headers[0] == "助企干部"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = get(client, "cadre", format="xlsx")
    assert "rollup-Cadre-2026-09.xlsx" in response["Content-Disposition"]
    sheet = sheet_of(response)
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert sheet.title == "By cadre" and headers[:3] == ["Cadre", "Problems reported", "Solved on the spot"]
    assert headers[-1] == "Two-visit rule compliance"


# -- what the request may hold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"format": "pdf"},
        {"format": ""},
        {"from": "2026-13"},
        {"from": "abc", "to": "9999-99"},
        {"from": "2026-11", "to": "2026-01"},
        {"department": "abc"},
        {"department": "99999999999999999999"},
        {"category": "-1"},
        {"street": "<script>"},
        {"sort": "\x00"},
    ],
)
def test_odd_parameters_never_break_the_page(client, leader, september, params):
    client.force_login(leader)
    for dimension in tables.DIMENSIONS:
        response = client.get(reverse("oversight:rollup", args=[dimension]), params)
        assert response.status_code == 200, (dimension, params)


def test_with_no_period_asked_the_page_shows_this_months_and_folds_the_other_filters(client, leader):
    client.force_login(leader)
    response = client.get(reverse("oversight:rollup", args=["street"]))
    this_month = month_label(Month.of(timezone.localdate()))
    assert str(response.context["scope"].period) == this_month
    body = response.content.decode()
    assert f'name="start" value="{this_month}"' in body and "<details class" in body
    chosen = client.get(reverse("oversight:rollup", args=["street"]), {"sector": "industry"}).content.decode()
    assert "<details open" in chosen


def test_an_unreadable_period_falls_back_to_this_month_and_says_why(client, leader):
    client.force_login(leader)
    response = client.get(reverse("oversight:rollup", args=["cadre"]), {"from": "2026-13"})
    assert response.context["form"].errors["start"]
    assert response.context["scope"].period.first == response.context["scope"].period.last


# -- queries ---------------------------------------------------------------------------------------------------------


def _queries(client, path, params) -> int:
    def run():
        response = client.get(path, params)
        assert response.status_code == 200
        if params.get("format") == "xlsx":
            b"".join(response.streaming_content)

    run()  # warm-up: the session, content types
    with CaptureQueriesContext(connection) as ctx:
        run()
    return len(ctx)


@pytest.mark.parametrize("dimension", tables.DIMENSIONS)
@pytest.mark.parametrize("export", [False, True])
def test_the_queries_do_not_grow_with_the_data(client, leader, staff, other_staff, dimension, export):
    client.force_login(leader)
    departments = [staff, other_staff]
    cadres = many_cadres(3)
    build_problems(3, departments, cadres, leader)
    path, params = url(dimension, sort="-reported", **({"format": "xlsx"} if export else {}))
    small = _queries(client, path, params)
    more_staff = [factories.DepartmentStaffFactory() for _ in range(3)]
    build_problems(40, departments + more_staff, cadres + many_cadres(9), leader)
    assert _queries(client, path, params) == small


def test_a_long_rollup_is_paged_in_the_order_asked_and_the_xlsx_has_every_row(client, leader, settings):
    """A city's 13,900 cadres would be 14 MB of HTML: the page shows ROLLUP_PAGE_SIZE rows, the file all of them."""
    import io

    import openpyxl

    from oversight import rollups
    from tests import factories

    for i in range(7):
        factories.PairingFactory(
            cadre=factories.CadreFactory(name=f"翻页干部{i}"), enterprise=factories.EnterpriseFactory()
        )
    client.force_login(leader)
    original, rollups.ROLLUP_PAGE_SIZE = rollups.ROLLUP_PAGE_SIZE, 3
    try:
        first = client.get("/oversight/rollups/cadre/", {"sort": "name"})
        second = client.get("/oversight/rollups/cadre/", {"sort": "name", "page": "2"})
        book = client.get("/oversight/rollups/cadre/", {"sort": "name", "format": "xlsx"})
    finally:
        rollups.ROLLUP_PAGE_SIZE = original
    names = [shown.row.name for shown in first.context["rows"]] + [shown.row.name for shown in second.context["rows"]]
    assert len(first.context["rows"]) == 3 and first.context["page"].paginator.count == 7
    assert names == sorted(names)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(book.streaming_content))).active
    rows = [row[0] for row in sheet.iter_rows(values_only=True) if row[0] and str(row[0]).startswith("翻页干部")]
    assert len(rows) == 7
    assert "page=2" in first.content.decode()
