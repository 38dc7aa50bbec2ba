"""What the enterprise does through its link: answer a visit, raise a request once. Each one transaction.

Rating a resolved problem is `issues.services.issue_record_feedback(actor=link, …)` itself: the same
transition table and timeline as the cadre's recording, so it has no function here.
"""

import datetime
import uuid
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import PortalError
from enterprises.models import EnterpriseLink
from issues.models import Issue, IssueCategory
from issues.services import issue_request
from visits.models import EnterpriseAnswer, Visit
from voice.models import LinkSubmission

# How far back the enterprise sees its visits and may answer them: a quarter, longer than any
# reminder of a visit's month, short enough that the answer is still a memory.
ANSWERABLE_DAYS = 90


class VoiceError(PortalError):
    """Something the enterprise asked through its link and may not do: `code` says why."""


def answerable_since(today: datetime.date) -> datetime.date:
    """Return the first visit date the enterprise sees and may answer on `today`."""
    return today - datetime.timedelta(days=ANSWERABLE_DAYS)


@transaction.atomic
def visit_answer(
    *,
    link: EnterpriseLink,
    visit_id: int,
    answer: str,
    remark: str = "",
    now: datetime.datetime | None = None,
) -> Visit:
    """Record the enterprise's word on one of its visits: it took place, or it did not.

    The answer is final: a second answer is refused (`already_answered`) rather than overwriting the
    first, so what the cadre, the office and the figures read never changes behind their back; a
    mistaken answer is for the enterprise to tell its cadre or the campaign office. The visit's history
    (simple_history) keeps the write.
    """
    now = now or timezone.now()
    if link.is_revoked:
        raise VoiceError("not_allowed", _("This link has been withdrawn."))
    if answer not in EnterpriseAnswer.values:
        raise VoiceError("answer_required", _("Say whether the visit took place."))
    # Only the link's own enterprise's visits, of any of its pairings (a former cadre's too): another
    # enterprise's visit is refused exactly as one that never existed.
    visit = Visit.objects.select_for_update().filter(pk=visit_id, pairing__enterprise_id=link.enterprise_id).first()
    if visit is None:
        raise VoiceError("not_allowed", _("This visit is not one of your enterprise's."))
    if visit.visited_on < answerable_since(timezone.localdate(now)):
        raise VoiceError("too_old", _("This visit is too long ago to be answered here."))
    if visit.enterprise_answer:
        raise VoiceError("already_answered", _("You have already answered for this visit."))
    visit.enterprise_answer = answer
    visit.enterprise_remark = remark.strip()
    visit.enterprise_answered_at = now
    visit.save(update_fields=["enterprise_answer", "enterprise_remark", "enterprise_answered_at"])
    return visit


class Raised(NamedTuple):
    """The problem a request form raised, and whether this very form had raised it before."""

    issue: Issue
    again: bool


@transaction.atomic
def request_raise(
    *,
    link: EnterpriseLink,
    token: uuid.UUID,
    title: str,
    category: IssueCategory,
    description: str = "",
    now: datetime.datetime | None = None,
) -> Raised:
    """Raise the enterprise's request (诉求) once per form: the same form sent again raises nothing new.

    The form's one-time token is claimed for the link in the same transaction as the problem, so a
    refusal claims nothing (the corrected form goes with the same token) and a double tap, or a phone
    re-sending on a weak signal, lands on the problem the first one raised.
    """
    now = now or timezone.now()
    try:
        # A savepoint, so that a refused insert leaves the transaction usable (PostgreSQL); an insert of a
        # token another transaction holds uncommitted waits for it, then fails and reads its problem.
        with transaction.atomic():
            claim = LinkSubmission.objects.create(link=link, token=token, created_at=now)
    except IntegrityError:
        first = LinkSubmission.objects.filter(link=link, token=token).select_related("issue").first()
        if first is None or first.issue is None:
            raise
        return Raised(first.issue, again=True)
    issue = issue_request(link=link, title=title, category=category, description=description, now=now)
    claim.issue = issue
    claim.save(update_fields=["issue"])
    return Raised(issue, again=False)
