"""The demo district's own voice (issue 15): each enterprise's link, and what some of them said through it.

Made once, after the problems (`seed_demo` calls `seed_voice`), and only while no enterprise has a link,
so running the seed again changes nothing. Dates follow today, as the rest of the demo's do:

- every demo enterprise has a live link (`enterprises.links.link_issue`, issued by the campaign office)
  and a contact's mobile (the office sends the link to it by SMS);
- of the visits of the last 30 days, some are confirmed by the enterprise and one is denied with a remark;
- two resolved problems are rated by the enterprise itself through the real service (actor = its link,
  at a past moment): one satisfied (closed), one dissatisfied (reopened). The busy cadre's problem awaiting
  feedback (`demo.supervision.busy_cadre`, the a11y pages' and the browser tests') and at least one other
  resolved problem are left for the enterprise (or the cadre) to rate;
- one request raised by an enterprise itself (`issue_request`), waiting for its cadre to route it.

docs/oversight.md ("The demo district") lists what the dashboard then shows.
"""

import datetime
import random
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.utils import timezone

from demo.supervision import busy_cadre
from enterprises.links import link_issue
from enterprises.models import Enterprise, EnterpriseLink
from issues.models import Feedback, Issue, IssueCategory
from issues.payloads import FeedbackPayload
from issues.services import issue_record_feedback, issue_request
from organisation.models import Pairing
from visits.models import EnterpriseAnswer, Visit
from voice.services import visit_answer

# How many recent visits the enterprises confirmed; one more is denied.
CONFIRMED_VISITS = 8
DENIED_REMARK = "当天未见到帮扶干部，只接到一个电话。"
REQUEST_TITLE = "希望协调解决厂区周边道路夜间照明问题"


def seed_voice(today: datetime.date, active: Sequence[Pairing], office: User) -> dict[str, int]:
    """Issue every demo enterprise its link and have some of them speak through it; nothing when links exist."""
    made = {"links": 0, "visit_answers": 0, "enterprise_ratings": 0, "enterprise_requests": 0}
    if EnterpriseLink.objects.exists():
        return made
    rng = random.Random(f"voice-{today.isoformat()}")  # nosec B311 # demo data, not a secret
    links = _links(rng, office)
    made["links"] = len(links)
    made["visit_answers"] = _visit_answers(today, links)
    made["enterprise_ratings"] = _ratings(links)
    made["enterprise_requests"] = _request(active, links)
    return made


def _links(rng: random.Random, office: User) -> dict[int, EnterpriseLink]:
    """A live link and a contact's mobile for every enterprise."""
    links = {}
    for enterprise in Enterprise.objects.order_by("pk"):
        if not enterprise.contact_mobile:
            enterprise.contact_mobile = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
            enterprise.save(update_fields=["contact_mobile"])
        links[enterprise.pk] = link_issue(enterprise=enterprise, actor=office)
    return links


def _visit_answers(today: datetime.date, links: dict[int, EnterpriseLink]) -> int:
    """The enterprise's word on some visits of the last 30 days, through its link: most confirmed, one denied.

    Through the link's own service (`voice.services.visit_answer`), a day after the visit was logged.
    """
    now = timezone.now()
    # Logged a day ago at least, so that the answer comes after the visit was logged (and before now).
    logged = Visit.objects.filter(
        visited_on__gte=today - datetime.timedelta(days=30), created_at__lt=now - datetime.timedelta(days=1)
    ).select_related("pairing")
    recent = list(logged.order_by("-visited_on", "pk")[: CONFIRMED_VISITS + 1])
    for i, visit in enumerate(recent):
        denied = i == len(recent) - 1
        visit_answer(
            link=links[visit.pairing.enterprise_id],
            visit_id=visit.pk,
            answer=EnterpriseAnswer.DENIED if denied else EnterpriseAnswer.CONFIRMED,
            remark=DENIED_REMARK if denied else "",
            now=min(visit.created_at + datetime.timedelta(days=1), now),
        )
    return len(recent)


def _ratings(links: dict[int, EnterpriseLink]) -> int:
    """Two resolved problems rated by the enterprise itself: satisfied, then dissatisfied.

    The busy cadre's enterprise is left out, and so is the last resolved problem, so that one at least
    waits for the enterprise to rate it.
    """
    busy = busy_cadre()
    waiting = Issue.objects.awaiting_feedback().order_by("resolved_at", "pk")
    if busy is not None:
        waiting = waiting.exclude(enterprise__pairings__cadre=busy)
    chosen = list(waiting)[:-1][:2]
    ratings = [
        FeedbackPayload(rating=Feedback.Rating.SATISFIED, note="问题解决得很及时，感谢。"),
        FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="答复了但问题没有实际解决。"),
    ]
    now = timezone.now()
    for issue, payload in zip(chosen, ratings, strict=False):
        # A day after it was resolved (an hour ago at the latest), as the enterprise would have rated it.
        when = min((issue.resolved_at or now) + datetime.timedelta(days=1), now - datetime.timedelta(hours=1))
        issue_record_feedback(
            issue_id=issue.pk, actor=links[issue.enterprise_id], version=None, payload=payload, now=when
        )
    return len(chosen)


def _request(active: Sequence[Pairing], links: dict[int, EnterpriseLink]) -> int:
    """A request an enterprise raised itself yesterday, waiting for its cadre to route it."""
    pairing = active[1] if len(active) > 1 else None
    category = IssueCategory.objects.filter(is_active=True).order_by("sort_order", "pk").first()
    if pairing is None or category is None:
        return 0
    issue_request(
        link=links[pairing.enterprise_id],
        title=REQUEST_TITLE,
        category=category,
        description="厂区门前道路路灯损坏较多，夜班职工出行不便，希望协调有关部门尽快修复。",
        now=timezone.now() - datetime.timedelta(days=1),
    )
    return 1
