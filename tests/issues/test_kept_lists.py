"""The lists' kept counts (core/kept.py): the inbox's tabs, the ledger's count, the review desk's problem tabs.

Each is read, changed through the real service, and read again: the new figure shows at once. A second read of
the same state is answered from the kept figure, in fewer queries than the first.
"""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.models import Action, Issue, Status
from issues.payloads import AcceptPayload, EscalatePayload, ReassignPayload
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("issues:inbox")
LEDGER = reverse("issues:ledger")
REVIEW = reverse("issues:review")
# Read first, so that the session and the content types are read before the counted reads.
ELSEWHERE = reverse("notifications:list")


def _read(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(captured)


def _tabs(response) -> dict[str, int]:
    return {tab.key: tab.count for tab in response.context["tabs"]}


def test_the_inbox_counts_a_move_at_once_and_a_kept_read_makes_fewer_queries(
    client, report, assignment, staff, office, other_department, other_staff, move
):
    first, second = report(assignment, title="待接收一"), report(assignment, title="待接收二")
    client.force_login(staff.user)
    client.get(ELSEWHERE)
    response, missed = _read(client, INBOX, {"tab": "in_progress"})
    assert _tabs(response) == {"new": 2, "in_progress": 0, "due_soon": 0, "overdue": 0, "history": 0}
    _, kept = _read(client, INBOX, {"tab": "in_progress"})
    assert kept < missed

    move(first, staff.user, Action.ACCEPT, AcceptPayload(note="已接收"))
    response, _ = _read(client, INBOX, {"tab": "in_progress"})
    assert _tabs(response) == {"new": 1, "in_progress": 1, "due_soon": 0, "overdue": 0, "history": 0}
    assert [issue.pk for issue in response.context["page"]] == [first.pk]

    # Handed on to another department: no longer held, handled before.
    onward = ReassignPayload(
        assignment=dataclasses.replace(assignment, department=other_department, responsible_person="赵丽华"),
        note="改派",
    )
    move(second, office, Action.REASSIGN, onward)
    response, _ = _read(client, INBOX, {"tab": "history"})
    assert _tabs(response) == {"new": 0, "in_progress": 1, "due_soon": 0, "overdue": 0, "history": 1}
    assert [issue.pk for issue in response.context["page"]] == [second.pk]


def test_the_inbox_judges_due_soon_and_overdue_against_today(client, report, assignment, staff, move, today):
    issue = report(assignment)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    client.force_login(staff.user)
    response, _ = _read(client, INBOX)
    assert (_tabs(response)["due_soon"], _tabs(response)["overdue"]) == (0, 0)
    # Read again on the day after its deadline: the kept figure of today is not the answer.
    later = timezone.now() + datetime.timedelta(days=(assignment.deadline - today).days + 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        client.force_login(staff.user)  # a session of that day
        response, _ = _read(client, INBOX)
    assert (_tabs(response)["due_soon"], _tabs(response)["overdue"]) == (0, 1)


def test_the_ledger_counts_a_new_problem_at_once_and_a_kept_read_makes_fewer_queries(
    client, report, assignment, leader
):
    report(assignment, title="第一件")
    client.force_login(leader)
    client.get(ELSEWHERE)
    response, missed = _read(client, LEDGER, {"page": "last"})
    assert response.context["page"].paginator.count == 1
    _, kept = _read(client, LEDGER, {"page": "last"})
    assert kept < missed

    added = report(assignment, title="第二件")
    response, _ = _read(client, LEDGER, {"page": "last"})
    assert response.context["page"].paginator.count == 2
    assert response.context["page"][0].pk == added.pk


def test_the_ledgers_kept_count_is_the_filters_own(client, report, assignment, leader, staff, move):
    accepted, waiting = report(assignment), report(assignment)
    client.force_login(leader)
    in_progress = {"status": Status.IN_PROGRESS}
    assert _read(client, LEDGER, in_progress)[0].context["page"].paginator.count == 0
    assert _read(client, LEDGER, {"status": Status.ASSIGNED})[0].context["page"].paginator.count == 2
    move(accepted, staff.user, Action.ACCEPT, AcceptPayload())
    response, _ = _read(client, LEDGER, in_progress)
    assert response.context["page"].paginator.count == 1
    assert [issue.pk for issue in response.context["page"]] == [accepted.pk]
    assert _read(client, LEDGER, {"status": Status.ASSIGNED})[0].context["page"].paginator.count == 1
    assert Issue.objects.get(pk=waiting.pk).status == Status.ASSIGNED


def test_a_department_sees_its_own_ledger_count(client, report, assignment, staff, other_staff, leader):
    report(assignment)
    client.force_login(leader)
    assert _read(client, LEDGER)[0].context["page"].paginator.count == 1
    client.force_login(other_staff.user)
    assert _read(client, LEDGER)[0].context["page"].paginator.count == 0
    client.force_login(staff.user)
    assert _read(client, LEDGER)[0].context["page"].paginator.count == 1


def test_the_review_desk_counts_an_escalation_at_once_and_a_kept_read_makes_fewer_queries(client, report, leader):
    report(EscalatePayload(note="共性问题"))
    client.force_login(leader)
    client.get(ELSEWHERE)
    response, missed = _read(client, REVIEW)
    assert _tabs(response) == {"escalated": 1, "routing": 0, "extensions": 0, "matters": 0}
    _, kept = _read(client, REVIEW)
    assert kept < missed

    second = report(EscalatePayload(note="又一件"))
    response, _ = _read(client, REVIEW)
    assert _tabs(response) == {"escalated": 2, "routing": 0, "extensions": 0, "matters": 0}
    assert [issue.pk for issue in response.context["page"]][-1] == second.pk


def test_the_ledgers_street_filter_offers_a_new_street_at_once(client, leader, enterprise):
    enterprise.street = "纺织城街道"
    enterprise.save()
    client.force_login(leader)
    client.get(ELSEWHERE)
    response, missed = _read(client, LEDGER)
    assert [value for value, _ in response.context["filter"].form.fields["street"].choices][1:] == ["纺织城街道"]
    _, kept = _read(client, LEDGER)
    assert kept < missed

    EnterpriseFactory(street="灞桥街道")
    response, _ = _read(client, LEDGER)
    assert [value for value, _ in response.context["filter"].form.fields["street"].choices][1:] == [
        "灞桥街道",
        "纺织城街道",
    ]
    assert '<option value="灞桥街道">灞桥街道</option>' in response.content.decode()
