"""The leading group's counting pages keep what they counted (core/kept.py, oversight/keeping.py): a kept read is
the same page in fewer queries, and a change made through the services shows at once.

The dashboard, the departments table, the roll-ups, the monthly report (page and Word file) and the overseers'
and campaign office's homes, each read through the test client on the hand-built November of
tests/oversight/test_dashboard.py (10:00 on the 20th).
"""

import datetime
import pickle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import Promise

from core import kept
from core.months import Month
from core.periods import Period
from issues.models import Action, Flow, Issue, Status
from issues.payloads import AcceptPayload
from oversight import dashboard as board
from oversight import panels, warm
from oversight.scope import Scope, visit_figures
from tests import factories
from tests.kept_spy import counts_made
from tests.oversight.test_dashboard import DASHBOARD, NOVEMBER, Desk, assign, build_district, nov, on
from visits.models import Visit
from visits.services import VisitData, visit_log

pytestmark = pytest.mark.django_db

BUDGET = 12  # tests/test_query_counts.py's, for a page counted afresh too
NOV = datetime.date(2026, 11, 1)
DEPARTMENTS = reverse("oversight:departments")
HOME = reverse("home")
REPORT = reverse("oversight:report", args=["2026-11"])
ROLLUPS = [reverse("oversight:rollup", args=[dimension]) for dimension in ("department", "cadre", "street", "sector")]


@pytest.fixture(autouse=True)
def the_20th(monkeypatch) -> datetime.datetime:
    """The hand-built November's clock (tests/oversight/test_dashboard.py): 10:00 on the 20th."""
    moment = on(11, 20)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    return moment


@pytest.fixture
def district(client, leader):
    build_district(6, leader=leader)
    client.force_login(leader)
    cache.clear()
    yield
    cache.clear()


def read(client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def dashboard_figures(response) -> str:
    body = response.content.decode()
    return body[body.index('id="service"') : body.index('id="definitions"')]


def table(response) -> list:
    """A table page's rows and totals as shown: each row's name and cells."""
    rows = [(shown.row.name, [str(cell) for cell in shown.cells]) for shown in response.context["rows"]]
    return [*rows, [str(cell) for cell in response.context["total"].cells]]


def totals(response) -> list:
    return [str(cell) for cell in response.context["total"].cells]


def report_figures(response) -> tuple:
    report = response.context["report"]
    return report.figures, report.visits, [line.row for line in report.departments], report.narrative


def home_figures(response) -> tuple:
    panel, office = response.context["oversight_panel"], response.context.get("office_panel")
    return panel.counts, panel.visits, office


SHOWN = {
    DASHBOARD: dashboard_figures,
    DEPARTMENTS: table,
    **dict.fromkeys(ROLLUPS, table),
    REPORT: report_figures,
    HOME: home_figures,
}


@pytest.mark.parametrize("url", list(SHOWN))
def test_a_kept_read_is_the_page_counted_in_fewer_queries(client, district, settings, url):
    shown = SHOWN[url]
    settings.KEPT_SECONDS = 0  # nothing kept: counted on every read
    read(client, url)  # the session and the like, read once
    counted = shown(read(client, url)[0])
    settings.KEPT_SECONDS = 3600
    read(client, url)  # the months' versions, made by the first read ever (core/kept.py)
    cache.clear()
    first, counting = read(client, url)
    again, reading = read(client, url)
    assert shown(first) == counted and shown(again) == counted
    assert reading < counting <= BUDGET, (reading, counting)


def test_the_word_file_reads_the_reports_kept_figures(client, district):
    read(client, REPORT)  # the session and the like, and the months' versions
    cache.clear()
    _counted, counting = read(client, REPORT + "?format=docx")
    again, reading = read(client, REPORT + "?format=docx")
    assert again.content[:2] == b"PK" and reading < counting
    # The page after the file reads what the file kept: as few queries as when it is read again.
    _page, after = read(client, REPORT)
    _page, page_again = read(client, REPORT)
    assert after == page_again


def reported_on(response) -> int:
    body = dashboard_figures(response)
    start = body.index('data-figure="reported">') + len('data-figure="reported">')
    return int(body[start : body.index("<", start)])


def test_a_touch_of_the_periods_problems_counts_the_dashboard_again(client, cadre, district):
    """The dashboard's own wiring: kept under November's problems, counted again once they are touched."""
    before = reported_on(read(client, DASHBOARD)[0])
    # Written around the services and the models' signals (a bulk insert), so nothing touched yet.
    Issue.objects.bulk_create(
        [
            factories.IssueFactory.build(
                enterprise=cadre.pairings.get().enterprise, reporter=cadre, created_at=on(11, 19)
            )
        ]
    )
    kept.touch("problems", [datetime.date(2025, 1, 1)])  # a month it does not read: still the kept answer
    assert reported_on(read(client, DASHBOARD)[0]) == before
    kept.touch("problems", [nov(19)])
    assert reported_on(read(client, DASHBOARD)[0]) == before + 1


def test_a_move_through_the_service_shows_at_once_on_the_dashboard(client, district, leader, staff):
    before = read(client, DASHBOARD)[0]
    read(client, DASHBOARD)  # kept
    desk = Desk(leader)
    cadre = factories.PairingFactory(started_on=datetime.date(2026, 1, 1)).cadre
    issue = desk.report(cadre, assign(staff.department, nov(25)), on(11, 20, 9))
    desk.move(issue, staff.user, Action.ACCEPT, AcceptPayload(), on(11, 20, 9))
    after = read(client, DASHBOARD)[0]
    assert reported_on(after) == reported_on(before) + 1
    assert reported_on(after) == board.dashboard(leader, Scope(NOVEMBER)).reported.value


def test_a_visit_logged_through_the_service_shows_at_once_on_the_dashboard(client, district, leader):
    before = visit_figures(leader, Scope(NOVEMBER)).visits
    read(client, DASHBOARD)  # counted and kept
    pairing = factories.PairingFactory(started_on=datetime.date(2026, 1, 1))
    visit_log(actor=pairing.cadre.user, pairing=pairing, data=VisitData(visited_on=nov(20), mode=Visit.Mode.ON_SITE))
    page = read(client, DASHBOARD)[0].context["figures"]
    assert visit_figures(leader, Scope(NOVEMBER)).visits == before + 1
    assert f'data-figure="visits">{before + 1}<' in page


@pytest.mark.parametrize("url", [DASHBOARD, HOME, *ROLLUPS[1:]])
def test_a_move_counts_the_problems_again_not_the_visits_and_a_visit_the_visits_not_the_problems(
    client, district, leader, staff, monkeypatch, url
):
    """The problem figures and the service work are kept apart: each change counts only the part it reaches."""
    counted = counts_made(monkeypatch)
    read(client, url)
    assert counted
    counted.clear()
    read(client, url)
    assert counted == []  # read again: all kept
    desk = Desk(leader)
    cadre = factories.PairingFactory(started_on=datetime.date(2026, 1, 1)).cadre  # a pairing: the visits' family
    pairing = factories.PairingFactory(started_on=datetime.date(2026, 1, 1))
    read(client, url)
    counted.clear()
    issue = desk.report(
        cadre,
        assign(staff.department, nov(25)),
        on(11, 20, 9),
    )
    desk.move(issue, staff.user, Action.ACCEPT, AcceptPayload(), on(11, 20, 9))
    read(client, url)
    moved = set(counted)
    counted.clear()
    visit_log(actor=pairing.cadre.user, pairing=pairing, data=VisitData(visited_on=nov(20), mode=Visit.Mode.ON_SITE))
    read(client, url)
    visited = set(counted)
    service = {"oversight.visit_figures", "oversight.home.rule", "oversight.rollup.work"}
    problems = {"oversight.dashboard", "oversight.home.open", "oversight.rollup"}
    assert moved & problems and not moved & service
    assert visited & service and not visited & problems


@pytest.mark.parametrize("url", [DEPARTMENTS, *ROLLUPS, REPORT, HOME])
def test_a_touch_of_what_a_page_counts_counts_it_again(client, staff, cadre, district, url):
    """Each page's own wiring: a problem written around the services and the models' signals (a bulk insert) is not
    seen until its month is touched, as the bulk writers do."""
    shown = SHOWN[url]
    if shown is table:  # the departments are listed live (one made now shows at once): their totals are kept
        shown = totals
    kept_page = shown(read(client, url)[0])
    made = factories.IssueFactory.build(
        status=Status.IN_PROGRESS,
        flow=Flow.ASSIGNED,
        department=staff.department,
        deadline=nov(19),
        created_at=on(11, 19),
        enterprise=cadre.pairings.get().enterprise,
        reporter=cadre,
    )
    Issue.objects.bulk_create([made])
    assert shown(read(client, url)[0]) == kept_page
    kept.touch("problems", [nov(19)])
    assert shown(read(client, url)[0]) != kept_page


def test_what_is_kept_is_plain_data(leader, district):
    """No lazy translation, model or rendered HTML in a kept answer: the same figures serve every language."""
    scope = Scope(NOVEMBER)
    found = [
        board.counted(leader, scope),
        panels.overseer_figures(leader, nov(20), office=True),
    ]
    text = pickle.dumps(found)
    assert b"django.db.models" not in text and b"django.utils.functional" not in text

    def walk(value) -> None:
        assert not isinstance(value, Promise)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name))

    walk(found)


@pytest.mark.parametrize("url", [DASHBOARD, HOME])
def test_the_warm_up_keeps_the_default_views_for_whoever_sees_everything(client, district, settings, url):
    """`KEPT_WARMERS` counts the dashboard's default view (this month, no filter) and the homes' figures in the
    worker, without a request: the next overseer reads them kept."""
    assert "oversight.warm.warm" in settings.KEPT_WARMERS
    read(client, url)  # the session and the like, read once
    cache.clear()
    _page, counting = read(client, url)
    _page, reading = read(client, url)
    cache.clear()
    assert kept.warm() == len(settings.KEPT_WARMERS)
    _page, warmed = read(client, url)
    assert warmed == reading < counting


@pytest.mark.parametrize("url", [ROLLUPS[0], ROLLUPS[1], DEPARTMENTS])
def test_the_warm_up_keeps_the_tables_first_pages(client, district, settings, monkeypatch, url):
    """The roll-ups by department and by cadre and the department table, as the menu opens them (this month, the
    default order, page 1, the portal's language), are counted in the worker too: the next overseer reads the page
    the warm-up kept, and it is the page a reader would have counted."""
    read(client, url)  # the session and the like, read once
    cache.clear()
    counting, _queries = read(client, url)
    cache.clear()
    kept.warm()
    counted = counts_made(monkeypatch)
    warmed, _queries = read(client, url)
    assert not [name for name in counted if name.endswith("_page")], counted
    assert table(warmed) == table(counting) and len(table(warmed)) > 1


def test_the_warm_up_counts_what_a_leader_would(leader):
    today = nov(20)
    scope = Scope(Period.month(Month.of(today)))
    assert board.count(warm.overseer(), scope, on(11, 20)) == board.count(leader, scope, on(11, 20))
    assert panels.count_office(warm.overseer(), today) == panels.count_office(leader, today)


def test_the_offices_home_keeps_its_figures_with_the_overseers(client, district, office, settings):
    client.force_login(office)
    settings.KEPT_SECONDS = 0
    read(client, HOME)
    counted = home_figures(read(client, HOME)[0])
    settings.KEPT_SECONDS = 3600
    read(client, HOME)  # the versions made
    cache.clear()
    first, counting = read(client, HOME)
    again, reading = read(client, HOME)
    assert counted[2] is not None and home_figures(first) == counted and home_figures(again) == counted
    assert reading < counting <= BUDGET, (reading, counting)


OCTOBER_IN_TREND = -2  # the trend's months end with the period's: October is the one before November


def test_a_move_counts_the_trends_running_month_again_not_the_months_before(cadre, district, leader, staff):
    """The trend keeps each month's problems reported and visits under that month's versions (core/kept.py
    `by_month`): a move or a visit this month counts November again, not the eleven months before it."""
    scope = Scope(NOVEMBER)
    problems, visits = board.counted(leader, scope).reported, board.service_figures(leader, scope, on(11, 20)).by_month
    enterprise = cadre.pairings.get().enterprise
    # October's rows written around the services and the signals (bulk inserts): October is not touched.
    Issue.objects.bulk_create(
        [factories.IssueFactory.build(enterprise=enterprise, reporter=cadre, created_at=on(10, 9))]
    )
    october = factories.VisitFactory.build(pairing=cadre.pairings.get(), visited_on=on(10, 9).date())
    october.created_at = on(10, 9)  # logged that day: a month over counts the visits logged by its end
    Visit.objects.bulk_create([october])
    desk = Desk(leader)
    issue = desk.report(cadre, assign(staff.department, nov(25)), on(11, 20, 9))
    desk.move(issue, staff.user, Action.ACCEPT, AcceptPayload(), on(11, 20, 9))
    visit_log(
        actor=cadre.user, pairing=cadre.pairings.get(), data=VisitData(visited_on=nov(20), mode=Visit.Mode.ON_SITE)
    )
    after = board.counted(leader, scope).reported, board.service_figures(leader, scope, on(11, 20)).by_month
    # November counted again (the report and the visit), October still as kept: it was not counted again.
    assert after == (
        [*problems[:-1], problems[-1] + 1],
        (*visits[:-1], visits[-1] + 1),
    )
    kept.touch_many({"problems": [on(10, 9)], "visits": [on(10, 9)]})  # as a bulk writer says what it wrote
    fresh = board.count(leader, scope, on(11, 20)).reported
    assert board.counted(leader, scope).reported == fresh
    assert fresh[OCTOBER_IN_TREND] == problems[OCTOBER_IN_TREND] + 1
    shown = board.service_figures(leader, scope, on(11, 20)).by_month
    assert shown[OCTOBER_IN_TREND] == visits[OCTOBER_IN_TREND] + 1
    assert shown == visit_figures(leader, scope, on(11, 20), board._trend_months(scope)).by_month


def test_the_trend_of_a_viewer_who_sees_less_is_kept_together(staff, district):
    """A department's sight widens with a move of any month's problem: its trend is counted again whole."""
    scope = Scope(NOVEMBER)
    found = board._kept_trend("oversight.dashboard.reported", "problems", staff.user, scope, on(11, 20))
    found.keep(dict.fromkeys(found.missing, 0))
    kept.touch("problems", [nov(20)])
    again = board._kept_trend("oversight.dashboard.reported", "problems", staff.user, scope, on(11, 20))
    assert len(again.missing) == board.TREND_MONTHS


def test_a_read_that_misses_the_figures_and_the_trends_month_counts_them_in_one_statement(
    client, district, leader, staff
):
    read(client, DASHBOARD)
    kept.touch("problems", [nov(20)])
    with CaptureQueriesContext(connection) as queries:
        board.counted(leader, Scope(NOVEMBER))
    counting = [query["sql"] for query in queries if "issues_issue" in query["sql"]]
    assert len(counting) == 1
