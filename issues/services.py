"""Every change to a problem: reporting, routing, the department's work, review, feedback.

Each public function is one transaction. `issue_transition` is the only code that
writes `Issue.status`: it locks the row, checks the move against the table in
`issues.workflow`, applies the move's effect (`issues.moves`) with its typed payload,
bumps the version, writes the timeline event, and saves; then it announces the move
(`issues.signals.issue_moved`) so the apps above can tell whoever's turn it is now.
"""

import dataclasses
import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import is_blank
from enterprises.models import Enterprise, EnterpriseLink
from issues import workflow
from issues.errors import MoveNotAllowed, StaleIssue, WorkflowError
from issues.models import Action, Feedback, Flow, Issue, IssueCategory, IssueEvent, Source, Status, SystemicMatter
from issues.moves import spec_for
from issues.payloads import (
    AssignPayload,
    EscalatePayload,
    FeedbackPayload,
    LinkPayload,
    MovePayload,
    ResolvePayload,
    RoutePayload,
)
from issues.signals import MoveMade, issue_moved

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The refusals live in issues.errors; callers of these services may import them from here too.
__all__ = [
    "MoveNotAllowed",
    "StaleIssue",
    "WorkflowError",
    "feedback_action",
    "issue_record_feedback",
    "issue_report",
    "issue_request",
    "issue_transition",
    "matter_create",
    "matter_decide",
]

# The three ways a reported problem goes; the route's record says which.
ROUTES: dict[type[RoutePayload], tuple[Action, Flow]] = {
    ResolvePayload: (Action.RESOLVE, Flow.ON_THE_SPOT),
    AssignPayload: (Action.ASSIGN, Flow.ASSIGNED),
    EscalatePayload: (Action.ESCALATE, Flow.ESCALATED),
}


@transaction.atomic
def issue_report(
    *,
    actor: "User",
    enterprise: Enterprise,
    title: str,
    category: IssueCategory,
    route: RoutePayload,
    description: str = "",
    visit: Any = None,  # a visits.Visit: issues sits below visits, so it may not import the type
    now: datetime.datetime | None = None,
) -> Issue:
    """Record a problem the enterprise raised and route it one of the three ways, all or nothing."""
    action, flow = _route(route)
    now = now or timezone.now()
    cadre = getattr(actor, "cadre", None)
    if cadre is None or not enterprise.pairings.filter(cadre=cadre, ended_on__isnull=True).exists():
        raise MoveNotAllowed("not_paired", _("Only the cadre paired with this enterprise may report its problems."))
    if is_blank(title):
        raise WorkflowError("title_required", _("The problem needs a title."))
    issue = Issue.objects.create(
        enterprise=enterprise,
        reporter=cadre,
        visit=visit,
        title=title.strip(),
        description=description,
        category=category,
        flow=flow,
        status=Status.REPORTED,
        created_at=now,
    )
    IssueEvent.objects.create(
        issue=issue,
        actor=actor,
        action=Action.REPORT,
        to_status=Status.REPORTED,
        flow=flow,
        note=description,
        created_at=now,
    )
    return issue_transition(
        issue_id=issue.pk, actor=actor, action=action, version=issue.version, payload=route, now=now
    )


@transaction.atomic
def issue_request(
    *,
    link: EnterpriseLink,
    title: str,
    category: IssueCategory,
    description: str = "",
    now: datetime.datetime | None = None,
) -> Issue:
    """Record a request (诉求) the enterprise raised itself through its link, for its cadre to route.

    It arrives as a reported problem, not yet routed (no flow), with its cadre as the reporter of record
    and "raised by the enterprise via its link" as its source and first step; the cadre is told at once.
    """
    now = now or timezone.now()
    if link.is_revoked:
        raise MoveNotAllowed("not_allowed", _("This link has been withdrawn."))
    if is_blank(title):
        raise WorkflowError("title_required", _("The problem needs a title."))
    if not category.is_active:
        raise WorkflowError("category_inactive", _("Choose one of the listed kinds of problem."))
    pairing = link.enterprise.pairings.filter(ended_on__isnull=True).select_related("cadre").first()
    if pairing is None:
        message = _("No cadre serves your enterprise at the moment: please call the campaign office.")
        raise MoveNotAllowed("no_cadre", message)
    issue = Issue.objects.create(
        enterprise=link.enterprise,
        reporter=pairing.cadre,
        title=title.strip(),
        description=description.strip(),
        category=category,
        flow="",
        source=Source.ENTERPRISE,
        status=Status.REPORTED,
        created_at=now,
    )
    event = IssueEvent.objects.create(
        issue=issue,
        enterprise_link=link,
        action=Action.REPORT,
        to_status=Status.REPORTED,
        kind="raised_by_enterprise",
        note=issue.description,
        created_at=now,
    )
    # Its cadre routes it: the hand-over tells them (notifications/handovers.py, the report's entry).
    issue_moved.send(
        sender=Issue,
        move=MoveMade(issue=issue, event=event, from_department_id=None, from_responsible_staff_id=None),
    )
    return issue


def _route(route: RoutePayload) -> tuple[Action, Flow]:
    """Return the routing move and the flow a route's record stands for."""
    if type(route) not in ROUTES:
        raise TypeError(f"A problem is routed by one of {', '.join(t.__name__ for t in ROUTES)}, not {route!r}.")
    return ROUTES[type(route)]


@transaction.atomic
def issue_transition(
    *,
    issue_id: int,
    actor: "workflow.Actor",
    action: str,
    version: int | None,
    payload: MovePayload,
    now: datetime.datetime | None = None,
) -> Issue:
    """Make one move on a problem, or refuse it and write nothing.

    `payload` is the move's record, of the type `issues.moves` names for the action; any
    other type is a programming error (TypeError), raised before the problem is read.
    `version` is the version the actor's page showed; when someone has moved the
    problem since, the move is refused as stale rather than applied to a state
    the actor never saw. Pass None only from code that has just read the row.
    """
    spec = spec_for(action)
    if spec is not None and not isinstance(payload, spec.payload):
        raise TypeError(f"The move “{action}” takes a {spec.payload.__name__}, not {payload!r}.")
    now = now or timezone.now()
    # The row lock makes concurrent moves queue up; the version check then refuses the later ones.
    issue: Issue = Issue.objects.select_for_update().get(pk=issue_id)
    if version is not None and issue.version != version:
        raise StaleIssue("stale", _("Someone else changed this problem a moment ago. Reload the page and try again."))
    capacities = workflow.capacities_of(actor, issue)
    move = workflow.find_move(action, issue.status, capacities)
    if move is None or spec is None:
        raise _refusal(action, issue)
    # The same test the page makes before offering the move (workflow.available_actions).
    unmet = workflow.unmet(move, issue)
    if unmet is not None:
        raise WorkflowError(unmet.code, str(unmet.message))
    from_status, from_department_id, from_staff_id = issue.status, issue.department_id, issue.responsible_staff_id
    payload = dataclasses.replace(payload, note=payload.note.strip())  # every record carries a note: trim it once
    entry = spec.effect(issue, payload, actor=actor, now=now, capacities=capacities)
    issue.status = move.target or issue.status
    issue.version += 1
    issue.save()
    link, user = (actor, None) if isinstance(actor, EnterpriseLink) else (None, actor)
    event = IssueEvent.objects.create(
        issue=issue,
        actor=user,
        enterprise_link=link,
        action=move.action,
        from_status=from_status,
        to_status=issue.status,
        from_department_id=from_department_id,
        department=issue.department,
        flow=issue.flow,
        deadline=issue.deadline,
        kind=entry.kind,
        params=entry.params,
        note=entry.note,
        created_at=now,
    )
    # Whoever's turn it is now is told (notifications/handovers.py), in this same transaction.
    made = MoveMade(
        issue=issue, event=event, from_department_id=from_department_id, from_responsible_staff_id=from_staff_id
    )
    issue_moved.send(sender=Issue, move=made)
    return issue


def _refusal(action: str, issue: Issue) -> MoveNotAllowed:
    label = Action(action).label if action in Action.values else action
    if workflow.move_exists(action, issue.status):
        return MoveNotAllowed("not_allowed", _("You may not “%(action)s” this problem.") % {"action": label})
    message = _("A problem that is “%(status)s” cannot be “%(action)s”.") % {
        "status": issue.get_status_display(),
        "action": label,
    }
    return MoveNotAllowed("wrong_status", message)


def issue_record_feedback(
    *,
    issue_id: int,
    actor: "workflow.Actor",
    version: int | None,
    payload: FeedbackPayload,
    now: datetime.datetime | None = None,
) -> Issue:
    """Record the enterprise's word on a resolved problem: close it, or reopen it when dissatisfied.

    `actor` is the enterprise's link when the enterprise gives it itself, else the cadre recording it on
    the enterprise's behalf; the feedback and the timeline say which.
    """
    action = feedback_action(payload)
    return issue_transition(issue_id=issue_id, actor=actor, action=action, version=version, payload=payload, now=now)


def feedback_action(payload: FeedbackPayload) -> Action:
    """Return the move the enterprise's word makes: reopen when dissatisfied, else close."""
    return Action.REOPEN if payload.rating == Feedback.Rating.DISSATISFIED else Action.CLOSE


@transaction.atomic
def matter_create(
    *,
    actor: "User",
    title: str,
    description: str = "",
    issue_ids: Sequence[int],
    now: datetime.datetime | None = None,
) -> SystemicMatter:
    """Group escalated problems under one systemic matter, so the leading group decides once."""
    if is_blank(title):
        raise WorkflowError("title_required", _("The systemic matter needs a title."))
    if not issue_ids:
        raise WorkflowError("issues_required", _("Select at least one escalated problem to link."))
    matter = SystemicMatter.objects.create(
        title=title.strip(), description=description, created_by=actor, created_at=now or timezone.now()
    )
    link = LinkPayload(matter=matter)
    for issue_id in issue_ids:
        issue_transition(issue_id=issue_id, actor=actor, action=Action.LINK, version=None, payload=link, now=now)
    return matter


@transaction.atomic
def matter_decide(
    *,
    matter: SystemicMatter,
    actor: "User",
    decision: AssignPayload | ResolvePayload,
    now: datetime.datetime | None = None,
) -> int:
    """Apply one leading-group decision to every escalated problem of the matter; return how many."""
    action, _flow = _route(decision)
    pending = list(matter.issues.filter(status=Status.ESCALATED).values_list("pk", flat=True))
    if not pending:
        raise WorkflowError("nothing_to_decide", _("No problem of this matter is waiting for a decision."))
    for issue_id in pending:
        issue_transition(issue_id=issue_id, actor=actor, action=action, version=None, payload=decision, now=now)
    return len(pending)
