"""The department performance table (/oversight/departments/): exact figures on a hand-built September, each
count's link listing that many problems, who may see it, sorting, the xlsx, and queries that do not grow."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from oversight import tables
from oversight.scope import ScopeForm
from oversight.tables import DEPARTMENT_COLUMNS, DEPARTMENT_FIGURES
from tests import factories
from tests.oversight.lists import listed
from tests.oversight.tables_data import SEPTEMBER, build_problems, many_cadres, september_fixture  # noqa: F401
from tests.oversight.test_rollups import _queries

pytestmark = pytest.mark.django_db
PAGE = reverse("oversight:departments")
ZERO = dict.fromkeys(DEPARTMENT_FIGURES, 0)
# D1: assigned P1, P2, P4, P7 in September; accepted P1 the next day (P4, P7 never, P2 returned first); P1 (after
# its extension) and August's P8 resolved on time; P4 overdue at the month's end; P2 returned.
D1 = {
    **ZERO,
    "assigned_to_unit": 4,
    "accepted_in_time": 1,
    "resolved_on_time": 2,
    "overdue": 1,
    "returned": 1,
    "extension_asked": 1,
    "extension_granted": 1,
}
# D2: given P2 after D1 returned it (accepted the next day) and P3 (accepted after three days: late); P3 resolved
# late and rated dissatisfied.
D2 = {**ZERO, "assigned_to_unit": 2, "accepted_in_time": 1, "resolved_late": 1, "dissatisfied": 1}


def get(client, **params):
    return client.get(PAGE, {"from": SEPTEMBER, **params})


def rows_of(response) -> dict[str, tables.DepartmentRow]:
    return {shown.row.name: shown.row for shown in response.context["rows"]}


def test_each_department_shows_its_months_work(client, leader, september):
    client.force_login(leader)
    rows = rows_of(get(client))
    d1, d2 = rows[september.d1.name], rows[september.d2.name]
    assert dict(d1.figures) == D1 and dict(d2.figures) == D2
    # From assignment to reply: P1 14 days, P8 16 (assigned on 20 Aug, resolved on 5 Sep); P3 12.
    assert (d1.resolve_days, d2.resolve_days) == (15.0, 12.0)
    assert (d1.on_time_rate, d2.on_time_rate) == (66.7, 0.0)  # 2 of 2 + 0 + 1 overdue; 0 of 0 + 1 late


def test_a_returned_then_reassigned_problem_counts_for_both_departments_and_once_in_the_total(
    client, leader, september
):
    client.force_login(leader)
    response = get(client)
    rows = rows_of(response)
    p2 = september.problems["P2"].title
    for department, key in ((september.d1, "returned"), (september.d1, "assigned_to_unit")):
        assert p2 in {i.title for i in client.get(rows[department.name].links[key]).context["page"].object_list}
    assert p2 in {i.title for i in client.get(rows[september.d2.name].links["assigned_to_unit"]).context["page"]}
    assert "returned" not in rows[september.d2.name].links
    total = response.context["total"].row
    assert dict(total.figures) == {
        "assigned_to_unit": 5,  # P1, P2, P3, P4, P7: P2 once
        "accepted_in_time": 2,
        "resolved_on_time": 2,
        "resolved_late": 1,
        "overdue": 1,
        "returned": 1,
        "extension_asked": 1,
        "extension_granted": 1,
        "dissatisfied": 1,
    }
    assert total.on_time_rate == 50.0 and total.resolve_days is None


def test_every_active_department_is_listed_and_an_inactive_one_only_with_figures(client, leader, september):
    client.force_login(leader)
    rows = rows_of(get(client))
    assert dict(rows[september.idle.name].figures) == ZERO
    assert rows[september.idle.name].resolve_days is None and rows[september.idle.name].on_time_rate is None
    assert september.gone.name not in rows
    # D2 closed down after the month: its September is still shown.
    september.d2.is_active = False
    september.d2.save()
    rows = rows_of(get(client))
    assert dict(rows[september.d2.name].figures) == D2 and not rows[september.d2.name].is_active


def test_the_expected_time_to_accept_is_the_setting_and_the_heading_says_it(client, leader, september, settings):
    client.force_login(leader)
    assert "2" in str(DEPARTMENT_COLUMNS[1].label)
    settings.CAMPAIGN_ACCEPT_DAYS = 3
    response = get(client)
    assert rows_of(response)[september.d2.name].figures["accepted_in_time"] == 2  # P3's three days now in time
    assert "3" in str(DEPARTMENT_COLUMNS[1].label) and str(DEPARTMENT_COLUMNS[1].label) in response.content.decode()


def test_a_chosen_department_shows_its_row_alone(client, leader, september):
    client.force_login(leader)
    response = get(client, department=september.d2.pk)
    assert list(rows_of(response)) == [september.d2.name]
    assert dict(response.context["total"].row.figures) == D2


def test_every_count_links_to_a_ledger_listing_exactly_that_many_problems(client, leader, september):
    client.force_login(leader)
    response = get(client)
    checked = 0
    for shown in [*response.context["rows"], response.context["total"]]:
        row = shown.row
        assert set(row.links) == {key for key, n in row.figures.items() if n}
        for key, href in row.links.items():
            assert listed(client, href) == row.figures[key], (row.name, key)
            checked += 1
    assert checked == 7 + 4 + 9  # D1, D2, the totals


def test_the_function_the_monthly_report_calls_gives_the_pages_rows(leader, september):
    scope = ScopeForm({"from": SEPTEMBER}).scope()
    rows = {row.department_id: row for row in tables.department_table(leader, scope)}
    assert dict(rows[september.d1.pk].figures) == D1 and rows[september.d2.pk].resolve_days == 12.0
    assert tables.department_total(leader, scope).figures["assigned_to_unit"] == 5


# -- who may see it -------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = get(client)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["cadre", "staff", "nobody"])
def test_cadres_department_staff_and_others_are_refused(client, everyone, persona):
    client.force_login(everyone[persona])
    assert get(client).status_code == 403
    assert get(client, format="xlsx").status_code == 403


@pytest.mark.parametrize("persona", ["leader", "office", "superuser"])
def test_the_leading_group_and_the_campaign_office_see_it(client, everyone, persona):
    client.force_login(everyone[persona])
    assert get(client).status_code == 200


def test_the_table_refuses_post(client, leader):
    client.force_login(leader)
    assert client.post(PAGE).status_code == 405


# -- sorting and the page ---------------------------------------------------------------------------------------------


def test_the_most_overdue_department_comes_first_and_days_to_resolve_sort_with_the_empty_last(
    client, leader, september
):
    client.force_login(leader)
    names = lambda response: [shown.row.name for shown in response.context["rows"]]  # noqa: E731
    assert names(get(client, sort="-overdue"))[0] == september.d1.name
    by_days = names(get(client, sort="resolve_days"))
    assert by_days[:2] == [september.d2.name, september.d1.name]  # 12.0, then 15.0; then those with none
    assert names(get(client, sort="-resolve_days"))[:2] == [september.d1.name, september.d2.name]
    assert names(get(client, sort="-name"))[-1] == min(names(get(client)))
    body = get(client, sort="-overdue").content.decode()
    assert 'aria-sort="descending"' in body and body.count("aria-sort=") == 1


def test_the_page_names_each_column_and_links_the_roll_ups(client, leader, september):
    client.force_login(leader)
    response = get(client)
    body = response.content.decode()
    assert body.count('scope="col"') == len(DEPARTMENT_COLUMNS) + 1
    assert 'class="text-end"' in body and "table-responsive" in body
    for column in DEPARTMENT_COLUMNS:
        assert str(column.definition).replace("'", "&#x27;") in body
    assert f'href="{reverse("oversight:rollup", args=["department"])}?from={SEPTEMBER}&amp;to={SEPTEMBER}"' in body
    assert 'aria-current="page" href="/oversight/departments/' in body


# -- the xlsx ------------------------------------------------------------------------------------------------------


def test_the_xlsx_has_the_pages_rows_and_columns(client, leader, september):
    client.force_login(leader)
    page = get(client, sort="-assigned_to_unit")
    response = get(client, sort="-assigned_to_unit", format="xlsx")
    assert response.status_code == 200 and "2026-09.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    with translation.override("zh-hans"):
        assert values[0] == [str(tables.NAME_HEADINGS["department"]), *(str(c.label) for c in DEPARTMENT_COLUMNS)]
    shown = [*page.context["rows"], page.context["total"]]
    assert [row[0] for row in values[1:]] == [s.row.name for s in shown]
    for row, s in zip(values[1:], shown, strict=True):
        assert [None if v == "" else v for v in row[1:]] == [s.row.value(c.key) for c in DEPARTMENT_COLUMNS]
    d1 = next(row for row in values if row[0] == september.d1.name)
    assert d1[1:] == [4, 1, 2, 0, 1, 1, 1, 1, 0, 15.0, 66.7]


def test_an_english_reader_gets_the_xlsx_headed_in_english(client, leader, september, settings):
    client.force_login(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = get(client, format="xlsx")
    assert "department-performance-2026-09.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert sheet.title == "Department performance"
    assert headers[:3] == ["Department", "Assigned in the period", "Accepted in time (within 2 day(s))"]
    assert headers[-2:] == ["Average days to resolve", "On-time rate"]


@pytest.mark.parametrize(
    "params",
    [
        {"format": "docx"},
        {"from": "2026-00"},
        {"from": "x", "to": "y"},
        {"to": "1999-12"},
        {"department": "0"},
        {"sort": "-"},
        {"sort": "resolve_days;"},
        {"origin": "mars"},
    ],
)
def test_odd_parameters_never_break_the_table(client, leader, september, params):
    client.force_login(leader)
    assert client.get(PAGE, params).status_code == 200


# -- queries ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("export", [False, True])
def test_the_queries_do_not_grow_with_the_data(client, leader, staff, other_staff, export):
    client.force_login(leader)
    cadres = many_cadres(3)
    build_problems(3, [staff, other_staff], cadres, leader)
    params = {"from": SEPTEMBER, "sort": "-overdue", **({"format": "xlsx"} if export else {})}
    small = _queries(client, PAGE, params)
    more_staff = [factories.DepartmentStaffFactory() for _ in range(4)]
    build_problems(40, [staff, other_staff, *more_staff], cadres + many_cadres(6), leader)
    assert _queries(client, PAGE, params) == small


def test_each_cell_prints_its_kind_a_rate_days_a_linked_count_or_a_dash_for_none(client, leader, september):
    client.force_login(leader)
    response = get(client)
    body = response.content.decode()
    d1 = rows_of(response)[september.d1.name]
    assert "66.7%" in body and ">15.0<" in body  # D1's on-time rate and average days
    assert f'<a href="{d1.links["overdue"].replace("&", "&amp;")}">1</a>' in body
    # The idle department has no rate nor days: a dash, and a word for a screen reader.
    assert '<span aria-hidden="true">—</span><span class="visually-hidden">' in body
