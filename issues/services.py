"""Every change to a problem: reporting, routing, the department's work, review, feedback.

Each public function is one transaction. `issue_transition` is the only code that
writes `Issue.status`: it locks the row, checks the move against the table in
`issues.workflow`, applies the move's effect, bumps the version, writes the
timeline event, and saves.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from issues import workflow
from issues.errors import MoveNotAllowed, StaleIssue, WorkflowError
from issues.models import (
    Action,
    ExtensionRequest,
    Feedback,
    Flow,
    Issue,
    IssueCategory,
    IssueEvent,
    Milestone,
    Status,
    SystemicMatter,
)
from issues.workflow import Capacity
from organisation.models import Department

# The refusals live in issues.errors; callers of these services may import them from here too.
__all__ = [
    "Assignment",
    "MoveNotAllowed",
    "StaleIssue",
    "WorkflowError",
    "issue_record_feedback",
    "issue_report",
    "issue_transition",
    "matter_create",
    "matter_decide",
]


@dataclass(frozen=True)
class Assignment:
    """Where an assigned problem goes: department, responsible person, deadline and roadmap."""

    department: Department
    responsible_person: str
    deadline: datetime.date
    milestones: Sequence[tuple[str, datetime.date]] = field(default_factory=tuple)


ROUTE_FLOWS = {Action.RESOLVE: Flow.ON_THE_SPOT, Action.ASSIGN: Flow.ASSIGNED, Action.ESCALATE: Flow.ESCALATED}


@transaction.atomic
def issue_report(
    *,
    actor,
    enterprise: Enterprise,
    title: str,
    category: IssueCategory,
    route: Action,
    description: str = "",
    note: str = "",
    assignment: Assignment | None = None,
    visit=None,
    now: datetime.datetime | None = None,
) -> Issue:
    """Record a problem the enterprise raised and route it one of the three ways, all or nothing."""
    now = now or timezone.now()
    cadre = getattr(actor, "cadre", None)
    if cadre is None or not enterprise.pairings.filter(cadre=cadre, ended_on__isnull=True).exists():
        raise MoveNotAllowed("not_paired", _("Only the cadre paired with this enterprise may report its problems."))
    if route not in ROUTE_FLOWS:
        raise WorkflowError(
            "route_required", _("Choose how the problem is handled: on the spot, assigned or escalated.")
        )
    if not title.strip():
        raise WorkflowError("title_required", _("The problem needs a title."))
    issue = Issue.objects.create(
        enterprise=enterprise,
        reporter=cadre,
        visit=visit,
        title=title.strip(),
        description=description,
        category=category,
        flow=ROUTE_FLOWS[route],
        status=Status.REPORTED,
        created_at=now,
    )
    IssueEvent.objects.create(
        issue=issue, actor=actor, action=Action.REPORT, to_status=Status.REPORTED, note=description, created_at=now
    )
    return issue_transition(
        issue_id=issue.pk, actor=actor, action=route, version=issue.version, note=note, assignment=assignment, now=now
    )


@transaction.atomic
def issue_transition(
    *,
    issue_id: int,
    actor,
    action: str,
    version: int | None,
    note: str = "",
    now: datetime.datetime | None = None,
    **payload,
) -> Issue:
    """Make one move on a problem, or refuse it and write nothing.

    `version` is the version the actor's page showed; when someone has moved the
    problem since, the move is refused as stale rather than applied to a state
    the actor never saw. Pass None only from code that has just read the row.
    """
    now = now or timezone.now()
    # The row lock makes concurrent moves queue up; the version check then refuses the later ones.
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    if version is not None and issue.version != version:
        raise StaleIssue("stale", _("Someone else changed this problem a moment ago. Reload the page and try again."))
    capacities = workflow.capacities_of(actor, issue)
    move = workflow.find_move(action, issue.status, capacities)
    if move is None:
        raise _refusal(action, issue)
    from_status = issue.status
    event_note = EFFECTS[move.action](issue, actor=actor, note=note.strip(), now=now, capacities=capacities, **payload)
    issue.status = move.target or issue.status
    issue.version += 1
    issue.save()
    IssueEvent.objects.create(
        issue=issue,
        actor=actor,
        action=move.action,
        from_status=from_status,
        to_status=issue.status,
        department=issue.department,
        note=event_note,
        created_at=now,
    )
    return issue


def issue_record_feedback(*, issue_id: int, actor, version: int | None, rating: str, comment: str = "", now=None):
    """Record the enterprise's word on a resolved problem: close it, or reopen it when dissatisfied."""
    action = Action.REOPEN if rating == Feedback.Rating.DISSATISFIED else Action.CLOSE
    return issue_transition(
        issue_id=issue_id, actor=actor, action=action, version=version, note=comment, rating=rating, now=now
    )


@transaction.atomic
def matter_create(*, actor, title: str, description: str = "", issue_ids: Sequence[int], now=None) -> SystemicMatter:
    """Group escalated problems under one systemic matter, so the leading group decides once."""
    if not title.strip():
        raise WorkflowError("title_required", _("The systemic matter needs a title."))
    if not issue_ids:
        raise WorkflowError("issues_required", _("Select at least one escalated problem to link."))
    matter = SystemicMatter.objects.create(
        title=title.strip(), description=description, created_by=actor, created_at=now or timezone.now()
    )
    for issue_id in issue_ids:
        issue_transition(issue_id=issue_id, actor=actor, action=Action.LINK, version=None, matter=matter, now=now)
    return matter


@transaction.atomic
def matter_decide(
    *, matter: SystemicMatter, actor, action: str, note: str = "", assignment: Assignment | None = None, now=None
) -> int:
    """Apply one leading-group decision to every escalated problem of the matter; return how many."""
    pending = list(matter.issues.filter(status=Status.ESCALATED).values_list("pk", flat=True))
    if not pending:
        raise WorkflowError("nothing_to_decide", _("No problem of this matter is waiting for a decision."))
    for issue_id in pending:
        issue_transition(
            issue_id=issue_id, actor=actor, action=action, version=None, note=note, assignment=assignment, now=now
        )
    return len(pending)


def _refusal(action: str, issue: Issue) -> MoveNotAllowed:
    label = Action(action).label if action in Action.values else action
    if workflow.move_exists(action, issue.status):
        return MoveNotAllowed("not_allowed", _("You may not “%(action)s” this problem.") % {"action": label})
    message = _("A problem that is “%(status)s” cannot be “%(action)s”.") % {
        "status": issue.get_status_display(),
        "action": label,
    }
    return MoveNotAllowed("wrong_status", message)


# --- The effect of each move. Each validates its payload, changes the problem's fields
# --- (never its status), and returns the note for the timeline.


def _require(text: str, message: str) -> str:
    if not text:
        raise WorkflowError("note_required", message)
    return text


def _resolve(issue: Issue, *, note: str, now, **_payload) -> str:
    _require(note, _("Say how the problem was resolved."))
    if issue.status in workflow.AWAITING_ROUTING:
        issue.flow = Flow.ON_THE_SPOT
    issue.resolution = note
    issue.resolved_at = now
    return note


def _assign(issue: Issue, *, note: str, now, capacities, assignment: Assignment | None = None, **_payload) -> str:
    if assignment is None or assignment.department is None:
        raise WorkflowError("department_required", _("Choose the responsible department."))
    if not assignment.responsible_person.strip():
        raise WorkflowError("person_required", _("Name the responsible person."))
    if assignment.deadline is None:
        raise WorkflowError("deadline_required", _("The deadline must be today or later."))
    if assignment.deadline < timezone.localdate(now):
        raise WorkflowError("deadline_past", _("The deadline must be today or later."))
    if not assignment.milestones:
        raise WorkflowError("roadmap_required", _("The roadmap needs at least one milestone with a planned date."))
    for title, planned_on in assignment.milestones:
        if not title.strip() or planned_on is None:
            raise WorkflowError("milestone_incomplete", _("Every milestone needs a description and a planned date."))
        if planned_on > assignment.deadline:
            raise WorkflowError("milestone_after_deadline", _("A milestone cannot be planned after the deadline."))
    if issue.status == Status.ESCALATED or (Capacity.LEADING_GROUP in capacities and Capacity.CADRE not in capacities):
        issue.supervised = True  # 督办: the leading group assigned it
    if issue.status in workflow.AWAITING_ROUTING:
        issue.flow = Flow.ASSIGNED
    issue.department = assignment.department
    issue.responsible_person = assignment.responsible_person.strip()
    issue.deadline = assignment.deadline
    Milestone.objects.bulk_create(
        Milestone(issue=issue, title=title.strip(), planned_on=planned_on, department=assignment.department)
        for title, planned_on in assignment.milestones
    )
    summary = _("Assigned to %(department)s, responsible person %(person)s, deadline %(deadline)s.") % {
        "department": assignment.department.name,
        "person": issue.responsible_person,
        "deadline": assignment.deadline.isoformat(),
    }
    return f"{summary} {note}".strip()


def _escalate(issue: Issue, *, note: str, **_payload) -> str:
    _require(note, _("Say why the problem is common, systemic or major."))
    issue.flow = Flow.ESCALATED
    return note


def _accept(issue: Issue, *, note: str, **_payload) -> str:
    return note


def _progress(issue: Issue, *, note: str, milestone_id: int | None = None, done_on=None, now, **_payload) -> str:
    if milestone_id is None:
        return _require(note, _("Describe the progress made."))
    milestone = issue.milestones.filter(pk=milestone_id, superseded=False).first()
    if milestone is None:
        raise WorkflowError("milestone_unknown", _("That milestone is not on this problem's current roadmap."))
    done_on = done_on or timezone.localdate(now)
    if done_on > timezone.localdate(now):
        raise WorkflowError("milestone_in_future", _("A milestone cannot be done in the future."))
    milestone.done_on, milestone.note = done_on, note
    milestone.save(update_fields=["done_on", "note"])
    return _("Milestone “%(title)s” done on %(date)s.") % {"title": milestone.title, "date": done_on} + (
        f" {note}" if note else ""
    )


def _leave_department(issue: Issue, reason: str, now) -> None:
    """Take the problem off its department's desk, keeping the roadmap and requests as history."""
    issue.milestones.filter(superseded=False).update(superseded=True)
    issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).update(
        decision=ExtensionRequest.Decision.REFUSED, decided_at=now, decision_note=reason
    )
    issue.department, issue.deadline, issue.responsible_person, issue.supervised = None, None, "", False


def _return(issue: Issue, *, note: str, now, **_payload) -> str:
    _require(note, _("Say why this is not your department's remit."))
    department = issue.department.name
    _leave_department(issue, _("The problem was returned."), now)
    return _("Returned by %(department)s: %(reason)s") % {"department": department, "reason": note}


def _send_back(issue: Issue, *, note: str, **_payload) -> str:
    return _require(note, _("Say why the problem is sent back."))


def _request_extension(issue: Issue, *, note: str, actor, now, new_deadline=None, **_payload) -> str:
    _require(note, _("Give the reason for the extension."))
    if new_deadline is None or new_deadline <= issue.deadline:
        raise WorkflowError("extension_not_later", _("The new deadline must be later than the current one."))
    if issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise WorkflowError("extension_pending", _("An extension request is already waiting for a decision."))
    ExtensionRequest.objects.create(
        issue=issue,
        requested_by=actor,
        old_deadline=issue.deadline,
        new_deadline=new_deadline,
        reason=note,
        created_at=now,
    )
    return _("Extension requested from %(old)s to %(new)s: %(reason)s") % {
        "old": issue.deadline,
        "new": new_deadline,
        "reason": note,
    }


def _decide_extension(issue: Issue, *, note: str, actor, now, approve: bool | None = None, **_payload) -> str:
    request = issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()
    if request is None:
        raise WorkflowError("no_extension", _("There is no extension request to decide."))
    if approve is None:
        raise WorkflowError("decision_required", _("Approve or refuse the extension."))
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, now, note
    request.save()
    if approve:
        issue.deadline = request.new_deadline
        text = _("Extension approved: deadline %(old)s moved to %(new)s.")
    else:
        text = _("Extension refused: the deadline stays %(old)s.")
    return (text % {"old": request.old_deadline, "new": request.new_deadline} + f" {note}").strip()


def _link(issue: Issue, *, matter: SystemicMatter | None = None, **_payload) -> str:
    if matter is None:
        raise WorkflowError("matter_required", _("Choose the systemic matter."))
    issue.matter = matter
    return _("Linked to the systemic matter “%(title)s”.") % {"title": matter.title}


def _feedback(issue: Issue, *, note: str, actor, now, rating: str | None, dissatisfied: bool) -> str:
    if rating not in Feedback.Rating.values or (rating == Feedback.Rating.DISSATISFIED) != dissatisfied:
        raise WorkflowError("rating_required", _("Record whether the enterprise is satisfied."))
    if dissatisfied:
        _require(note, _("Record what the enterprise is dissatisfied with."))
        issue.resolved_at = None
        _leave_department(issue, _("The problem was reopened."), now)
    else:
        issue.closed_at = now
    Feedback.objects.create(issue=issue, rating=rating, comment=note, recorded_by=actor, created_at=now)
    label = str(Feedback.Rating(rating).label)
    return f"{label}：{note}" if note else label


def _close(issue: Issue, *, note: str, actor, now, rating: str | None = None, **_payload) -> str:
    return _feedback(issue, note=note, actor=actor, now=now, rating=rating, dissatisfied=False)


def _reopen(issue: Issue, *, note: str, actor, now, rating: str | None = None, **_payload) -> str:
    return _feedback(issue, note=note, actor=actor, now=now, rating=rating, dissatisfied=True)


EFFECTS: dict[str, Callable[..., str]] = {
    Action.RESOLVE: _resolve,
    Action.ASSIGN: _assign,
    Action.ESCALATE: _escalate,
    Action.ACCEPT: _accept,
    Action.PROGRESS: _progress,
    Action.RETURN: _return,
    Action.SEND_BACK: _send_back,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.LINK: _link,
    Action.CLOSE: _close,
    Action.REOPEN: _reopen,
}
