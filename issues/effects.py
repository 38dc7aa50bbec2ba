"""The effect of each move on a problem, given its typed payload.

Each effect validates its payload, changes the problem's fields (never its status: only
`issue_transition` writes that) and returns its timeline entry (`issues.timeline.Entry`: the
sentence's kind and values, the user's note), rendered in each reader's language. A refusal is a
`WorkflowError` with a stable code; the transaction around the move then writes nothing.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from core.text import is_blank
from enterprises.models import EnterpriseLink
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
    ReassignPayload,
    ResolvePayload,
    ReturnPayload,
    SendBackPayload,
)
from issues.timeline import Entry
from issues.workflow import Actor, Capacity
from organisation.models import Department, DepartmentStaff

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _user_or_none(actor: Actor) -> User | None:
    """The user behind a move; None when the enterprise made it through its link."""
    return None if isinstance(actor, EnterpriseLink) else actor


def _user(actor: Actor) -> User:
    """The user behind a move only a user can make (the transition table gives the enterprise no other)."""
    if isinstance(actor, EnterpriseLink):
        raise TypeError("The enterprise's link makes no move but its feedback.")
    return actor


def _require_note(note: str, message: str) -> str:
    if is_blank(note):
        raise WorkflowError("note_required", message)
    return note


def _in_window(day: datetime.date, now: datetime.datetime) -> None:
    """Refuse a date outside the portal's window (core/dates.py) with its code."""
    today = timezone.localdate(now)
    if not dates.in_range(day, today):
        raise WorkflowError(dates.DATE_OUT_OF_RANGE, dates.out_of_range_message(day, today))


def resolve(
    issue: Issue, payload: ResolvePayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    note = _require_note(payload.note, _("Say how the problem was resolved."))
    if issue.status in workflow.AWAITING_ROUTING:
        issue.flow = Flow.ON_THE_SPOT
    issue.resolution = note
    issue.resolved_at = now
    # The department's reply ends its time on the problem: a request for more of it is moot.
    withdrawn = _withdraw_extension(issue, actor=actor, now=now, reason="resolved")
    return Entry(note=note).withdrawing(withdrawn)


def assign(
    issue: Issue, payload: AssignPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    desk = _check_assignment(payload, now)
    if issue.status == Status.ESCALATED or (Capacity.LEADING_GROUP in capacities and Capacity.CADRE not in capacities):
        issue.supervised = True  # 督办: the leading group assigned it
    if issue.status in workflow.AWAITING_ROUTING:
        issue.flow = Flow.ASSIGNED
    _give_to(issue, payload, desk)
    return Entry("assigned", _assignment(issue), payload.note)


def _check_assignment(payload: AssignPayload, now: datetime.datetime) -> Desk:
    """Refuse an assignment without its department, person, deadline or roadmap; return where it goes."""
    department, deadline = payload.department, payload.deadline
    if department is None:
        raise WorkflowError("department_required", _("Choose the responsible department."))
    _check_can_receive(department)
    staff, person = _responsible(payload, department)
    if deadline is None:
        raise WorkflowError("deadline_required", _("The deadline must be today or later."))
    if deadline < timezone.localdate(now):
        raise WorkflowError("deadline_past", _("The deadline must be today or later."))
    _in_window(deadline, now)
    _check_roadmap(payload.milestones, deadline, now)
    return Desk(department, staff, person, deadline)


class Desk(NamedTuple):
    """Where an assignment puts a problem: the unit, its responsible person (account and name), the deadline."""

    department: Department
    staff: DepartmentStaff | None
    person: str
    deadline: datetime.date


def _give_to(issue: Issue, payload: AssignPayload, desk: Desk) -> None:
    """Put the problem in the department's hands, with its person, deadline and a new roadmap."""
    department = desk.department
    issue.department = department
    issue.responsible_person, issue.responsible_staff = desk.person, desk.staff
    issue.deadline = desk.deadline
    Milestone.objects.bulk_create(
        Milestone(issue=issue, title=title.strip(), planned_on=planned_on, department=department)
        for title, planned_on in payload.milestones
    )


def _assignment(issue: Issue) -> dict[str, str]:
    """The values of the timeline's "assigned to" sentence."""
    return {
        "department": issue.department.name if issue.department else "",
        "person": issue.responsible_person,
        "deadline": issue.deadline.isoformat() if issue.deadline else "",
    }


def _responsible(payload: AssignPayload, department: Department) -> tuple[DepartmentStaff | None, str]:
    """Return the responsible person's account (if one was picked) and the name the problem shows."""
    staff, typed = payload.responsible_staff, payload.responsible_person.strip()
    if staff is None:
        if not typed:
            raise WorkflowError("person_required", _("Name the responsible person."))
        return None, typed
    if staff.department_id != department.pk:
        raise WorkflowError(
            "staff_not_in_unit",
            _("%(person)s is not on the staff of %(department)s: pick one of its staff, or type the name.")
            % {"person": staff.name, "department": department.name},
        )
    if typed and typed != staff.name:
        raise WorkflowError("person_conflict", _("Pick the responsible person's account or type a name, not both."))
    return staff, staff.name


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


def _check_roadmap(
    milestones: tuple[tuple[str, datetime.date], ...], deadline: datetime.date, now: datetime.datetime
) -> None:
    if not milestones:
        raise WorkflowError("roadmap_required", _("The roadmap needs at least one milestone with a planned date."))
    for title, planned_on in milestones:
        if is_blank(title) or planned_on is None:
            raise WorkflowError("milestone_incomplete", _("Every milestone needs a description and a planned date."))
        if planned_on > deadline:
            raise WorkflowError("milestone_after_deadline", _("A milestone cannot be planned after the deadline."))
        _in_window(planned_on, now)


def escalate(
    issue: Issue, payload: EscalatePayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    note = _require_note(payload.note, _("Say why the problem is common, systemic or major."))
    issue.flow = Flow.ESCALATED
    return Entry(note=note)


def accept(
    issue: Issue, payload: AcceptPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    return Entry(note=payload.note)


def progress(
    issue: Issue, payload: ProgressPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    note = payload.note
    if payload.milestone_id is None:
        return Entry(note=_require_note(note, _("Describe the progress made.")))
    milestone = issue.milestones.filter(pk=payload.milestone_id, superseded=False).first()
    if milestone is None:
        raise WorkflowError("milestone_unknown", _("That milestone is not on this problem's current roadmap."))
    today = timezone.localdate(now)
    done_on = payload.done_on or today
    if done_on > today:
        raise WorkflowError("milestone_in_future", _("A milestone cannot be done in the future."))
    _in_window(done_on, now)
    milestone.done_on, milestone.note = done_on, note
    milestone.save(update_fields=["done_on", "note"])
    return Entry("milestone_done", {"title": milestone.title, "date": done_on.isoformat()}, note)


def _withdraw_extension(issue: Issue, *, actor: Actor, now: datetime.datetime, reason: str) -> str:
    """Withdraw the extension request still waiting, if any: nobody can decide it once the problem moves on.

    `reason` is a key of `issues.timeline.WITHDRAWN_BECAUSE`, said in the reader's language. Return the withdrawn
    request's new deadline, which the move's timeline mentions, or "" when nothing was waiting.
    """
    request = issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()
    if request is None:
        return ""
    request.decision = ExtensionRequest.Decision.WITHDRAWN
    request.decided_by, request.decided_at, request.decision_note = _user_or_none(actor), now, reason
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    return request.new_deadline.isoformat()


def _leave_department(issue: Issue, *, actor: Actor, now: datetime.datetime, reason: str) -> str:
    """Take the problem off its department's desk, keeping the roadmap and requests as history.

    Return the new deadline of the extension request it withdrew, for the timeline ("" if none).
    """
    issue.milestones.filter(superseded=False).update(superseded=True)
    withdrawn = _withdraw_extension(issue, actor=actor, now=now, reason=reason)
    issue.department, issue.deadline, issue.responsible_person, issue.supervised = None, None, "", False
    issue.responsible_staff = None
    return withdrawn


def return_(
    issue: Issue, payload: ReturnPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    note = _require_note(payload.note, _("Say why this is not your department's remit."))
    # The table lets only the problem's own department return it, so it has one.
    department = issue.department.name if issue.department else ""
    withdrawn = _leave_department(issue, actor=actor, now=now, reason="returned")
    return Entry("returned", {"department": department, "reason": note}).withdrawing(withdrawn)


def reassign(
    issue: Issue, payload: ReassignPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    reason = _require_note(payload.note, _("Say why the problem is taken back and reassigned."))
    desk = _check_assignment(payload.assignment, now)
    before = {
        "old": issue.department.name if issue.department else "",
        "old_person": issue.responsible_person or "—",
        "old_deadline": issue.deadline.isoformat() if issue.deadline else "—",
    }
    # 督办 stays with a supervised problem, and the leading group's reassignment is supervised as its assignment is.
    supervised = issue.supervised or Capacity.LEADING_GROUP in capacities
    withdrawn = _leave_department(issue, actor=actor, now=now, reason="reassigned")
    _give_to(issue, payload.assignment, desk)
    issue.supervised = supervised
    values = {**before, **_assignment(issue), "reason": reason}
    return Entry("reassigned", values, payload.assignment.note).withdrawing(withdrawn)


def send_back(
    issue: Issue, payload: SendBackPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    return Entry(note=_require_note(payload.note, _("Say why the problem is sent back.")))


def request_extension(
    issue: Issue,
    payload: ExtensionRequestPayload,
    *,
    actor: Actor,
    now: datetime.datetime,
    capacities: frozenset[Capacity],
) -> Entry:
    note = _require_note(payload.note, _("Give the reason for the extension."))
    old, new = issue.deadline, payload.new_deadline
    _in_window(new, now)
    if old is None or new <= old:
        raise WorkflowError("extension_not_later", _("The new deadline must be later than the current one."))
    ExtensionRequest.objects.create(
        issue=issue, requested_by=_user(actor), old_deadline=old, new_deadline=new, reason=note, created_at=now
    )
    return Entry("extension_requested", {"old": old.isoformat(), "new": new.isoformat(), "reason": note})


def decide_extension(
    issue: Issue,
    payload: ExtensionDecisionPayload,
    *,
    actor: Actor,
    now: datetime.datetime,
    capacities: frozenset[Capacity],
) -> Entry:
    # The move's precondition (workflow.EXTENSION_PENDING) made sure there is one.
    request = issue.extensions.get(decision=ExtensionRequest.Decision.PENDING)
    approve = payload.approve
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = _user(actor), now, payload.note
    request.save()
    if approve:
        issue.deadline = request.new_deadline
    values = {"old": request.old_deadline.isoformat(), "new": request.new_deadline.isoformat()}
    return Entry("extension_approved" if approve else "extension_refused", values, payload.note)


def link(
    issue: Issue, payload: LinkPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    issue.matter = payload.matter
    return Entry("linked", {"title": payload.matter.title}, payload.note)


def close(
    issue: Issue, payload: FeedbackPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    return _feedback(issue, payload, actor=actor, now=now, dissatisfied=False)


def reopen(
    issue: Issue, payload: FeedbackPayload, *, actor: Actor, now: datetime.datetime, capacities: frozenset[Capacity]
) -> Entry:
    return _feedback(issue, payload, actor=actor, now=now, dissatisfied=True)


def _feedback(
    issue: Issue, payload: FeedbackPayload, *, actor: Actor, now: datetime.datetime, dissatisfied: bool
) -> Entry:
    rating, note = payload.rating, payload.note
    # Closing takes a satisfied rating, reopening the dissatisfied one: anything else is no answer.
    if rating not in Feedback.Rating.values or (rating == Feedback.Rating.DISSATISFIED) != dissatisfied:
        raise WorkflowError("rating_required", _("Record whether the enterprise is satisfied."))
    if dissatisfied:
        _require_note(note, _("Record what the enterprise is dissatisfied with."))
        issue.resolved_at = None
        withdrawn = _leave_department(issue, actor=actor, now=now, reason="reopened")
    else:
        issue.closed_at = now
        withdrawn = ""
    # The record says who gave it: the enterprise through its link, or the cadre on its behalf.
    link = actor if isinstance(actor, EnterpriseLink) else None
    Feedback.objects.create(
        issue=issue, rating=rating, comment=note, recorded_by=_user_or_none(actor), enterprise_link=link, created_at=now
    )
    return Entry("feedback", {"rating": rating}, note).withdrawing(withdrawn)
