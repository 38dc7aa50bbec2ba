"""The life of a problem: every allowed move, from which states, to which state, by whom, given what.

This table is the only statement of the rules. `issues.services.issue_transition`
enforces it on the server; templates ask `available_actions()` only to decide which
buttons to show, so the page offers exactly the moves the server would accept.

A move's *preconditions* are what must hold of the problem for the move to be possible
at all, whoever makes it and whatever they fill in (a decision needs a request waiting
for one). The service refuses a move whose precondition fails, with the precondition's
code; the page does not offer it.

The actor's *capacity* is their relation to this very problem, not just their role:
a cadre acts for the enterprise they serve (or a problem they reported), department
staff act for the department the problem is with now. The enterprise itself acts through its
signed link (`enterprises.links`), in its own capacity, on its own problems only: an actor is a user
or an `EnterpriseLink`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import PortalUser, Role, roles_of
from enterprises.models import EnterpriseLink
from issues.models import Action, ExtensionRequest, Issue, Status, SystemicMatter
from organisation.models import Department

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


class Capacity(models.TextChoices):
    CADRE = "cadre", _("the enterprise's cadre")
    DEPARTMENT = "department", _("the responsible department")
    LEADING_GROUP = "leading_group", _("the leading group")
    OFFICE = "office", _("the campaign office")
    ENTERPRISE = "enterprise", _("the enterprise, via its link")


# Who makes a move: a user, or the enterprise through its link.
Actor: TypeAlias = "User | EnterpriseLink"


AWAITING_ROUTING = frozenset({Status.REPORTED, Status.REOPENED})
WITH_DEPARTMENT = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class Precondition:
    """What must hold of the problem for a move to succeed; `code` and `message` say so when it does not."""

    code: str
    message: "StrOrPromise"
    holds: Callable[[Issue], bool]


def _extension_pending(issue: Issue) -> bool:
    return issue.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists()


NO_EXTENSION_PENDING = Precondition(
    "extension_pending",
    _("An extension request is already waiting for a decision."),
    lambda issue: not _extension_pending(issue),
)
EXTENSION_PENDING = Precondition("no_extension", _("There is no extension request to decide."), _extension_pending)
# The forms list active departments and all systemic matters: with none, the move cannot be made.
A_DEPARTMENT = Precondition(
    "no_department",
    _("There is no active department to assign the problem to."),
    lambda issue: Department.objects.filter(is_active=True).exists(),
)
A_MATTER = Precondition(
    "no_matter",
    _("There is no systemic matter yet: create one on the review desk first."),
    lambda issue: SystemicMatter.objects.exists(),
)


@dataclass(frozen=True)
class Move:
    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: the state stays as it is (progress, extensions, links)
    capacities: frozenset[Capacity]
    requires: tuple[Precondition, ...] = ()


CADRE, DEPT, GROUP, OFFICE = Capacity.CADRE, Capacity.DEPARTMENT, Capacity.LEADING_GROUP, Capacity.OFFICE
ENTERPRISE = Capacity.ENTERPRISE

MOVES: tuple[Move, ...] = (
    # Routing a reported (or returned, sent back, reopened) problem: the three ways.
    Move(Action.RESOLVE, AWAITING_ROUTING, Status.RESOLVED, frozenset({CADRE})),  # solved on the spot
    Move(Action.ASSIGN, AWAITING_ROUTING, Status.ASSIGNED, frozenset({CADRE, OFFICE, GROUP}), (A_DEPARTMENT,)),
    Move(Action.ESCALATE, AWAITING_ROUTING, Status.ESCALATED, frozenset({CADRE, OFFICE})),
    # The department's work.
    Move(Action.ACCEPT, frozenset({Status.ASSIGNED}), Status.IN_PROGRESS, frozenset({DEPT})),
    Move(Action.PROGRESS, frozenset({Status.IN_PROGRESS}), None, frozenset({DEPT})),
    Move(Action.RESOLVE, frozenset({Status.IN_PROGRESS}), Status.RESOLVED, frozenset({DEPT})),  # reply with result
    Move(Action.RETURN, WITH_DEPARTMENT, Status.REPORTED, frozenset({DEPT})),
    Move(Action.REQUEST_EXTENSION, WITH_DEPARTMENT, None, frozenset({DEPT}), (NO_EXTENSION_PENDING,)),
    Move(Action.DECIDE_EXTENSION, WITH_DEPARTMENT, None, frozenset({GROUP, OFFICE}), (EXTENSION_PENDING,)),
    # Taking a problem back from a department that cannot or does not move it (收回改派): a new
    # department, responsible person, deadline and roadmap; the old roadmap stays, superseded.
    Move(Action.REASSIGN, WITH_DEPARTMENT, Status.ASSIGNED, frozenset({OFFICE, GROUP}), (A_DEPARTMENT,)),
    # The leading group's review of an escalation.
    Move(Action.ASSIGN, frozenset({Status.ESCALATED}), Status.ASSIGNED, frozenset({GROUP}), (A_DEPARTMENT,)),  # 督办
    Move(Action.RESOLVE, frozenset({Status.ESCALATED}), Status.RESOLVED, frozenset({GROUP})),  # decided directly
    Move(Action.SEND_BACK, frozenset({Status.ESCALATED}), Status.REPORTED, frozenset({GROUP})),
    Move(Action.LINK, frozenset({Status.ESCALATED}), None, frozenset({GROUP}), (A_MATTER,)),
    # The enterprise's word (件件有回应): closed only with feedback; dissatisfied reopens. The enterprise
    # gives it itself through its link, or its cadre records it on its behalf (the record says which).
    Move(Action.CLOSE, frozenset({Status.RESOLVED}), Status.CLOSED, frozenset({CADRE, ENTERPRISE})),
    Move(Action.REOPEN, frozenset({Status.RESOLVED}), Status.REOPENED, frozenset({CADRE, ENTERPRISE})),
)


def capacities_of(user: Actor, issue: Issue) -> frozenset[Capacity]:
    """Return the capacities in which the user (or the enterprise, through its link) may act on this problem."""
    if isinstance(user, EnterpriseLink):
        # Its own problems only: another enterprise's problem id gives it no capacity at all.
        own = not user.is_revoked and user.enterprise_id == issue.enterprise_id
        return frozenset({Capacity.ENTERPRISE}) if own else frozenset()
    roles = roles_of(user)
    held: set[Capacity] = set()
    if Role.CADRE in roles and _serves(user, issue):
        held.add(Capacity.CADRE)
    if Role.DEPARTMENT_STAFF in roles and issue.department_id is not None:
        staff = getattr(user, "department_staff", None)
        if staff is not None and staff.department_id == issue.department_id:
            held.add(Capacity.DEPARTMENT)
    if Role.LEADING_GROUP in roles:
        held.add(Capacity.LEADING_GROUP)
    if Role.CAMPAIGN_OFFICE in roles:
        held.add(Capacity.OFFICE)
    return frozenset(held)


def _serves(user: PortalUser, issue: Issue) -> bool:
    cadre = getattr(user, "cadre", None)
    if cadre is None:
        return False
    if issue.reporter_id == cadre.pk:
        return True
    return issue.enterprise.pairings.filter(cadre=cadre, ended_on__isnull=True).exists()


def find_move(action: str, status: str, capacities: frozenset[Capacity]) -> Move | None:
    """Return the move this actor may make from this state, or None if there is none."""
    for move in MOVES:
        if move.action == action and status in move.sources and move.capacities & capacities:
            return move
    return None


def move_exists(action: str, status: str) -> bool:
    """Return whether anyone at all may make this move from this state."""
    return any(move.action == action and status in move.sources for move in MOVES)


def unmet(move: Move, issue: Issue) -> Precondition | None:
    """Return the first of the move's preconditions that does not hold of this problem now, or None."""
    return next((precondition for precondition in move.requires if not precondition.holds(issue)), None)


def available_actions(user: Actor, issue: Issue) -> list[Action]:
    """Return the actions this user can take on this problem now, in table order, once each.

    The same test as `issue_transition`'s: the move is in the table for this state and this actor,
    and its preconditions hold. What the user fills in may still be refused (a deadline in the past).
    """
    capacities = capacities_of(user, issue)
    actions: list[Action] = []
    for move in MOVES:
        if move.action in actions or issue.status not in move.sources or not move.capacities & capacities:
            continue
        if unmet(move, issue) is None:
            actions.append(move.action)
    return actions
