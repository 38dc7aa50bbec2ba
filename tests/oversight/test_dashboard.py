"""The leading group's dashboard (/oversight/): its figures are issues/measures.py's, and each opens its rows.

A hand-built November 2026, read on the 20th: ten problems reported through the real services (solved on
the spot and closed, one reopened, overdue, due soon, resolved on time after an extension, resolved late,
returned, escalated) with two departments and two cadres, and a problem and a visit in October.
"""

import datetime
import html
import json
import re
import zoneinfo

import django.utils.timezone
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.months import Month
from core.periods import Period
from enterprises.links import link_issue
from issues import measures
from issues.models import Action, Feedback, Issue
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionDecisionPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    ResolvePayload,
    ReturnPayload,
)
from issues.services import issue_record_feedback, issue_report, issue_request, issue_transition
from oversight import dashboard as board
from oversight.scope import Filters, Scope, visit_figures
from tests import factories
from tests.factories import category
from tests.oversight.lists import listed

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DASHBOARD = reverse("oversight:dashboard")
NOVEMBER = Period.month(Month(2026, 11))


def on(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def nov(day: int) -> datetime.date:
    return datetime.date(2026, 11, day)


@pytest.fixture
def the_20th(monkeypatch) -> datetime.datetime:
    """Stop the portal's clock at 10:00 on 20 November 2026 (every view and service reads it through timezone.now)."""
    moment = on(11, 20)
    monkeypatch.setattr(django.utils.timezone, "now", lambda: moment)
    return moment


def assign(department, deadline: datetime.date) -> AssignPayload:
    return AssignPayload(
        department=department, responsible_person="张晓明", deadline=deadline, milestones=(("办结答复", deadline),)
    )


class Desk:
    """Report and move problems at given moments, through the real services."""

    def __init__(self, leader):
        self.leader = leader

    def report(self, cadre, route, when, title="问题", code="approvals") -> Issue:
        enterprise = cadre.pairings.get(ended_on__isnull=True).enterprise
        return issue_report(
            actor=cadre.user, enterprise=enterprise, title=title, category=category(code), route=route, now=when
        )

    def move(self, issue, user, action, payload, when) -> Issue:
        return issue_transition(issue_id=issue.pk, actor=user, action=action, version=None, payload=payload, now=when)

    def feedback(self, issue, cadre, rating, when) -> Issue:
        payload = FeedbackPayload(rating=rating, note="企业反馈")
        return issue_record_feedback(issue_id=issue.pk, actor=cadre.user, version=None, payload=payload, now=when)


@pytest.fixture
def november(the_20th, cadre, other_cadre, staff, other_staff, leader, department, other_department):
    """The hand-built month; department (D1) holds one overdue and one due soon, other_department (D2) two overdue."""
    desk = Desk(leader)
    d1, d2 = department, other_department
    bobs = other_cadre.pairings.get().enterprise
    bobs.street = "席王街道"
    bobs.save()
    alice, bob, charlie, dave = cadre, other_cadre, staff.user, other_staff.user
    made: dict[str, Issue] = {}
    # On the spot: one closed satisfied, one reopened dissatisfied.
    made["spot_ok"] = desk.report(alice, ResolvePayload(note="当场协调"), on(11, 2))
    desk.feedback(made["spot_ok"], alice, Feedback.Rating.SATISFIED, on(11, 3))
    made["spot_bad"] = desk.report(alice, ResolvePayload(note="当场答复"), on(11, 2))
    desk.feedback(made["spot_bad"], alice, Feedback.Rating.DISSATISFIED, on(11, 5))
    # D1: overdue (accepted), due soon (not accepted), resolved late.
    made["d1_overdue"] = desk.report(alice, assign(d1, nov(10)), on(11, 3))
    desk.move(made["d1_overdue"], charlie, Action.ACCEPT, AcceptPayload(), on(11, 4))
    made["d1_soon"] = desk.report(alice, assign(d1, nov(22)), on(11, 6))
    made["d1_late"] = desk.report(alice, assign(d1, nov(5)), on(11, 1), code="utilities")
    desk.move(made["d1_late"], charlie, Action.ACCEPT, AcceptPayload(), on(11, 2))
    desk.move(made["d1_late"], charlie, Action.RESOLVE, ResolvePayload(note="已办结"), on(11, 8))
    # D2: on time after an extension, returned, two overdue.
    made["d2_on_time"] = desk.report(bob, assign(d2, nov(12)), on(11, 3))
    desk.move(made["d2_on_time"], dave, Action.ACCEPT, AcceptPayload(), on(11, 4))
    extension = ExtensionRequestPayload(new_deadline=nov(18), note="需等待规划批复")
    desk.move(made["d2_on_time"], dave, Action.REQUEST_EXTENSION, extension, on(11, 10))
    desk.move(made["d2_on_time"], leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True), on(11, 11))
    desk.move(made["d2_on_time"], dave, Action.RESOLVE, ResolvePayload(note="已办结"), on(11, 15))
    made["d2_returned"] = desk.report(bob, assign(d2, nov(30)), on(11, 5))
    desk.move(made["d2_returned"], dave, Action.RETURN, ReturnPayload(note="不属本部门职责"), on(11, 6))
    made["d2_overdue_a"] = desk.report(bob, assign(d2, nov(9)), on(11, 2))
    desk.move(made["d2_overdue_a"], dave, Action.ACCEPT, AcceptPayload(), on(11, 3))
    made["d2_overdue_b"] = desk.report(bob, assign(d2, nov(12)), on(11, 8))
    made["escalated"] = desk.report(bob, EscalatePayload(note="涉及多个部门"), on(11, 7), code="utilities")
    # October: a problem solved on the spot, and visits either side of the month's start.
    made["october"] = desk.report(alice, ResolvePayload(note="当场解决"), on(10, 15))
    factories.VisitFactory(
        pairing=alice.pairings.get(),
        visited_on=datetime.date(2026, 10, 20),
        created_at=factories.logged_on(datetime.date(2026, 10, 20)),
    )
    for day, who in ((2, alice), (10, alice), (5, bob)):
        factories.VisitFactory(
            pairing=who.pairings.get(), visited_on=nov(day), created_at=factories.logged_on(nov(day))
        )
    return made


def figures_on(page: str) -> dict[str, list[tuple[int, str]]]:
    """The page's figure links: per key, each (number shown, URL)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for url, key, value in re.findall(r'<a [^>]*href="([^"]+)"[^>]*data-figure="([^"]+)"[^>]*>(\d+)', page):
        found.setdefault(key, []).append((int(value), html.unescape(url)))
    return found


def charts_on(page: str) -> dict[str, dict]:
    return {
        key: json.loads(html.unescape(data))
        for key, data in re.findall(r'<script id="chart-([\w-]+)-data" type="application/json">(.*?)</script>', page)
    }


def problem_figures(dashboard: board.Dashboard) -> list[board.Figure]:
    """The problem figures on cards and under the rates (not a department's or a cadre's)."""
    shown = [dashboard.reported, *dashboard.flows, *dashboard.statuses, *dashboard.moves]
    return shown + [part for rate in dashboard.rates for part in rate.parts]


def as_leader(client, leader, query: str = "") -> tuple[board.Dashboard, str]:
    client.force_login(leader)
    response = client.get(DASHBOARD + query)
    assert response.status_code == 200
    return response.context["dashboard"], response.content.decode()


# --- Who sees it ------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["cadre", "staff", "nobody"])
def test_cadres_department_staff_and_accounts_without_a_role_are_refused(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    assert client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("persona", ["leader", "office", "clerk", "superuser"])
def test_the_leading_group_and_the_campaign_office_see_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["dashboard"].scope.period == Period.month(Month.of(django.utils.timezone.localdate()))


def test_the_dashboard_refuses_post(client, leader):
    client.force_login(leader)
    assert client.post(DASHBOARD).status_code == 405


def test_the_home_page_and_the_menu_lead_overseers_to_the_dashboard_and_no_one_else(client, leader, office, cadre):
    for user in (leader, office):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert 'id="dashboard-link"' in page
        assert page.count(f'href="{DASHBOARD}"') == 2  # the panel's button and the menu
    client.force_login(cadre.user)
    assert f'href="{DASHBOARD}"' not in client.get(reverse("home")).content.decode()


# --- The figures are the measures', and each opens its rows -------------------------------------


def test_every_problem_figure_equals_the_measures_and_its_link_lists_that_many_rows(client, leader, november):
    _dashboard, page = as_leader(client, leader)
    expected = measures.counts(Issue.objects.all(), measures.Window.of(NOVEMBER), board.KEYS)
    shown = figures_on(page)
    checked = 0
    for key, links in shown.items():
        if key not in measures.MEASURES:
            continue
        for value, url in links:
            if "cadre=" in url or "unit=" in url:
                continue  # a department's or a cadre's: below
            assert value == expected[key], key
            assert listed(client, url) == value, (key, url)
            checked += 1
    assert checked >= len(board.KEYS)
    assert set(board.KEYS) <= set(shown)


def test_the_hand_built_month_reads_as_counted_by_hand(client, leader, november):
    dashboard, _page = as_leader(client, leader)
    by_key = {f.key: f.value for f in [dashboard.reported, *dashboard.flows, *dashboard.statuses, *dashboard.moves]}
    assert by_key["reported"] == 10
    assert (by_key["on_the_spot"], by_key["escalated"]) == (2, 1)
    assert (by_key["returned"], by_key["extension_asked"], by_key["extension_granted"], by_key["dissatisfied"]) == (
        1,
        1,
        1,
        1,
    )
    rates = {rate.key: rate.value for rate in dashboard.rates}
    # On time: 1 of 1 on time + 1 late + 3 overdue; satisfied: 1 of 2 rated.
    assert (rates["on_time"], rates["satisfaction"]) == (20.0, 50.0)
    service, compliance = dashboard.service, dashboard.compliance
    assert [f.value for f in service] == [2, 3]
    figures = visit_figures(leader, Scope(NOVEMBER))
    assert [p.value for p in compliance.parts] == [figures.compliant, figures.judged]
    assert compliance.value == figures.compliance_rate


def test_the_rates_say_who_spoke_for_the_enterprise(client, leader, november, cadre, enterprise_link):
    """Issue 15: the satisfaction and response rates count every problem; beside them, the enterprise's own."""
    desk = Desk(leader)
    rated = desk.report(cadre, ResolvePayload(note="当场"), on(11, 12))
    payload = FeedbackPayload(rating=Feedback.Rating.SATISFIED, note="企业自评")
    issue_record_feedback(issue_id=rated.pk, actor=enterprise_link, version=None, payload=payload, now=on(11, 13))
    raised = issue_request(link=enterprise_link, title="诉求", category=category("approvals"), now=on(11, 14))
    Visit = factories.VisitFactory._meta.model
    visits = Visit.objects.filter(visited_on__month=11).order_by("visited_on")
    visits.filter(pk=visits[0].pk).update(enterprise_answer="confirmed")
    visits.filter(pk=visits[1].pk).update(enterprise_answer="denied", enterprise_remark="当天未见到干部")

    dashboard, page = as_leader(client, leader)
    rates = {rate.key: rate for rate in dashboard.rates}
    # Satisfied: 2 of 3 rated (the hand-built two recorded by the cadre, one rated by the enterprise).
    assert rates["satisfaction"].value == 66.7
    assert {f.key: f.value for f in rates["satisfaction"].split} == {"rated_by_enterprise": 1, "rated_by_cadre": 2}
    assert {f.key: f.value for f in rates["response"].split} == {
        "raised_by_enterprise": 1,
        "raised_by_enterprise_answered": 0,
        "reported_by_cadre": 11,
    }
    assert rates["on_time"].split == ()
    shown = figures_on(page)
    for key, rows in (("rated_by_enterprise", {rated.pk}), ("raised_by_enterprise", {raised.pk})):
        [(value, url)] = [link for link in shown[key] if "unit=" not in link[1]]
        assert value == len(rows) and {i.pk for i in client.get(url).context["page"]} == rows
    assert [(f.key, f.value) for f in dashboard.answers] == [("confirmed", 1), ("denied", 1)]
    assert "confirmation=confirmed" in dashboard.answers[0].url


def test_the_visits_figure_opens_the_visits_it_counted(client, leader, november):
    _dashboard, page = as_leader(client, leader)
    [(value, url)] = figures_on(page)["visits"]
    assert value == listed(client, url) == 3
    for _value, url in figures_on(page)["pairings"] + figures_on(page)["compliance"]:
        assert url.startswith(reverse("visits:compliance")) and client.get(url).status_code == 200


def test_departments_are_listed_most_overdue_first_each_number_opening_its_rows(
    client, leader, november, department, other_department
):
    dashboard, page = as_leader(client, leader)
    assert [row.name for row in dashboard.departments] == [other_department.name, department.name]
    table = measures.by_unit(Issue.objects.all(), measures.Window.of(NOVEMBER), board.STANDING)
    for row, unit in zip(dashboard.departments, (other_department, department), strict=True):
        for key in board.STANDING:
            figure = row.figures[key]
            assert figure.value == table[unit.pk][key]
            assert f"unit={unit.pk}" in figure.url
            assert listed(client, figure.url) == figure.value
    assert (dashboard.departments[0].overdue.value, dashboard.departments[1].overdue.value) == (2, 1)
    ledger = client.get(dashboard.departments[0].overdue.url)
    assert {issue.department for issue in ledger.context["page"]} == {other_department}
    assert f'href="{reverse("oversight:rollup", args=["department"])}?' in page


def test_cadres_are_listed_most_overdue_first_each_number_opening_its_rows(
    client, leader, november, cadre, other_cadre
):
    dashboard, page = as_leader(client, leader)
    assert [row.name for row in dashboard.cadres] == [other_cadre.name, cadre.name]
    table = measures.grouped(Issue.objects.all(), measures.Window.of(NOVEMBER), "reporter", board.STANDING)
    for row, who in zip(dashboard.cadres, (other_cadre, cadre), strict=True):
        for key in board.STANDING:
            assert row.figures[key].value == table[who.pk][key]
            assert listed(client, row.figures[key].url) == row.figures[key].value
    assert f'href="{reverse("oversight:rollup", args=["cadre"])}?' in page


def test_every_chart_segment_opens_the_rows_it_counts(client, leader, november):
    _dashboard, page = as_leader(client, leader)
    charts = charts_on(page)
    assert set(charts) == {"trend", "flows", "sectors", "categories", "on-time"}
    for key, chart in charts.items():
        for dataset in chart["datasets"]:
            for value, url in zip(dataset["data"], dataset["urls"], strict=True):
                if chart["percent"]:
                    continue  # a department's rate: its parts' links are checked below
                assert listed(client, url) == value, (key, dataset["label"], url)
                # The table under the chart holds the same link, for the keyboard and screen readers.
                assert f'href="{html.escape(url)}"' in page


def test_the_months_chart_counts_each_month_as_the_measures_do(client, leader, november):
    dashboard, _page = as_leader(client, leader)
    [trend] = [chart for chart in dashboard.charts if chart.key == "trend"]
    visits, reported = trend.series
    assert trend.labels[-1] == "2026-11" and len(trend.labels) == 12
    for i, label in enumerate(trend.labels):
        month = Period.month(Month(int(label[:4]), int(label[5:])))
        window = measures.Window.of(month)
        assert reported.values[i] == measures.counts(Issue.objects.all(), window, ["reported"])["reported"]
        assert visits.values[i] == visit_figures(leader, Scope(month)).visits
    assert (visits.values[-2:], reported.values[-2:]) == ([1, 3], [1, 10])


def test_the_on_time_chart_ranks_departments_and_its_table_opens_each_part(client, leader, november, other_department):
    dashboard, _page = as_leader(client, leader)
    [chart] = [chart for chart in dashboard.charts if chart.key == "on-time"]
    # D2: 1 on time of 1 + 0 late + 2 overdue; D1: 0 of 0 + 1 late + 1 overdue.
    assert chart.labels[0] == other_department.name
    assert chart.series[0].values == [pytest.approx(33.3), 0.0]
    for _label, cells in chart.rows:
        for value, url, _percent in cells[1:]:
            assert listed(client, url) == value


def test_each_figure_names_its_definition(client, leader, november):
    _dashboard, page = as_leader(client, leader)
    for key in board.KEYS:
        definition = html.escape(str(measures.MEASURES[key].definition))
        assert f'title="{definition}"' in page, key
        assert f"<dd>{definition}</dd>" in page, key
    for text in measures.RATE_DEFINITIONS.values():
        assert html.escape(str(text)) in page


# --- Filters and the period -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["sector=culture", "origin=city", "street=纺织城街道", "category=utilities", "department=other"]
)
def test_a_filter_changes_the_figures_as_the_measures_count_them(client, leader, november, other_department, query):
    name, value = query.split("=")
    unit = None
    if name == "category":
        value = str(category(value).pk)
    if name == "department":
        unit, value = other_department, str(other_department.pk)
    dashboard, _page = as_leader(client, leader, f"?{name}={value}")
    filters = dashboard.scope.filters
    assert filters != Filters()
    expected = measures.counts(filters.issues(leader), measures.Window.of(NOVEMBER), board.KEYS, unit=unit)
    for figure in problem_figures(dashboard):
        assert figure.value == expected[figure.key], figure.key
        assert listed(client, figure.url) == figure.value, (figure.key, figure.url)
    everything, _page = as_leader(client, leader)
    assert [f.value for f in problem_figures(dashboard)] != [f.value for f in problem_figures(everything)]


def test_a_department_chosen_narrows_the_figures_to_its_own(client, leader, november, other_department):
    dashboard, page = as_leader(client, leader, f"?department={other_department.pk}")
    window = measures.Window.of(NOVEMBER)
    expected = measures.counts(Issue.objects.all(), window, board.KEYS, unit=other_department)
    assert {f.key: f.value for f in dashboard.flows + dashboard.moves + dashboard.statuses} == {
        key: expected[key] for key in (*board.FLOWS, *board.MOVES, *board.STATUSES)
    }
    assert expected["overdue"] == 2 and expected["returned"] == 1
    assert all(f"unit={other_department.pk}" in f.url for f in dashboard.flows)
    assert 'id="district-wide"' in page


def test_a_past_period_reads_its_events(client, leader, november):
    dashboard, page = as_leader(client, leader, "?from=2026-10&to=2026-10")
    assert dashboard.scope.period == Period.month(Month(2026, 10))
    expected = measures.counts(Issue.objects.all(), measures.Window.of(dashboard.scope.period), board.KEYS)
    assert dashboard.reported.value == expected["reported"] == 1
    for value, url in figures_on(page)["reported"]:
        assert "from=2026-10" in url and listed(client, url) == value


@pytest.mark.parametrize(
    "query",
    ["from=2026-13", "from=2026-00&to=2026-11", "to=abc", "from=9999-01", "department=99999999999", "category=x"],
)
def test_a_period_or_filter_that_cannot_be_read_is_a_form_error_and_the_default_period(client, leader, query):
    client.force_login(leader)
    response = client.get(f"{DASHBOARD}?{query}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert response.context["dashboard"].scope == Scope(Period.month(Month.of(django.utils.timezone.localdate())))
    assert 'id="period-unread"' in response.content.decode()


def test_a_month_out_of_range_is_said_in_chinese(client, leader):
    client.force_login(leader)
    response = client.get(f"{DASHBOARD}?from=2026-13")
    [error] = response.context["form"].errors["start"]
    with translation.override("zh-hans"):
        assert error == gettext("Enter a month as YYYY-MM, for example 2026-11.")
    assert html.escape(error) in response.content.decode()


# --- Queries do not grow with the data ----------------------------------------------------------


def build_district(size: int, *, leader) -> None:
    """`size` problems in November across 4 departments, 5 cadres in 5 sectors, 3 categories, every route."""
    desk = Desk(leader)
    units = [factories.DepartmentStaffFactory() for _ in range(4)]
    sectors = ["industry", "commerce", "construction", "technology", "culture"]
    cadres = [
        factories.PairingFactory(
            enterprise=factories.EnterpriseFactory(sector=sector, street=f"街道{i}"),
            started_on=datetime.date(2026, 1, 1),
        ).cadre
        for i, sector in enumerate(sectors)
    ]
    codes = ["approvals", "utilities", "financing"]
    # Each enterprise's own link: it rates some problems itself, raises requests, confirms or denies visits.
    links = [link_issue(enterprise=cadre.pairings.get().enterprise, actor=None) for cadre in cadres]
    answers = ["confirmed", "denied", ""]
    for i in range(size):
        cadre, staff, code, day = cadres[i % 5], units[i % 4], codes[i % 3], 1 + i % 15
        factories.VisitFactory(
            pairing=cadre.pairings.get(),
            visited_on=nov(day),
            created_at=factories.logged_on(nov(day)),
            enterprise_answer=answers[i % 3],
        )
        if i % 5 == 4:
            issue_request(link=links[i % 5], title="诉求", category=category(code), now=on(11, day))
        if i % 3 == 0:
            issue = desk.report(cadre, ResolvePayload(note="当场"), on(11, day), code=code)
            if i % 2:  # the enterprise rates it itself (the others wait for a rating)
                payload = FeedbackPayload(rating=Feedback.Rating.SATISFIED, note="企业自评")
                issue_record_feedback(
                    issue_id=issue.pk, actor=links[i % 5], version=None, payload=payload, now=on(11, day, 12)
                )
        elif i % 3 == 1:
            desk.report(cadre, EscalatePayload(note="上报"), on(11, day), code=code)
        else:
            issue = desk.report(cadre, assign(staff.department, nov(day + 2)), on(11, day), code=code)
            desk.move(issue, staff.user, Action.ACCEPT, AcceptPayload(), on(11, day, 12))
            if i % 2:
                desk.move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="办结"), on(11, day, 14))


def queries_for(client, query: str = "") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD + query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?department=first&sector=industry"])
def test_the_number_of_queries_does_not_grow_with_the_data(client, leader, the_20th, query):
    # Six problems (each route, each table and chart with a row) against forty-six.
    build_district(6, leader=leader)
    if "first" in query:
        query = query.replace("first", str(Issue.objects.exclude(department=None).first().department_id))
    client.force_login(leader)
    queries_for(client, query)  # the session and the like, read once
    cache.clear()  # counted afresh each time, not read kept (tests/oversight/test_kept_figures.py)
    small = queries_for(client, query)
    build_district(40, leader=leader)
    assert Issue.objects.count() == 55  # and nine requests the enterprises raised
    cache.clear()
    large = queries_for(client, query)
    assert small == large
    assert large <= 30, large


# --- The home page's counters open their lists ----------------------------------------------------


def test_the_oversight_panels_counters_open_their_lists(client, leader, november):
    client.force_login(leader)
    response = client.get(reverse("home"))
    panel, page = response.context["oversight_panel"], response.content.decode()
    overdue = f"{reverse('issues:ledger')}?warning=overdue"
    assert f'href="{overdue}"' in page
    assert listed(client, overdue) == panel.counts["overdue"] == 3
    for tab, count in (("escalated", "escalated"), ("routing", "awaiting_routing")):
        url = f"{reverse('issues:review')}?tab={tab}"
        assert f'href="{url}"' in page
        assert listed(client, url) == panel.counts[count], tab
    assert f'href="{reverse("visits:compliance")}" id="cadres-meeting-the-rule"' in page


def test_the_department_panels_counters_open_their_inbox_tabs(client, staff, november):
    client.force_login(staff.user)
    response = client.get(reverse("home"))
    counts, page = response.context["department_panel"].counts, response.content.decode()
    for tab in ("new", "in_progress", "due_soon", "overdue"):
        url = f"{reverse('issues:inbox')}?tab={tab}"
        assert f'href="{url}"' in page
        assert listed(client, url) == counts[tab], tab
