"""Who is told, at once, that a move on a problem has made it their turn: one table, keyed by the move.

Every move in `issues.workflow.MOVES` has an entry in `HANDOVERS` (a test holds the table to
it): the people it hands work to, or `Nobody` with the reason. A new move is one entry.

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
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from issues.models import Action, Issue
from issues.signals import MoveMade
from notifications.channels import InAppChannel, channels
from notifications.models import TITLE_LENGTH, Delivery, Kind, Reminder
from notifications.reminders import People
from notifications.services import deliveries_enqueue

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

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
    """The move hands work to these people; `title` says what (with the problem's title and department)."""

    audiences: tuple[Audience, ...]
    title: "StrPromise"


@dataclass(frozen=True)
class Nobody:
    """The move hands work to no one, because…"""

    because: str


HANDOVERS: dict[Action, Tell | Nobody] = {
    Action.ASSIGN: Tell((UNIT, CADRE), _("Assigned to %(department)s: %(title)s")),
    Action.RESOLVE: Tell((CADRE,), _("Resolved, record the enterprise's feedback: %(title)s")),
    Action.ESCALATE: Tell((GROUP,), _("Escalated, for the leading group to decide: %(title)s")),
    Action.RETURN: Tell((OFFICE,), _("Returned by the department, to route again: %(title)s")),
    Action.SEND_BACK: Tell((CADRE,), _("Sent back by the leading group, to route again: %(title)s")),
    Action.REOPEN: Tell((OFFICE,), _("Reopened, the enterprise is dissatisfied; to route again: %(title)s")),
    Action.REQUEST_EXTENSION: Tell((GROUP, OFFICE), _("Extension requested, to decide: %(title)s")),
    Action.DECIDE_EXTENSION: Tell((UNIT,), _("Extension decided: %(title)s")),
    # 收回改派: the unit it left stops, the unit it went to starts, and the cadre learns who has it now.
    Action.REASSIGN: Tell((FORMER_UNIT, UNIT, CADRE), _("Taken back and reassigned to %(department)s: %(title)s")),
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
        fresh = _record(move, rule, told)
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


def _record(move: MoveMade, rule: Tell, told: list[int]) -> list[Reminder]:
    """Record one reminder per person under the move's key; return those this call recorded."""
    issue, event = move.issue, move.event
    # The stored text is what every channel says: the campaign's language, not the actor's.
    with translation.override(settings.LANGUAGE_CODE):
        values = {"title": issue.title, "department": issue.department.name if issue.department else ""}
        title = Truncator(rule.title % values).chars(TITLE_LENGTH)
        body = _("%(enterprise)s · %(actor)s: %(note)s") % {
            "enterprise": issue.enterprise.name,
            "actor": event.actor.get_full_name() or event.actor.get_username(),
            "note": event.note or event.get_action_display(),
        }
    key: dict[str, Any] = {"kind": Kind.ISSUE_HANDED_OVER, "object_id": issue.pk, "period": str(event.pk)}
    link = reverse("issues:detail", args=[issue.pk])
    Reminder.objects.bulk_create(
        [
            Reminder(**key, recipient_id=user_id, title=title, body=body, link=link, created_at=event.created_at)
            for user_id in told
        ],
        ignore_conflicts=True,
    )
    # A key recorded before (a repeat of the same move's hand-over) has its deliveries already.
    return list(Reminder.objects.filter(**key, recipient_id__in=told, deliveries__isnull=True).order_by("pk"))


def on_issue_moved(sender: type[Issue], *, move: MoveMade, **kwargs: object) -> None:
    """Receive `issues.signals.issue_moved` (connected in NotificationsConfig.ready)."""
    handover_record(move=move)
