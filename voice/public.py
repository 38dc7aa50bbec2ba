"""What the enterprise sees through its link: its visits, its problems, and which timeline steps are public.

Only the link's own enterprise's rows, and of a problem only what the enterprise may read: its title and
description, status, department, deadline, the department's reply, its feedback, and these steps —

| step | the enterprise reads |
| --- | --- |
| report | reported by its cadre, or raised by itself via its link |
| assign, reassign | handed to the department, to answer by the deadline (no responsible person, no reason) |
| accept, progress | the department took it up / recorded progress (no note: the roadmap is the department's) |
| resolve | the reply (the department's, the leading group's or the cadre's on the spot) |
| decide extension | only an approved one: the new deadline (a request and a refusal stay internal) |
| close, reopen | the rating and comment, given by itself or recorded by its cadre on its behalf |

Never shown: escalation and its reasons, the leading group's matters and send-backs, a department's
return (not its remit) and extension requests, inspection notes, assessment — internal routing and
oversight, not the enterprise's business. Its own problem's status still says "escalated" when it is.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import EnterpriseLink
from issues.models import Action, Feedback, Issue, IssueEvent, Status
from visits.models import Visit
from voice.services import answerable_since

# How many problems the home page lists besides those waiting for a rating (newest first).
RECENT_PROBLEMS = 30
RECENT_VISITS = 20

PUBLIC_ACTIONS = (
    Action.REPORT,
    Action.ASSIGN,
    Action.REASSIGN,
    Action.ACCEPT,
    Action.PROGRESS,
    Action.RESOLVE,
    Action.DECIDE_EXTENSION,
    Action.CLOSE,
    Action.REOPEN,
)

YOU = gettext_lazy("you, via your link")
YOUR_CADRE = gettext_lazy("your cadre, on your behalf")


def visits(link: EnterpriseLink, today: datetime.date) -> QuerySet[Visit]:
    """The enterprise's visits it may see and answer (all its pairings, the last `ANSWERABLE_DAYS`)."""
    return (
        Visit.objects.filter(pairing__enterprise_id=link.enterprise_id, visited_on__gte=answerable_since(today))
        .select_related("pairing__cadre")
        .order_by("-visited_on", "-pk")[:RECENT_VISITS]
    )


def problems(link: EnterpriseLink) -> QuerySet[Issue]:
    """The enterprise's own problems, and nothing else: every page through the link starts here."""
    return Issue.objects.filter(enterprise_id=link.enterprise_id).select_related("department", "category")


def awaiting_rating(link: EnterpriseLink) -> QuerySet[Issue]:
    return problems(link).filter(status=Status.RESOLVED).order_by("resolved_at", "pk")


def recent(link: EnterpriseLink) -> QuerySet[Issue]:
    return problems(link).exclude(status=Status.RESOLVED).order_by("-created_at", "-pk")[:RECENT_PROBLEMS]


@dataclass(frozen=True)
class Step:
    """One public step of a problem's timeline, as the enterprise reads it."""

    at: datetime.datetime
    says: str
    words: str  # someone's own words: the reply, the enterprise's comment
    by: str


def steps(issue: Issue) -> list[Step]:
    """Return the problem's public steps, oldest first (one query)."""
    events = IssueEvent.objects.filter(issue=issue, action__in=PUBLIC_ACTIONS).select_related("department")
    said = (_step(event) for event in events)
    return [step for step in said if step is not None]


def _step(event: IssueEvent) -> Step | None:
    department = event.department.name if event.department else ""
    by = str(YOU) if event.by_enterprise else ""
    words = ""
    match event.action:
        case Action.REPORT:
            says = _("You raised it via your link.") if event.by_enterprise else _("Reported by your cadre.")
            words = event.note if event.by_enterprise else ""
        case Action.ASSIGN | Action.REASSIGN:
            deadline = event.deadline.isoformat() if event.deadline else "—"
            says = _("Handed to %(department)s, to answer by %(deadline)s.") % {
                "department": department,
                "deadline": deadline,
            }
        case Action.ACCEPT:
            says = _("%(department)s has taken it up.") % {"department": department}
        case Action.PROGRESS:
            says = _("%(department)s recorded progress.") % {"department": department}
        case Action.RESOLVE:
            says = _("Answered by %(department)s.") % {"department": department} if department else _("Answered.")
            words = event.note
        case Action.DECIDE_EXTENSION:
            if event.kind != "extension_approved" or event.deadline is None:
                return None
            says = _("The deadline was moved to %(deadline)s.") % {"deadline": event.deadline.isoformat()}
        case Action.CLOSE | Action.REOPEN:
            rating = event.params.get("rating", "")
            label = Feedback.Rating(rating).label if rating in Feedback.Rating.values else ""
            if event.action == Action.CLOSE:
                says = _("Closed with the rating “%(rating)s”.") % {"rating": label}
            else:
                says = _("Reopened: “%(rating)s”; it goes back to be handled again.") % {"rating": label}
            words = event.note
            by = str(YOU) if event.by_enterprise else str(YOUR_CADRE)
        case _:
            return None
    return Step(at=event.created_at, says=says, words=words, by=by)
