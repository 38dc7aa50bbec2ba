"""A city's and a province's departments (1,173 at the province) on the department table and the monthly report:
the table pages them in the order asked, the report shows the best and worst with a link to them all, the
Word and Excel files have every one, and no page grows past a bound."""

import datetime
import io
import re

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.months import Month
from issues.models import Action
from issues.payloads import AcceptPayload, AssignPayload, ResolvePayload
from issues.services import issue_report, issue_transition
from organisation.models import Department
from oversight import report as report_module
from oversight import rollups
from oversight.report import REPORT_FULL_LIST, REPORT_TOP, monthly_report
from tests import factories

pytestmark = pytest.mark.django_db

PROVINCE_DEPARTMENTS = 1_173
PAGE_BOUND = 200_000  # the issue's ceiling for a page's HTML
TABLE = reverse("oversight:departments")
REPORT = reverse("oversight:report", args=["2026-10"])


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def _province_departments() -> None:
    """A province's departments, every one active (listed), most with nothing in the period."""
    Department.objects.bulk_create(Department(name=f"省测试厅{i:04d}") for i in range(PROVINCE_DEPARTMENTS))


def _row_names(body: str, table_class: str) -> list[str]:
    """The names heading each row of the page's tables of that class, in order."""
    names: list[str] = []
    for table in re.findall(rf'<table class="[^"]*{table_class}[^"]*".*?</table>', body, re.S):
        names += re.findall(r'<tr><th scope="row"[^>]*>([^<]+)</th>', table)
    return names


# -- the department table ----------------------------------------------------------------------------------------


def test_a_provinces_department_table_is_paged_in_the_order_asked_under_the_bound(client, leader, department):
    _province_departments()
    client.force_login(leader)
    first = client.get(TABLE, {"from": "2026-10", "sort": "-name"})
    assert first.status_code == 200
    body = first.content.decode()
    assert len(first.content) < PAGE_BOUND, len(first.content)
    names = [shown.row.name for shown in first.context["rows"]]
    assert len(names) == rollups.DEPARTMENT_PAGE_SIZE
    assert first.context["page"].paginator.count == PROVINCE_DEPARTMENTS + 1
    # The next page keeps the order: its link carries the sort, and its rows follow on.
    assert "sort=-name&amp;page=2" in body
    second = client.get(TABLE, {"from": "2026-10", "sort": "-name", "page": "2"})
    following = [shown.row.name for shown in second.context["rows"]]
    assert names + following == sorted(names + following, reverse=True) and not set(names) & set(following)
    # A heading starts its order again at the first page; the totals row is on every page.
    assert "page=" not in next(h.href for h in first.context["headings"] if h.column.key == "overdue")
    assert second.context["total"].row.name == first.context["total"].row.name


def test_the_xlsx_of_a_provinces_department_table_has_every_department(client, leader, department):
    _province_departments()
    client.force_login(leader)
    response = client.get(TABLE, {"from": "2026-10", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1 + PROVINCE_DEPARTMENTS + 1 + 1  # the headings, the departments, the totals


def test_a_districts_department_table_is_one_page(client, leader, department, other_department):
    client.force_login(leader)
    response = client.get(TABLE, {"from": "2026-10"})
    assert response.context["page"].paginator.num_pages == 1
    body = response.content.decode()
    assert 'class="pagination' not in body and "page=2" not in body and 'id="rollup-rows"' not in body


# -- the monthly report --------------------------------------------------------------------------------------------


def _departments_with_problems(n: int, prefix: str = "区测试局乙") -> list[Department]:
    """n departments, each given a problem on 6 October due on the 15th: the even ones resolve it on time (an
    on-time rate of 100%), the odd ones let it go overdue (0%)."""
    units = []
    for i in range(n):
        unit = factories.DepartmentFactory(name=f"{prefix}{i:03d}")
        worker = factories.DepartmentStaffFactory(department=unit)
        pairing = factories.PairingFactory()
        deadline = datetime.date(2026, 10, 15)
        route = AssignPayload(
            department=unit, responsible_person="承办人", deadline=deadline, milestones=(("办结答复", deadline),)
        )
        issue = issue_report(
            actor=pairing.cadre.user,
            enterprise=pairing.enterprise,
            title=f"问题{i}",
            category=factories.category(),
            route=route,
            now=at(10, 6),
        )
        if i % 2 == 0:
            for action, payload, day in (
                (Action.ACCEPT, AcceptPayload(), 7),
                (Action.RESOLVE, ResolvePayload(note="已办结"), 9),
            ):
                issue.refresh_from_db()
                issue_transition(
                    issue_id=issue.pk,
                    actor=worker.user,
                    action=action,
                    version=issue.version,
                    payload=payload,
                    now=at(10, day),
                )
        units.append(unit)
    return units


@pytest.fixture
def many(leader):
    return _departments_with_problems(REPORT_FULL_LIST + 6)


def test_with_many_departments_the_report_shows_the_best_and_worst_and_links_to_them_all(client, leader, many):
    client.force_login(leader)
    response = client.get(REPORT)
    assert response.status_code == 200
    body = response.content.decode()
    report = response.context["report"]
    assert not report.lists_every_department and len(report.departments) == len(many)
    # The lowest on-time rate first (the odd ones, overdue), then the highest (the even ones, on time).
    shown = _row_names(body, "report-departments")
    odd = sorted(unit.name for i, unit in enumerate(many) if i % 2)
    even = sorted(unit.name for i, unit in enumerate(many) if i % 2 == 0)
    assert shown == odd[:REPORT_TOP] + even[:REPORT_TOP]
    # The overdue ones: the most overdue REPORT_TOP, then a link to every one.
    assert _row_names(body, "report-overdue") == odd[:REPORT_TOP]
    every = f"{reverse('oversight:departments')}?from=2026-10&amp;to=2026-10&amp;sort=on_time_rate"
    assert f'href="{every}"' in body
    assert f'href="{every.replace("sort=on_time_rate", "sort=-overdue")}"' in body
    # The link lists every department, the lowest on-time rate first.
    table = client.get(report.every_department)
    assert table.status_code == 200
    assert table.context["rows"][0].row.name == odd[0] and table.context["rows"][0].row.on_time_rate == 0.0


def test_with_many_departments_the_word_file_lists_every_one(leader, many):
    report = monthly_report(leader, Month(2026, 10), now=at(11, 2))
    document = docx.Document(io.BytesIO(report_module.report_docx(report)))
    departments, overdue = document.tables[3], document.tables[4]
    assert sorted(row.cells[0].text for row in departments.rows[1:]) == sorted(unit.name for unit in many)
    assert len(overdue.rows) == 1 + len(many) // 2


def test_the_reports_page_does_not_grow_with_the_departments(client, leader, many):
    client.force_login(leader)
    first = client.get(REPORT)
    more = _departments_with_problems(20, prefix="区测试局丙")
    after = client.get(REPORT)
    assert len(after.context["report"].departments) == len(many) + len(more)
    # Figures gain a digit or two; no row is added (twenty rows would be some 30 KB).
    rows = [_row_names(r.content.decode(), "report-(?:departments|overdue)") for r in (first, after)]
    assert len(rows[0]) == len(rows[1]) == 3 * REPORT_TOP
    assert abs(len(after.content) - len(first.content)) < 2_000, (len(first.content), len(after.content))
    assert len(after.content) < PAGE_BOUND


def test_a_district_sized_report_still_lists_every_department(client, leader):
    few = _departments_with_problems(5)
    client.force_login(leader)
    body = client.get(REPORT).content.decode()
    assert _row_names(body, "report-departments") == [unit.name for unit in few]
    assert "sort=on_time_rate" not in body
