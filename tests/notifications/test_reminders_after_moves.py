"""Reminders follow the problem: a withdrawn extension request and a department's old deadline remind no one."""

import datetime

import pytest

from issues.models import Action, ExtensionRequest
from issues.payloads import AssignPayload, ExtensionRequestPayload, ReassignPayload, ResolvePayload
from issues.services import issue_transition
from notifications.models import Kind
from tests.notifications.conftest import NOW, TODAY
from tests.notifications.test_reminders import due_of

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _move(issue, user, action, payload, when):
    issue.refresh_from_db()
    return issue_transition(
        issue_id=issue.pk, actor=user, action=action, version=issue.version, payload=payload, now=when
    )


def test_a_request_withdrawn_by_the_departments_reply_is_no_longer_waiting_for_anyone(assigned, staff, leader, office):
    issue = assigned(TODAY + 10 * DAY)
    request = ExtensionRequestPayload(new_deadline=TODAY + 20 * DAY, note="需等待上级批复")
    _move(issue, staff.user, Action.REQUEST_EXTENSION, request, NOW - 4 * DAY)
    assert {r for _o, r, _p in due_of(Kind.EXTENSION_PENDING)} == {leader.pk, office.pk}
    _move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), NOW - DAY)
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.WITHDRAWN
    assert due_of(Kind.EXTENSION_PENDING) == []


def test_a_reassigned_problem_reminds_the_new_department_on_the_new_deadline_only(
    assigned, staff, other_staff, cadre, office
):
    issue = assigned(TODAY - 8 * DAY)  # long overdue with the first department
    assert staff.user_id in {r for _o, r, _p in due_of(Kind.ISSUE_OVERDUE)}
    new_deadline = TODAY + 2 * DAY
    reassignment = ReassignPayload(
        assignment=AssignPayload(
            department=other_staff.department,
            responsible_person="赵丽华",
            deadline=new_deadline,
            milestones=(("办结答复", new_deadline),),
        ),
        note="原单位逾期未办",
    )
    _move(issue, office, Action.REASSIGN, reassignment, NOW)
    assert due_of(Kind.ISSUE_OVERDUE) == [] and due_of(Kind.ISSUE_SUPERVISE) == []
    assert due_of(Kind.ISSUE_DUE_SOON) == [(issue.pk, other_staff.user_id, str(new_deadline))]
    # Past the new deadline, the new department and the cadre are told, on the new deadline's clock.
    overdue = due_of(Kind.ISSUE_OVERDUE, NOW + 3 * DAY)
    assert overdue == sorted((issue.pk, u, f"{new_deadline}#0") for u in (other_staff.user_id, cadre.user_id))
