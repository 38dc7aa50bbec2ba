"""The sentences a problem's timeline says, rendered in the reader's language when the timeline is shown.

A move's timeline event stores what happened, never a sentence: the kind of sentence (a key of
`SENTENCES`), its values (`params`: names, dates, a rating, all the sentence needs, so showing a
timeline costs no query per event) and the user's own words (`note`, shown as typed). The
sentence is put together at display time with gettext, so a Chinese reader and an English reader
of the same event each read it in their language.

An event with no kind says only its note: the user's words (a report, an escalation's reason), and
every event written before kinds existed, whose note is the whole sentence as it was stored then.
An event whose extension request was withdrawn carries its new deadline as `withdrawn`, and the
sentence says so after the note.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from issues.models import Feedback

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

ASSIGNED = _("Assigned to %(department)s, responsible person %(person)s, deadline %(deadline)s.")

# kind → the sentences it says, in order, with named placeholders filled from the event's params.
SENTENCES: dict[str, tuple["StrPromise", ...]] = {
    "assigned": (ASSIGNED,),
    "milestone_done": (_("Milestone “%(title)s” done on %(date)s."),),
    "returned": (_("Returned by %(department)s: %(reason)s"),),
    "reassigned": (
        _("Taken back from %(old)s (responsible person %(old_person)s, deadline %(old_deadline)s)."),
        ASSIGNED,
        _("Reason: %(reason)s"),
    ),
    "extension_requested": (_("Extension requested from %(old)s to %(new)s: %(reason)s"),),
    "extension_approved": (_("Extension approved: deadline %(old)s moved to %(new)s."),),
    "extension_refused": (_("Extension refused: the deadline stays %(old)s."),),
    "linked": (_("Linked to the systemic matter “%(title)s”."),),
    "feedback": (_("Enterprise feedback: %(rating)s."),),
    "raised_by_enterprise": (_("Raised by the enterprise itself, via its link."),),
}
# Who made a step the enterprise made itself, where a user's name stands for the others.
BY_ENTERPRISE = _("the enterprise, via its link")
WITHDRAWN = _("The extension request to %(new)s, waiting for a decision, is withdrawn.")
# Why an extension request was withdrawn, stored as its decision note (a key), said where the requests are listed.
WITHDRAWN_BECAUSE: dict[str, "StrPromise"] = {
    "resolved": _("The problem was resolved."),
    "returned": _("The problem was returned."),
    "reassigned": _("The problem was taken back and reassigned."),
    "reopened": _("The problem was reopened."),
}

# Values stored as a choice's value, shown as its label in the reader's language.
CHOICES: dict[str, Any] = {"rating": Feedback.Rating}


@dataclass(frozen=True)
class Entry:
    """What a move writes on its timeline event: the sentence's kind and values, and the user's own words."""

    kind: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def withdrawing(self, new_deadline: str) -> "Entry":
        """Return the entry also saying that the extension request to `new_deadline` was withdrawn ("" if none)."""
        if not new_deadline:
            return self
        return Entry(self.kind, {**self.params, "withdrawn": new_deadline}, self.note)


def sentence(kind: str, params: dict[str, Any], note: str) -> str:
    """Return the event's text in the active language: the kind's sentences, the note, what was withdrawn."""
    templates = SENTENCES.get(kind, ())
    values = {key: CHOICES[key](value).label if key in CHOICES else value for key, value in params.items()}
    parts = [str(template) % values for template in templates]
    parts.append(note)
    if params.get("withdrawn"):
        parts.append(str(WITHDRAWN) % {"new": params["withdrawn"]})
    return " ".join(part for part in parts if part)
