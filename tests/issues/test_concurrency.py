"""Two people moving the same problem at the same moment, on real PostgreSQL row locks."""

import threading
import time

import pytest
from django.db import connection

from issues import workflow
from issues.errors import StaleIssue, WorkflowError
from issues.models import Action, IssueEvent, Status
from issues.payloads import AcceptPayload, MovePayload, ReturnPayload
from issues.services import issue_transition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_conflicting_moves_at_once_one_wins_and_the_other_is_told_it_changed(report, assignment, staff, monkeypatch):
    issue = report(assignment)
    seen = issue.version
    slow_capacities = workflow.capacities_of

    def capacities_after_a_pause(user, issue_):
        # Hold the row lock a while, so the two transactions certainly overlap.
        time.sleep(0.5)
        return slow_capacities(user, issue_)

    monkeypatch.setattr(workflow, "capacities_of", capacities_after_a_pause)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(name: str, action: str, payload: MovePayload) -> None:
        try:
            barrier.wait()
            issue_transition(issue_id=issue.pk, actor=staff.user, action=action, version=seen, payload=payload)
            outcomes[name] = "won"
        except WorkflowError as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("accept", Action.ACCEPT, AcceptPayload())),
        threading.Thread(target=attempt, args=("return", Action.RETURN, ReturnPayload(note="不属于本单位职责。"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(str(type(v).__name__) for v in outcomes.values()) == ["StaleIssue", "str"]
    loser = next(v for v in outcomes.values() if isinstance(v, StaleIssue))
    assert loser.code == "stale"
    issue.refresh_from_db()
    assert issue.status in (Status.IN_PROGRESS, Status.REPORTED)
    moves_after_assign = IssueEvent.objects.filter(issue=issue).exclude(action__in=["report", "assign"])
    assert moves_after_assign.count() == 1
    assert issue.version == seen + 1
