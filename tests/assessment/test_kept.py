"""The year's scores are kept (core/kept.py) while nothing they count changes, and counted again when it does.

A kept read makes fewer queries and shows the same page; a change made through the real entry point (a
problem resolved through the issues services, visits logged through the visits services, a weight changed in
the admin through the test client) shows at once on the next read. Today's year, as the pages show it.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment import scores, views
from assessment.models import Subject, Weight
from issues.models import Action, Issue
from issues.payloads import AcceptPayload, AssignPayload, ResolvePayload
from issues.services import issue_report, issue_transition
from organisation.models import Pairing
from tests import factories
from tests.kept_spy import counts_made
from visits.services import VisitData, visit_log

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def _get(client, url: str, **query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return response, len(queries)


def _year(client, **query):
    return _get(client, reverse("assessment:year", args=[THIS_YEAR]), **query)


def _breakdown(client, subject: str, pk: int):
    response, _queries = _get(client, reverse(f"assessment:{subject}", args=[THIS_YEAR, pk]))
    return response.context["score"]


def _shown(response) -> list:
    """What the year page shows of the scores: each table's rows with their breakdowns, the boards, the counts."""
    context = response.context

    def rows(scores) -> list:
        return [(s.unit_id, s.name, s.score, s.out_of, s.rank, [p.as_json() for p in s.items]) for s in scores]

    return [
        rows(score for score, _parts in context["cadre_rows"]),
        rows(score for score, _parts in context["department_rows"]),
        [(kind, rows(board.top), rows(board.bottom)) for kind, board in context["boards"]],
        context["page"].paginator.count,
        context["department_page"].paginator.count,
        [str(h.weight) for h in context["cadre_headings"]],
        context["years"],
    ]


def _without_tokens(html: str) -> str:
    """The page without its forms' CSRF and submission tokens (new on every response)."""
    return re.sub(r'name="(csrfmiddlewaretoken|submission)" value="[^"]+"', "", html)


def _problem(cadre, staff, today: datetime.date) -> Issue:
    """A problem the cadre reports today, assigned to the staff's department and accepted there."""
    pairing = Pairing.objects.get(cadre=cadre)
    issue = issue_report(
        actor=cadre.user,
        enterprise=pairing.enterprise,
        title="审批材料退回",
        category=factories.category("approvals"),
        route=AssignPayload(
            department=staff.department,
            responsible_person="经办人",
            deadline=today + datetime.timedelta(days=10),
            milestones=(("办结", today + datetime.timedelta(days=5)),),
        ),
    )
    return issue_transition(
        issue_id=issue.pk, actor=staff.user, action=Action.ACCEPT, version=issue.version, payload=AcceptPayload()
    )


def test_a_kept_read_makes_fewer_queries_and_shows_the_same_page(client, leader, cadre, staff, monkeypatch):
    client.force_login(leader)
    _year(client)  # the figures' version rows are made once per database (core/kept.py)
    _problem(cadre, staff, timezone.localdate())  # counted again after it
    first, counted = _year(client)
    again, kept = _year(client)
    assert kept < counted <= 12
    assert _shown(again) == _shown(first)
    assert _without_tokens(again.content.decode()) == _without_tokens(first.content.decode())
    assert cadre.name in again.content.decode() and staff.department.name in again.content.decode()
    # Another sort and page is its own answer, counted from the year's kept count, and kept in turn.
    counted_again = counts_made(monkeypatch)
    sorted_first, sorted_counted = _year(client, sort="-compliance", dsort="name")
    assert counted_again == ["assessment.year_page"]  # not the year: it is kept
    sorted_again, sorted_kept = _year(client, sort="-compliance", dsort="name")
    assert counted_again == ["assessment.year_page"]  # and the page is kept in turn
    assert sorted_kept <= sorted_counted <= counted
    assert _shown(sorted_again) == _shown(sorted_first)


def test_a_breakdown_is_read_from_the_kept_count_in_fewer_queries(client, leader, cadre, staff):
    client.force_login(leader)
    url = reverse("assessment:department", args=[THIS_YEAR, staff.department.pk])
    _get(client, url)  # the figures' version rows are made once per database (core/kept.py)
    _problem(cadre, staff, timezone.localdate())  # counted again after it
    first, counted = _get(client, url)
    again, kept = _get(client, url)
    assert kept < counted <= 12
    score = again.context["score"]
    assert [p.as_json() for p in score.items] == [p.as_json() for p in first.context["score"].items]
    assert score.part("response").counts == {"reported": 1, "answered": 1}


def test_a_problem_resolved_shows_at_once(client, leader, cadre, staff):
    today = timezone.localdate()
    issue = _problem(cadre, staff, today)
    client.force_login(leader)
    before = _breakdown(client, Subject.DEPARTMENT, staff.department.pk).part("on_time")
    assert before.counts["resolved_on_time"] == 0
    _year(client)  # the year page kept as well
    issue_transition(
        issue_id=issue.pk,
        actor=staff.user,
        action=Action.RESOLVE,
        version=issue.version,
        payload=ResolvePayload(note="已办结"),
    )
    after = _breakdown(client, Subject.DEPARTMENT, staff.department.pk).part("on_time")
    assert after.counts["resolved_on_time"] == 1
    page, _queries = _year(client)
    shown = {score.unit_id: score for score, _parts in page.context["department_rows"]}
    assert shown[staff.department.pk].part("on_time").counts["resolved_on_time"] == 1


def test_visits_logged_show_at_once(client, leader, cadre):
    today = timezone.localdate()
    pairing = Pairing.objects.get(cadre=cadre)
    client.force_login(leader)
    before = _breakdown(client, Subject.CADRE, cadre.pk).part("compliance")
    _year(client)  # the year page kept as well
    for _ in range(2):  # this month met: it counts while it runs
        visit_log(actor=cadre.user, pairing=pairing, data=VisitData(visited_on=today, mode="on_site"))
    after = _breakdown(client, Subject.CADRE, cadre.pk).part("compliance")
    assert after.counts["months_met"] == before.counts["months_met"] + 1
    assert after.counts["months_counted"] == before.counts["months_counted"] + 1
    again, _queries = _year(client)
    shown = {score.unit_id: score for score, _parts in again.context["cadre_rows"]}
    assert shown[cadre.pk].part("compliance").counts == after.counts


def test_a_move_counts_the_years_problems_again_not_its_visits_and_a_visit_the_visits_not_the_problems(
    client, leader, cadre, staff, monkeypatch
):
    """The year's two big parts are kept apart (assessment/scores.py `live(keep_parts=True)`)."""
    today = timezone.localdate()
    client.force_login(leader)
    counted = counts_made(monkeypatch)
    _year(client)
    assert {"assessment.live", "assessment.months", "assessment.problems"} <= set(counted)
    counted.clear()
    _problem(cadre, staff, today)
    _year(client)
    assert "assessment.problems" in counted and "assessment.months" not in counted
    counted.clear()
    visit_log(
        actor=cadre.user, pairing=Pairing.objects.get(cadre=cadre), data=VisitData(visited_on=today, mode="on_site")
    )
    _year(client)
    assert "assessment.months" in counted and "assessment.problems" not in counted


def test_a_weight_changed_in_the_admin_shows_at_once(client, leader, clerk, cadre):
    client.force_login(leader)
    page, _queries = _year(client)
    weight = Weight.objects.get(subject=Subject.CADRE, measure="compliance")
    out_of = page.context["out_of"][Subject.CADRE]
    office = Client()
    assert office.post(reverse("login"), {"username": "judy", "password": "secret-pass-123"}).status_code == 302
    changed = weight.points + 5
    response = office.post(reverse("admin:assessment_weight_change", args=[weight.pk]), {"points": str(changed)})
    assert response.status_code == 302
    again, _queries = _year(client)
    assert again.context["out_of"][Subject.CADRE] == out_of + 5
    heading = next(h for h in again.context["cadre_headings"] if h.key == "compliance")
    assert heading.weight == changed
    (score, parts) = next(row for row in again.context["cadre_rows"] if row[0].unit_id == cadre.pk)
    assert score.out_of == out_of + 5 and parts[0] is not None and parts[0].weight == changed
    assert _breakdown(client, Subject.CADRE, cadre.pk).out_of == out_of + Decimal(5)


def test_the_warm_up_counts_the_page_as_it_opens_after_a_change(client, leader, cadre, staff):
    client.force_login(leader)
    _year(client)
    _page, kept = _year(client)
    _problem(cadre, staff, timezone.localdate())
    views.warm()  # as the worker does a few seconds after the change (settings.KEPT_WARMERS)
    page, queries = _year(client)
    assert queries == kept  # read as kept: the worker counted it
    shown = {score.unit_id: score for score, _parts in page.context["cadre_rows"]}
    assert shown[cadre.pk].part("response").counts == {"reported": 1, "answered": 1}


def test_the_kept_count_gives_the_scores_ranks_and_breakdowns_as_counted(year):
    from tests.assessment.test_ranking import _more

    _more(year)  # ties: equal scores share a rank, listed by name then id
    counted = scores.live(2025)
    kept_count = scores.kept_live(2025)
    assert scores.kept_live(2025).rows(Subject.CADRE) == kept_count.rows(Subject.CADRE)  # read as kept
    for subject in Subject.values:
        assert kept_count.rows(subject) == counted.rows(subject)
        assert [(s.unit_id, s.score, s.rank, [p.as_json() for p in s.items]) for s in kept_count.scores(subject)] == [
            (s.unit_id, s.score, s.rank, [p.as_json() for p in s.items]) for s in counted.scores(subject)
        ]
    assert kept_count.weights == counted.weights and kept_count.as_of == counted.as_of and kept_count.is_over
