"""The demo district's own voice (demo/voice.py): links, the enterprises' confirmations, ratings and a request."""

import pytest

from core.months import Month
from core.periods import Period
from demo.seed import campaign_start
from demo.supervision import busy_cadre
from demo.voice import CONFIRMED_VISITS, DENIED_REMARK, REQUEST_TITLE
from enterprises.links import link_read, token_for
from enterprises.models import Enterprise, EnterpriseLink
from issues import measures
from issues.models import Action, Feedback, Issue, IssueEvent, Source, Status
from visits.models import EnterpriseAnswer, Visit

pytestmark = pytest.mark.django_db


def test_every_enterprise_has_a_live_link_and_a_contacts_mobile(demo_district):
    assert EnterpriseLink.objects.live().count() == Enterprise.objects.count() == 139
    assert not Enterprise.objects.filter(contact_mobile="").exists()
    link = EnterpriseLink.objects.live().first()
    assert link_read(token_for(link)) == link


def test_some_recent_visits_are_confirmed_by_the_enterprise_and_one_denied(demo_district):
    assert Visit.objects.filter(enterprise_answer=EnterpriseAnswer.CONFIRMED).count() == CONFIRMED_VISITS
    [denied] = Visit.objects.filter(enterprise_answer=EnterpriseAnswer.DENIED)
    assert denied.enterprise_remark == DENIED_REMARK
    for visit in Visit.objects.exclude(enterprise_answer=""):
        assert visit.created_at < visit.enterprise_answered_at


def test_two_problems_are_rated_by_the_enterprise_itself_through_the_real_service(demo_district):
    given = Feedback.objects.filter(enterprise_link__isnull=False)
    assert sorted(given.values_list("rating", flat=True)) == ["dissatisfied", "satisfied"]
    events = IssueEvent.objects.filter(enterprise_link__isnull=False, action__in=(Action.CLOSE, Action.REOPEN))
    assert events.count() == 2 and not events.filter(actor__isnull=False).exists()
    for feedback in given.select_related("issue"):
        expected = Status.REOPENED if feedback.rating == "dissatisfied" else Status.CLOSED
        assert feedback.issue.status == expected
        assert feedback.enterprise_link.enterprise_id == feedback.issue.enterprise_id


def test_problems_are_left_for_the_enterprise_to_rate_and_the_busy_cadre_keeps_theirs(demo_district):
    busy = busy_cadre()
    assert busy is not None
    waiting = Issue.objects.awaiting_feedback()
    assert waiting.filter(enterprise__pairings__cadre=busy, enterprise__pairings__ended_on__isnull=True).exists()
    assert waiting.exclude(enterprise__pairings__cadre=busy).exists()


def test_one_request_raised_by_the_enterprise_waits_for_its_cadre(demo_district):
    [request] = Issue.objects.filter(source=Source.ENTERPRISE)
    assert (request.title, request.status, request.flow) == (REQUEST_TITLE, Status.REPORTED, "")
    assert request.reporter == request.enterprise.pairings.get(ended_on__isnull=True).cadre
    assert request.events.get().kind == "raised_by_enterprise"


def test_the_dashboards_figures_show_the_enterprises_own_word(demo_district):
    """Over the demo's span (its campaign so far), the split figures the dashboard shows are not all zero."""
    today = demo_district.today
    period = Period(Month.of(campaign_start(today)), Month.of(today))
    found = measures.counts(Issue.objects.all(), measures.Window.of(period), sum(measures.RATE_SPLITS.values(), ()))
    assert found["rated_by_enterprise"] == 2 and found["rated_by_cadre"] > 0
    assert found["raised_by_enterprise"] == 1 and found["raised_by_enterprise_answered"] == 0
