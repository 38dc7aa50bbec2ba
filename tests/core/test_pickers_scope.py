"""The oversight pages' department filter (oversight/scope.py `ScopeForm`) as a search picker past 50 departments.

A province's 1,173 departments listed in every oversight page's filter were about 50 KB of each; past
`PLAIN_UP_TO` the filter holds the chosen department only, searched at core's `pick` (`any-department`, every
department, active or not), and without JavaScript its Search button keeps the period and the other filters.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.months import Month, month_label
from core.pickers import LIMIT, PLAIN_UP_TO, SEARCH
from issues.models import Status
from organisation.models import Department
from oversight.scope import ScopeForm
from tests import factories

pytestmark = pytest.mark.django_db

DASHBOARD = "oversight:dashboard"
PAGES = [
    reverse("oversight:dashboard"),
    reverse("oversight:departments"),
    reverse("oversight:rollup", args=["department"]),
    reverse("oversight:rollup", args=["street"]),
]


def _departments(count: int, *, name: str = "区测试局") -> list[Department]:
    return Department.objects.bulk_create(Department(name=f"{name}{n:04d}") for n in range(count))


def _department_options(body: str) -> list[str]:
    """The option values of the department filter's select."""
    [select] = re.findall(r'<select name="department".*?</select>', body, flags=re.S)
    return re.findall(r'<option value="([^"]*)"', select)


@pytest.mark.parametrize("url", PAGES)
def test_past_fifty_departments_the_filter_is_a_search_not_every_department(client, leader, url):
    units = _departments(PLAIN_UP_TO + 10)
    client.force_login(leader)
    body = client.get(url).content.decode()
    assert _department_options(body) == [""]
    assert 'name="department-q"' in body and f"{reverse('pick', args=['any-department'])}?field=department" in body
    # The departments the page lists (a table's rows) aside, none is offered in the filter.
    assert f'<option value="{units[-1].pk}"' not in body


@pytest.mark.parametrize("url", PAGES)
def test_a_districts_departments_stay_a_plain_select(client, leader, url):
    units = _departments(PLAIN_UP_TO)
    client.force_login(leader)
    body = client.get(url).content.decode()
    assert _department_options(body) == ["", *(str(u.pk) for u in units)]
    assert 'name="department-q"' not in body


def test_the_dashboard_at_a_provinces_departments_is_no_bigger_than_at_sixty(client, leader):
    _departments(PLAIN_UP_TO + 10)
    client.force_login(leader)
    url = reverse(DASHBOARD)
    few = len(client.get(url).content)
    _departments(1_173 - PLAIN_UP_TO - 10, name="省测试局")
    many = len(client.get(url).content)
    # None of them has a figure to show, and the filter lists none of them (it was ~50 KB at a province).
    assert many == few


def test_choosing_a_department_filters_the_dashboard_and_stays_shown(client, leader):
    units = _departments(PLAIN_UP_TO + 10)
    wanted, other = units[12], units[40]
    for unit in (wanted, wanted, other):
        factories.issue_in(Status.ASSIGNED, department=unit)
    client.force_login(leader)

    def assigned(response) -> int:
        [figure] = [f for f in response.context["dashboard"].statuses if f.key == "status_assigned"]
        return figure.value

    assert assigned(client.get(reverse(DASHBOARD))) == 3
    response = client.get(reverse(DASHBOARD), {"department": wanted.pk})
    body = response.content.decode()
    assert assigned(response) == 2
    assert response.context["scope"].filters.department == wanted
    # The choice is shown after the page comes back: the select holds it, named, chosen.
    assert _department_options(body) == ["", str(wanted.pk)]
    assert f'<option value="{wanted.pk}" selected>{wanted.name}</option>' in body


def test_the_chosen_department_is_named_from_the_rows_the_page_read(leader):
    """The filter adds no query: the page's departments (read once for its figures) name the chosen one."""
    units = _departments(PLAIN_UP_TO + 10)
    wanted = units[30]
    form = ScopeForm({"department": str(wanted.pk)})
    form.scope()  # the form read as the pages read it (its choice checked against every department)
    form.offer(departments=[(u.pk, u.name) for u in Department.objects.order_by("kind", "name", "pk")])
    with CaptureQueriesContext(connection) as ctx:
        html = str(form["department"])
    assert len(ctx) == 0
    assert f'<option value="{wanted.pk}" selected>{wanted.name}</option>' in html and html.count("<option") == 2


def test_a_chosen_row_is_shown_as_the_form_read_it(client, leader):
    """A picker's chosen row is the row its field read when the form checked it: shown without a query of its own
    (the select's only query is whether there are more than a district's units)."""
    units = _departments(PLAIN_UP_TO + 10)
    wanted = units[30]
    form = ScopeForm({"department": str(wanted.pk)})
    assert form.is_valid()
    with CaptureQueriesContext(connection) as ctx:
        html = str(form["department"])
    assert len(ctx) == 1, [q["sql"] for q in ctx.captured_queries]
    assert f'<option value="{wanted.pk}" selected>{wanted.name}</option>' in html and html.count("<option") == 2


def test_the_search_finds_every_department_for_every_role_and_nobody_else(client, leader, office, cadre, staff):
    """Every role filters a list by department (the ledger, the supervision ledger and its items: each shows only
    what its reader sees), so every role may search the departments' names; a visitor not logged in may not."""
    _departments(PLAIN_UP_TO + 10)
    closed = Department.objects.create(name="区测试局撤销单位", is_active=False)
    url = reverse("pick", args=["any-department"])
    assert client.get(url, {"field": "department", "department-q": "区测试局"}).status_code in (302, 403)
    for user in (leader, office, cadre.user, staff.user):
        client.force_login(user)
        body = client.get(url, {"field": "department", "department-q": "区测试局"}).content.decode()
        assert body.count("<option") == LIMIT + 1  # the empty choice, then the first matches
        found = client.get(url, {"field": "department", "department-q": "撤销"}).content.decode()
        # A department no longer active still has figures in a past period: it may be chosen.
        assert f'<option value="{closed.pk}">{closed.name}</option>' in found


def test_without_javascript_the_search_keeps_the_period_and_the_other_filters(client, leader):
    units = _departments(PLAIN_UP_TO + 10)
    wanted = units[33]
    last_month = Month.of(timezone.localdate() - datetime.timedelta(days=40))
    client.force_login(leader)
    asked = {"start": month_label(last_month), "end": month_label(last_month), "sector": "industry"}
    response = client.get(reverse(DASHBOARD), {**asked, "department-q": wanted.name, SEARCH: "department"})
    body = response.content.decode()
    assert response.status_code == 200
    assert _department_options(body) == ["", str(wanted.pk)]
    assert f'value="{wanted.name}"' in body  # what was typed, kept in the box
    # The page shows what was asked meanwhile, and says no error.
    scope = response.context["scope"]
    assert (scope.period.first, scope.filters.sector, scope.filters.department) == (last_month, "industry", None)
    assert not response.context["form"].errors

    # Chosen, the department filters the page as any filter does.
    chosen = client.get(reverse(DASHBOARD), {**asked, "department": wanted.pk, "department-q": wanted.name})
    assert chosen.context["scope"].filters.department == wanted
    assert chosen.context["scope"].filters.sector == "industry"


def test_a_department_that_is_not_one_is_refused_as_before(client, leader):
    _departments(PLAIN_UP_TO + 10)
    client.force_login(leader)
    response = client.get(reverse(DASHBOARD), {"department": "999999"})
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    assert response.context["scope"].filters.department is None
