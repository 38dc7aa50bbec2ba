"""What each move on a problem carries: one frozen, keyword-only record per move.

A misspelled or missing field is a TypeError where the record is built, never a keyword
silently dropped. Forms build these records; `issues.moves` names the record each move
takes, and `issue_transition` refuses any other. Every record carries the move's note.
The records check shapes only: whether a value is acceptable is the move's effect to say.
"""

import datetime
from dataclasses import dataclass

from issues.models import SystemicMatter
from organisation.models import Department, DepartmentStaff


@dataclass(frozen=True, kw_only=True)
class ResolvePayload:
    """How the problem was resolved: on the spot, by the department's reply, or by the leading group's decision."""

    note: str


@dataclass(frozen=True, kw_only=True)
class AssignPayload:
    """Where an assigned problem goes: department, responsible person, deadline and roadmap.

    Department and deadline may be missing here (a form left them blank); the move refuses them.
    The responsible person is a staff account of the department, or a name typed for someone without one.
    """

    department: Department | None
    responsible_person: str
    deadline: datetime.date | None
    milestones: tuple[tuple[str, datetime.date], ...] = ()  # (what, planned on)
    note: str = ""
    responsible_staff: DepartmentStaff | None = None


@dataclass(frozen=True, kw_only=True)
class EscalatePayload:
    """Why the problem is common, systemic or major."""

    note: str


@dataclass(frozen=True, kw_only=True)
class AcceptPayload:
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ProgressPayload:
    """A milestone done (on a date, by default today), or, without a milestone, general progress in the note."""

    milestone_id: int | None = None
    done_on: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ReturnPayload:
    """Why the problem is not the department's remit."""

    note: str


@dataclass(frozen=True, kw_only=True)
class ReassignPayload:
    """Take the problem back from its department and give it to another (or the same) one, and why.

    The new assignment is an assignment's own record, checked as an assignment is; the note is the reason.
    """

    assignment: AssignPayload
    note: str


@dataclass(frozen=True, kw_only=True)
class SendBackPayload:
    """Why the leading group sends the escalation back for routing."""

    note: str


@dataclass(frozen=True, kw_only=True)
class ExtensionRequestPayload:
    new_deadline: datetime.date
    note: str  # the reason


@dataclass(frozen=True, kw_only=True)
class ExtensionDecisionPayload:
    approve: bool
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class LinkPayload:
    matter: SystemicMatter
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class FeedbackPayload:
    """The enterprise's word on a resolved problem: a `Feedback.Rating` value and its comment."""

    rating: str
    note: str = ""


# The three ways a reported problem is routed (issue_report, the matter decision).
RoutePayload = ResolvePayload | AssignPayload | EscalatePayload

MovePayload = (
    ResolvePayload
    | AssignPayload
    | EscalatePayload
    | AcceptPayload
    | ProgressPayload
    | ReturnPayload
    | ReassignPayload
    | SendBackPayload
    | ExtensionRequestPayload
    | ExtensionDecisionPayload
    | LinkPayload
    | FeedbackPayload
)
