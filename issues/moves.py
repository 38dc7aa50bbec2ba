"""What each move on a problem is made of: its effect, the record it carries, the form that asks for it.

`issues.workflow.MOVES` says who may make a move and from which state; this registry says,
for each action, what making it means. `issue_transition` looks the move up here and refuses
a record of any other type; the problem page builds each move's form from here.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.http import QueryDict

from issues import effects, forms
from issues.models import Action, Issue
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

if TYPE_CHECKING:
    pass

P = TypeVar("P")
P_contra = TypeVar("P_contra", contravariant=True)


class Effect(Protocol[P_contra]):
    """Validate the payload, change the problem's fields (never its status), return the timeline's entry."""

    def __call__(
        self,
        issue: Issue,
        payload: P_contra,
        /,
        *,
        actor: Actor,
        now: datetime.datetime,
        capacities: frozenset[Capacity],
    ) -> Entry: ...


@dataclass(frozen=True)
class MoveSpec(Generic[P]):
    effect: Effect[P]
    payload: type[P]
    form: type[forms.MoveForm]


MOVE_SPECS: dict[Action, MoveSpec[Any]] = {
    Action.RESOLVE: MoveSpec(effects.resolve, ResolvePayload, forms.ResolveForm),
    Action.ASSIGN: MoveSpec(effects.assign, AssignPayload, forms.AssignForm),
    Action.ESCALATE: MoveSpec(effects.escalate, EscalatePayload, forms.EscalateForm),
    Action.ACCEPT: MoveSpec(effects.accept, AcceptPayload, forms.AcceptForm),
    Action.PROGRESS: MoveSpec(effects.progress, ProgressPayload, forms.ProgressForm),
    Action.RETURN: MoveSpec(effects.return_, ReturnPayload, forms.ReturnForm),
    Action.REASSIGN: MoveSpec(effects.reassign, ReassignPayload, forms.ReassignForm),
    Action.SEND_BACK: MoveSpec(effects.send_back, SendBackPayload, forms.SendBackForm),
    Action.REQUEST_EXTENSION: MoveSpec(effects.request_extension, ExtensionRequestPayload, forms.ExtensionRequestForm),
    Action.DECIDE_EXTENSION: MoveSpec(effects.decide_extension, ExtensionDecisionPayload, forms.ExtensionDecisionForm),
    Action.LINK: MoveSpec(effects.link, LinkPayload, forms.LinkForm),
    # One feedback form serves both: the rating decides which move it is (issue_record_feedback).
    Action.CLOSE: MoveSpec(effects.close, FeedbackPayload, forms.FeedbackForm),
    Action.REOPEN: MoveSpec(effects.reopen, FeedbackPayload, forms.FeedbackForm),
}


def spec_for(action: str) -> MoveSpec[Any] | None:
    """Return what the move is made of, or None when the action is no move (a report, a typo)."""
    return MOVE_SPECS.get(Action(action)) if action in Action.values else None


def move_form(action: str, issue: Issue, data: QueryDict | None = None) -> forms.MoveForm:
    """Return the form for one move on this problem, bound to data when given."""
    spec = spec_for(action)
    if spec is None:
        raise ValueError(f"“{action}” is not a move.")
    form_class = spec.form
    # Each move's fields are prefixed with its action, as several forms share the page; a form
    # serving several moves (feedback) names its own prefix.
    return form_class(data, issue=issue, prefix=form_class.prefix or action)
