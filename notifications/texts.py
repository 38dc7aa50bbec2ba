"""What each reminder says, put together in the reader's language when it is shown or mailed.

A reminder and its notification store their kind and the values its sentences need (`params`:
names, dates, counts, a stage, whatever the text says), never the sentence: the bell, the list and
the email render it with gettext at that moment, in the language of whoever reads it. Showing any
number of them costs no query: the values are all there.

Rows recorded before the values were kept have none: they say their stored title and text, as
they always did.
"""

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.exports import label_of
from issues.models import Action
from issues.timeline import BY_ENTERPRISE, sentence
from notifications.models import TITLE_LENGTH, Kind
from supervision.models import Kind as InspectionKind
from visits.models import Errand

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Text:
    """A kind's title and text, with named placeholders filled from the reminder's params.

    `line` is said once per item of `params["lines"]`, one to a line, after the text (a summary's rows).
    """

    title: "StrPromise"
    body: "StrPromise | None" = None
    line: "StrPromise | None" = None


ISSUE_OVERDUE_BODY = _("%(enterprise)s: “%(title)s” was due on %(deadline)s; with %(department)s (%(person)s).")

TEXTS: dict[str, Text] = {
    # A background export (core/exports.py): `export` is the export's registered name, said by its label.
    Kind.EXPORT_READY: Text(
        _("Your export is ready: %(file)s"),
        _("%(rows)d rows. Download it by %(expires)s; the file is deleted after that."),
    ),
    Kind.EXPORT_FAILED: Text(
        _("Your export could not be prepared: %(export)s"),
        _(
            "The export you asked for at %(asked)s failed. Ask again from the page, or narrow the filters; "
            "if it fails again, tell the campaign office."
        ),
    ),
    Kind.VISIT_SHORT: Text(
        _("Visits this month: %(done)d of %(required)d"),
        _("%(enterprise)s: %(done)d visits this month; the campaign asks for %(required)d by %(month_end)s."),
    ),
    Kind.VISITS_MISSED: Text(
        _("Cadres short of visits in %(month)s: %(count)d"),
        line=_("%(cadre)s → %(enterprise)s (%(visits)d/%(required)d)"),
    ),
    Kind.ISSUE_DUE_SOON: Text(
        _("Due soon: %(title)s"),
        _("%(enterprise)s: “%(title)s” is due on %(deadline)s (responsible person: %(person)s)."),
    ),
    Kind.ISSUE_OVERDUE: Text(_("Overdue %(days)d days: %(title)s"), ISSUE_OVERDUE_BODY),
    Kind.ISSUE_SUPERVISE: Text(_("For supervision, overdue %(days)d days: %(title)s"), ISSUE_OVERDUE_BODY),
    Kind.ESCALATION_UNDECIDED: Text(
        _("Escalation waiting %(days)d days: %(title)s"),
        _("%(enterprise)s: “%(title)s” was escalated on %(date)s and awaits the leading group."),
    ),
    Kind.FEEDBACK_WAITING: Text(
        _("Feedback waiting %(days)d days: %(title)s"),
        _("“%(title)s” was resolved on %(date)s; record %(enterprise)s's feedback to close it."),
    ),
    Kind.ERRAND_STALE: Text(
        _("Errand not moved for %(days)d days: %(matter)s"),
        _("%(enterprise)s: “%(matter)s” at %(department)s has been at “%(stage)s” since %(date)s."),
    ),
    Kind.EXTENSION_PENDING: Text(
        _("Extension request waiting %(days)d days: %(title)s"),
        _("%(department)s asks to move the deadline of “%(title)s” from %(old)s to %(new)s: %(reason)s"),
    ),
    Kind.RECTIFICATION_RAISED: Text(
        _("Rectification to do: %(item)s"),
        _("%(inspection_kind)s of %(date)s: “%(requirement)s” Answer with what was done by %(deadline)s."),
    ),
    Kind.RECTIFICATION_DUE_SOON: Text(
        _("Rectification due soon: %(item)s"),
        _("%(inspection_kind)s of %(date)s: “%(requirement)s” is due on %(deadline)s."),
    ),
    Kind.RECTIFICATION_OVERDUE: Text(
        _("Rectification overdue %(days)d days: %(item)s"),
        _("%(inspection_kind)s of %(date)s: “%(requirement)s” was due on %(deadline)s; answer it now."),
    ),
    Kind.RECTIFICATION_ANSWERED: Text(
        _("Rectification answered, to check: %(item)s"),
        _("%(responsible)s answered on %(answered)s (%(inspection_kind)s of %(date)s, %(subject)s): %(answer)s"),
    ),
}

# A move's hand-over (notifications/handovers.py): the title says what the move handed over, by its action.
HANDED_OVER: dict[Action, "StrPromise"] = {
    Action.REPORT: _("New request from the enterprise, to route: %(title)s"),
    Action.ASSIGN: _("Assigned to %(department)s: %(title)s"),
    Action.RESOLVE: _("Resolved, record the enterprise's feedback: %(title)s"),
    Action.ESCALATE: _("Escalated, for the leading group to decide: %(title)s"),
    Action.RETURN: _("Returned by the department, to route again: %(title)s"),
    Action.SEND_BACK: _("Sent back by the leading group, to route again: %(title)s"),
    Action.REOPEN: _("Reopened, the enterprise is dissatisfied; to route again: %(title)s"),
    Action.REQUEST_EXTENSION: _("Extension requested, to decide: %(title)s"),
    Action.DECIDE_EXTENSION: _("Extension decided: %(title)s"),
    Action.REASSIGN: _("Taken back and reassigned to %(department)s: %(title)s"),
}
HANDED_OVER_BODY = _("%(enterprise)s · %(actor)s: %(note)s")

# Values stored as a choice's value, said as its label in the reader's language.
CHOICES: dict[str, Any] = {"stage": Errand.Stage, "inspection_kind": InspectionKind}


class Said(NamedTuple):
    """A reminder's title and text, in the language active when it was put together."""

    title: str
    body: str


def say(kind: str, params: dict[str, Any], *, title: str = "", body: str = "") -> Said:
    """Return what a reminder of `kind` with `params` says; a row without params says its stored `title` and `body`."""
    if not params:
        return Said(title, body)
    try:
        said = _handed_over(params) if kind == Kind.ISSUE_HANDED_OVER else _said(TEXTS[kind], params)
    except (KeyError, ValueError, TypeError):
        # A row whose values no longer fit its kind's sentence (a kind since removed): never a broken page.
        logger.exception("Reminder of kind %r cannot be said with %r.", kind, params)
        return Said(title or str(Kind(kind).label if kind in Kind.values else kind), body)
    return Said(Truncator(said.title).chars(TITLE_LENGTH), said.body)


def _said(text: Text, params: dict[str, Any]) -> Said:
    values = {key: CHOICES[key](value).label if key in CHOICES else value for key, value in params.items()}
    if "export" in values:
        values["export"] = label_of(values["export"])
    body = str(text.body) % values if text.body else ""
    if text.line:
        body = "\n".join([body] * bool(body) + [str(text.line) % line for line in params["lines"]])
    return Said(str(text.title) % values, body)


def _handed_over(params: dict[str, Any]) -> Said:
    action = Action(params["action"])
    event = params["event"]
    note = sentence(event["kind"], event["params"], event["note"]) or str(action.label)
    actor = str(BY_ENTERPRISE) if params.get("by_enterprise") else params["actor"]
    body = str(HANDED_OVER_BODY) % {"enterprise": params["enterprise"], "actor": actor, "note": note}
    return Said(str(HANDED_OVER[action]) % params, body)
