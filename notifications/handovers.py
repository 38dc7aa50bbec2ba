"""Who is told, at once, that a move on a problem has made it their turn: one table, keyed by the move.

Every move in `issues.workflow.MOVES` has an entry in `HANDOVERS` (a test holds the table to
it): the people it hands work to, or `Nobody` with the reason. A new move is one entry. The
report, no move of the table, has one too: the enterprise's request arrives unrouted, for its cadre.

| move | told | |
| --- | --- | --- |
| assign | the unit; the cadre | also the leading group's decision on an escalation, and routing again |
| resolve | the cadre | the department's reply, the leading group's decision; not the cadre's own on-the-spot |
| escalate | the leading group | |
| return | the campaign office | it routes returned problems again |
| reassign | the unit it left; the unit it went to; the cadre | 收回改派 by the office or the leading group |
| send back | the cadre | the leading group's decision on an escalation: route it another way |
| reopen | the campaign office | dissatisfied feedback: routed again, as a returned problem |
| request extension | the leading group, the campaign office | whoever may decide it |
| report | the cadre | the enterprise's own request (诉求, `issue_request`); a cadre's report routes at once |
| decide extension | the unit | |
| accept, progress, link, close | nobody | see `Nobody.because` |

"The unit" is the responsible person's own account where one is linked and still active on the
department's staff, else every active staff account (`reminders.People.responsible`, as the
deadline reminders). "The cadre" serves the enterprise now, else reported the problem. Nobody is
told of their own move.

Exactly once, as for the scan's reminders: the `issue_moved` receiver records one `Reminder`
per person under (issue_handed_over, problem, person, the move's `IssueEvent` id) in the move's
own transaction, so a rolled-back move leaves nothing and a repeat records nothing new. The
in-app notification is written in the same transaction (the bell shows it the moment the move
commits); the other channels (email) go to the workers after the commit, one task per person,
and a broker that is down leaves them pending for the next scan. A fixed number of queries per
move, whatever the number of people told.
"""

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from core.roles import Role
from issues.models import Action, Issue
from issues.signals import MoveMade
from notifications.channels import InAppChannel, channels
from notifications.models import Delivery, Kind, Reminder
from notifications.reminders import People
from notifications.services import deliveries_enqueue

logger = logging.getLogger(__name__)


class Audience(enum.Enum):
    """Whose turn a move makes it."""

    UNIT = "the department the problem is with now"
    FORMER_UNIT = "the department it was with before the move"
    CADRE = "the enterprise's cadre"
    CAMPAIGN_OFFICE = "the campaign office"
    LEADING_GROUP = "the leading group"


UNIT, FORMER_UNIT, CADRE = Audience.UNIT, Audience.FORMER_UNIT, Audience.CADRE
OFFICE, GROUP = Audience.CAMPAIGN_OFFICE, Audience.LEADING_GROUP
GROUPS = {OFFICE: Role.CAMPAIGN_OFFICE, GROUP: Role.LEADING_GROUP}


@dataclass(frozen=True)
class Tell:
    """The move hands work to these people; what they are told is `notifications.texts.HANDED_OVER`'s."""

    audiences: tuple[Audience, ...]


@dataclass(frozen=True)
class Nobody:
    """The move hands work to no one, because…"""

    because: str


HANDOVERS: dict[Action, Tell | Nobody] = {
    Action.ASSIGN: Tell((UNIT, CADRE)),
    # Sent only for the enterprise's own request (issue_request): its cadre routes it.
    Action.REPORT: Tell((CADRE,)),
    Action.RESOLVE: Tell((CADRE,)),
    Action.ESCALATE: Tell((GROUP,)),
    Action.RETURN: Tell((OFFICE,)),
    Action.SEND_BACK: Tell((CADRE,)),
    Action.REOPEN: Tell((OFFICE,)),
    Action.REQUEST_EXTENSION: Tell((GROUP, OFFICE)),
    Action.DECIDE_EXTENSION: Tell((UNIT,)),
    # 收回改派: the unit it left stops, the unit it went to starts, and the cadre learns who has it now.
    Action.REASSIGN: Tell((FORMER_UNIT, UNIT, CADRE)),
    Action.ACCEPT: Nobody(
        "the work stays with the department, which was told when it was assigned; the cadre is told of its reply"
    ),
    Action.PROGRESS: Nobody(
        "the work stays with the department; the roadmap shows the progress, and the cadre is told of the reply"
    ),
    Action.LINK: Nobody("the escalation stays with the leading group, whose member grouped it under the matter"),
    Action.CLOSE: Nobody("the problem is over: no one has a turn after the enterprise's satisfied feedback"),
}


def recipients(move: MoveMade, audiences: Iterable[Audience], people: People) -> list[int]:
    """The users the audiences stand for on this move, each once, never the actor; a query per audience at most."""
    issue, audiences = move.issue, tuple(audiences)
    desks: dict[Audience, tuple[int, int | None]] = {}
    if UNIT in audiences and issue.department_id is not None:
        desks[UNIT] = (issue.department_id, issue.responsible_staff_id)
    if FORMER_UNIT in audiences and move.from_department_id is not None:
        desks[FORMER_UNIT] = (move.from_department_id, move.from_responsible_staff_id)
    staff = people.responsible(desks.values()) if desks else {}  # one query for both desks
    found: list[int] = []
    for audience in audiences:
        if audience in desks:
            found += staff[desks[audience]]
        elif audience is CADRE:
            found += people.issue_cadres([issue]).values()
        elif audience in GROUPS:
            found += people.group(GROUPS[audience])
    return [user_id for user_id in dict.fromkeys(found) if user_id != move.event.actor_id]


def handover_record(*, move: MoveMade) -> list[int]:
    """Tell whoever's turn the move makes it, once: record, write the bell, queue the rest; return who was told."""
    rule = HANDOVERS.get(Action(move.event.action))
    if rule is None:
        # tests/notifications/test_handovers.py fails on a move without an entry; never refuse the move for it.
        logger.error("No hand-over rule for the move %r: nobody is told.", move.event.action)
        return []
    if isinstance(rule, Nobody):
        return []
    with transaction.atomic(savepoint=False):  # inside the move's transaction: no savepoint to pay for
        told = recipients(move, rule.audiences, People())
        if not told:
            return []
        fresh = _record(move, told)
        names = [channel.name for channel in channels()]
        now = move.event.created_at
        # The bell is our own database: written now, it is seen exactly when the move commits.
        in_app = InAppChannel.name in names
        Delivery.objects.bulk_create(
            Delivery(
                reminder=r,
                recipient_id=r.recipient_id,
                channel=name,
                sent_at=now if name == InAppChannel.name else None,
            )
            for r in fresh
            for name in names
        )
        if in_app:
            InAppChannel.write(fresh, now=now)
        later = sorted({r.recipient_id for r in fresh}) if set(names) - {InAppChannel.name} else []
        if later:
            transaction.on_commit(lambda: deliveries_enqueue(recipient_ids=later))
    return [r.recipient_id for r in fresh]


def _record(move: MoveMade, told: list[int]) -> list[Reminder]:
    """Record one reminder per person under the move's key; return those this call recorded."""
    issue, event = move.issue, move.event
    # The values it is said from, in each reader's language (notifications/texts.py), the event's own included.
    params = {
        "action": event.action,
        "title": issue.title,
        "department": issue.department.name if issue.department else "",
        "enterprise": issue.enterprise.name,
        "actor": (event.actor.get_full_name() or event.actor.get_username()) if event.actor else "",
        # The enterprise through its link has no name to store: the text says who in the reader's language.
        "by_enterprise": event.by_enterprise,
        "event": {"kind": event.kind, "params": event.params, "note": event.note},
    }
    key: dict[str, Any] = {"kind": Kind.ISSUE_HANDED_OVER, "object_id": issue.pk, "period": str(event.pk)}
    link = reverse("issues:detail", args=[issue.pk])
    Reminder.objects.bulk_create(
        [
            Reminder(**key, recipient_id=user_id, params=params, link=link, created_at=event.created_at)
            for user_id in told
        ],
        ignore_conflicts=True,
    )
    # A key recorded before (a repeat of the same move's hand-over) has its deliveries already.
    return list(Reminder.objects.filter(**key, recipient_id__in=told, deliveries__isnull=True).order_by("pk"))


def on_issue_moved(sender: type[Issue], *, move: MoveMade, **kwargs: object) -> None:
    """Receive `issues.signals.issue_moved` (connected in NotificationsConfig.ready)."""
    handover_record(move=move)
