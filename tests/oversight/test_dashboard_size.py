"""The dashboard at many departments (a province has 1,173): it names the best and worst, links to the rest,
and its page keeps its size whatever the number of departments."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Status
from oversight import dashboard as board
from tests import factories

# A province's page was 865 KB when every department was charted; the issue's bound for any page.
PAGE_BOUND = 200_000


def _departments_with_a_problem(count: int, first: int = 0) -> None:
    """`count` departments, each with a problem reported this month that is overdue (an on-time rate of 0%)."""
    overdue = timezone.localdate() - datetime.timedelta(days=1)
    for i in range(first, first + count):
        department = factories.DepartmentFactory(name=f"区第{i:04d}号局")
        issue = factories.issue_in(Status.ASSIGNED, department=department)
        issue.deadline = overdue
        issue.save(update_fields=["deadline"])


def _page(client, leader) -> tuple[board.Dashboard, bytes]:
    client.force_login(leader)
    response = client.get(reverse("oversight:dashboard"))
    assert response.status_code == 200
    return response.context["dashboard"], response.content


@pytest.mark.parametrize("count", [2 * board.TOP, 150])
def test_the_on_time_chart_names_the_best_and_worst_and_links_to_every_department(client, leader, count):
    _departments_with_a_problem(count)
    dashboard, content = _page(client, leader)
    [chart] = [chart for chart in dashboard.charts if chart.key == "on-time"]
    assert chart.total == count
    if count <= 2 * board.TOP:  # few enough to show them all: no link
        assert len(chart.rows) == count and not chart.every
        assert b'id="chart-on-time-every"' not in content
        return
    assert len(chart.rows) == 2 * board.TOP
    assert chart.every.startswith(reverse("oversight:departments") + "?")
    assert f'href="{chart.every}"'.replace("&", "&amp;").encode() in content
    assert b'id="chart-on-time-every"' in content
    assert len(dashboard.departments) == board.TOP and dashboard.department_count == count


def test_the_page_keeps_its_size_at_many_departments(client, leader):
    _departments_with_a_problem(30)
    _dashboard, few = _page(client, leader)
    _departments_with_a_problem(270, first=30)
    _dashboard, many = _page(client, leader)
    assert len(many) < PAGE_BOUND
    # What grows is the filters' lists (an <option> per department, and per street of the factories'
    # enterprises), not the figures: a department charted with its links took over 1 KB.
    assert len(many) - len(few) < 270 * 200
