"""The effect of each move on a problem, given its typed payload.

Each effect validates its payload, changes the problem's fields (never its status: only
`issue_transition` writes that) and returns the note for the timeline. A refusal is a
`WorkflowError` with a stable code; the transaction around the move then writes nothing.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from issues import workflow
from issues.errors import WorkflowError
from issues.models import ExtensionRequest, Feedback, Flow, Issue, Milestone, Status
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionDecisionPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    LinkPayload,
    ProgressPayload,
    ResolvePayload,
    ReturnPayload,
    SendBackPayload,
)
from issues.workflow import Capacity
from organisation.models import Department

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _require_note(note: str, message: str) -> str:
    if not note:
        raise WorkflowError("note_required", message)
    return note


def resolve(
    issue: Issue, payload: ResolvePayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    note = _require_note(payload.note, _("Say how the problem was resolved."))
    if issue.status in workflow.AWAITING_ROUTING:
        issue.flow = Flow.ON_THE_SPOT
    issue.resolution = note
    issue.resolved_at = now
    return note


def assign(
    issue: Issue, payload: AssignPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    department, deadline = payload.department, payload.deadline
    if department is None:
        raise WorkflowError("department_required", _("Choose the responsible department."))
    _check_can_receive(department)
    person = payload.responsible_person.strip()
    if not person:
        raise WorkflowError("person_required", _("Name the responsible person."))
    if deadline is None:
        raise WorkflowError("deadline_required", _("The deadline must be today or later."))
    if deadline < timezone.localdate(now):
        raise WorkflowError("deadline_past", _("The deadline must be today or later."))
    _check_roadmap(payload.milestones, deadline)
    if issue.status == Status.ESCALATED or (Capacity.LEADING_GROUP in capacities and Capacity.CADRE not in capacities):
        issue.supervised = True  # 督办: the leading group assigned it
    if issue.status in workflow.AWAITING_ROUTING:
        issue.flow = Flow.ASSIGNED
    issue.department = department
    issue.responsible_person = person
    issue.deadline = deadline
    Milestone.objects.bulk_create(
        Milestone(issue=issue, title=title.strip(), planned_on=planned_on, department=department)
        for title, planned_on in payload.milestones
    )
    summary = _("Assigned to %(department)s, responsible person %(person)s, deadline %(deadline)s.") % {
        "department": department.name,
        "person": person,
        "deadline": deadline.isoformat(),
    }
    return f"{summary} {payload.note}".strip()


def _check_can_receive(department: Department) -> None:
    """Refuse a unit where no one could accept the problem (`Department.objects.can_receive`)."""
    if Department.objects.can_receive().filter(pk=department.pk).exists():
        return
    names = {"department": department.name}
    if not Department.objects.active().filter(pk=department.pk).exists():
        raise WorkflowError("unit_inactive", _("%(department)s no longer receives problems.") % names)
    raise WorkflowError(
        "unit_without_staff",
        _(
            "%(department)s has no staff account yet, so no one there could accept the problem."
            " Choose another unit, or ask the campaign office to add its staff."
        )
        % names,
    )


def _check_roadmap(milestones: tuple[tuple[str, datetime.date], ...], deadline: datetime.date) -> None:
    if not milestones:
        raise WorkflowError("roadmap_required", _("The roadmap needs at least one milestone with a planned date."))
    for title, planned_on in milestones:
        if not title.strip() or planned_on is None:
            raise WorkflowError("milestone_incomplete", _("Every milestone needs a description and a planned date."))
        if planned_on > deadline:
            raise WorkflowError("milestone_after_deadline", _("A milestone cannot be planned after the deadline."))


def escalate(
    issue: Issue, payload: EscalatePayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    note = _require_note(payload.note, _("Say why the problem is common, systemic or major."))
    issue.flow = Flow.ESCALATED
    return note


def accept(
    issue: Issue, payload: AcceptPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    return payload.note


def progress(
    issue: Issue, payload: ProgressPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    note = payload.note
    if payload.milestone_id is None:
        return _require_note(note, _("Describe the progress made."))
    milestone = issue.milestones.filter(pk=payload.milestone_id, superseded=False).first()
    if milestone is None:
        raise WorkflowError("milestone_unknown", _("That milestone is not on this problem's current roadmap."))
    today = timezone.localdate(now)
    done_on = payload.done_on or today
    if done_on > today:
        raise WorkflowError("milestone_in_future", _("A milestone cannot be done in the future."))
    milestone.done_on, milestone.note = done_on, note
    milestone.save(update_fields=["done_on", "note"])
    return _("Milestone “%(title)s” done on %(date)s.") % {"title": milestone.title, "date": done_on} + (
        f" {note}" if note else ""
    )


def _leave_department(issue: Issue, reason: str, now: datetime.datetime) -> None:
    """Take the problem off its department's desk, keeping the roadmap and requests as history."""
    issue.milestones.filter(superseded=False).update(superseded=True)
    issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).update(
        decision=ExtensionRequest.Decision.REFUSED, decided_at=now, decision_note=reason
    )
    issue.department, issue.deadline, issue.responsible_person, issue.supervised = None, None, "", False


def return_(
    issue: Issue, payload: ReturnPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    note = _require_note(payload.note, _("Say why this is not your department's remit."))
    # The table lets only the problem's own department return it, so it has one.
    department = issue.department.name if issue.department else ""
    _leave_department(issue, _("The problem was returned."), now)
    return _("Returned by %(department)s: %(reason)s") % {"department": department, "reason": note}


def send_back(
    issue: Issue, payload: SendBackPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    return _require_note(payload.note, _("Say why the problem is sent back."))


def request_extension(
    issue: Issue,
    payload: ExtensionRequestPayload,
    *,
    actor: User,
    now: datetime.datetime,
    capacities: frozenset[Capacity],
) -> str:
    note = _require_note(payload.note, _("Give the reason for the extension."))
    old, new = issue.deadline, payload.new_deadline
    if old is None or new <= old:
        raise WorkflowError("extension_not_later", _("The new deadline must be later than the current one."))
    if issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise WorkflowError("extension_pending", _("An extension request is already waiting for a decision."))
    ExtensionRequest.objects.create(
        issue=issue, requested_by=actor, old_deadline=old, new_deadline=new, reason=note, created_at=now
    )
    return _("Extension requested from %(old)s to %(new)s: %(reason)s") % {"old": old, "new": new, "reason": note}


def decide_extension(
    issue: Issue,
    payload: ExtensionDecisionPayload,
    *,
    actor: User,
    now: datetime.datetime,
    capacities: frozenset[Capacity],
) -> str:
    request = issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()
    if request is None:
        raise WorkflowError("no_extension", _("There is no extension request to decide."))
    approve = payload.approve
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, now, payload.note
    request.save()
    if approve:
        issue.deadline = request.new_deadline
        text = _("Extension approved: deadline %(old)s moved to %(new)s.")
    else:
        text = _("Extension refused: the deadline stays %(old)s.")
    return (text % {"old": request.old_deadline, "new": request.new_deadline} + f" {payload.note}").strip()


def link(
    issue: Issue, payload: LinkPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    issue.matter = payload.matter
    text = _("Linked to the systemic matter “%(title)s”.") % {"title": payload.matter.title}
    return f"{text} {payload.note}".strip()


def close(
    issue: Issue, payload: FeedbackPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    return _feedback(issue, payload, actor=actor, now=now, dissatisfied=False)


def reopen(
    issue: Issue, payload: FeedbackPayload, *, actor: User, now: datetime.datetime, capacities: frozenset[Capacity]
) -> str:
    return _feedback(issue, payload, actor=actor, now=now, dissatisfied=True)


def _feedback(
    issue: Issue, payload: FeedbackPayload, *, actor: User, now: datetime.datetime, dissatisfied: bool
) -> str:
    rating, note = payload.rating, payload.note
    # Closing takes a satisfied rating, reopening the dissatisfied one: anything else is no answer.
    if rating not in Feedback.Rating.values or (rating == Feedback.Rating.DISSATISFIED) != dissatisfied:
        raise WorkflowError("rating_required", _("Record whether the enterprise is satisfied."))
    if dissatisfied:
        _require_note(note, _("Record what the enterprise is dissatisfied with."))
        issue.resolved_at = None
        _leave_department(issue, _("The problem was reopened."), now)
    else:
        issue.closed_at = now
    Feedback.objects.create(issue=issue, rating=rating, comment=note, recorded_by=actor, created_at=now)
    label = str(Feedback.Rating(rating).label)
    return f"{label}：{note}" if note else label
