import datetime

import pytest
from django.utils import timezone

from issues.models import Action, Issue
from issues.payloads import AssignPayload, MovePayload, RoutePayload
from issues.services import issue_report, issue_transition
from tests.factories import category


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def assignment(department, staff, today):
    """An assignment to `department`, which can receive it: `staff` works there."""
    return AssignPayload(
        department=department,
        responsible_person="张晓明",
        deadline=today + datetime.timedelta(days=15),
        milestones=(
            ("核实材料", today + datetime.timedelta(days=5)),
            ("办结答复", today + datetime.timedelta(days=14)),
        ),
    )


@pytest.fixture
def report(cadre, enterprise):
    """Report a problem for the cadre's enterprise, routed as the route's record says."""

    def _report(route: RoutePayload, **kwargs) -> Issue:
        kwargs.setdefault("title", "施工许可证办理进度缓慢")
        kwargs.setdefault("category", category("approvals"))
        return issue_report(actor=cadre.user, enterprise=enterprise, route=route, **kwargs)

    return _report


@pytest.fixture
def move():
    """Make a move as the given user on the problem's current version."""

    def _move(issue: Issue, user, action: Action, payload: MovePayload) -> Issue:
        issue.refresh_from_db()
        return issue_transition(issue_id=issue.pk, actor=user, action=action, version=issue.version, payload=payload)

    return _move
