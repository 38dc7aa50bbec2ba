"""The enterprise's writes through its link: a visit's answer, a request raised once, the hand-over to its cadre."""

import datetime
import uuid

import pytest
from django.utils import timezone

from enterprises.links import link_revoke
from issues.models import Action, Feedback, IssueEvent, Source, Status
from issues.payloads import FeedbackPayload
from issues.services import MoveNotAllowed, WorkflowError, issue_record_feedback
from notifications.models import Kind, Notification, Reminder
from notifications.texts import say
from tests import factories
from visits.models import EnterpriseAnswer
from voice.models import LinkSubmission
from voice.services import VoiceError, request_raise, visit_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(cadre, enterprise):
    return factories.VisitFactory(pairing=cadre.pairings.get(), visited_on=timezone.localdate())


def test_the_enterprise_confirms_its_visit(enterprise_link, visit):
    visit_answer(link=enterprise_link, visit_id=visit.pk, answer=EnterpriseAnswer.CONFIRMED, remark=" 来过 ")
    visit.refresh_from_db()
    assert (visit.enterprise_answer, visit.enterprise_remark) == ("confirmed", "来过")
    assert visit.enterprise_answered_at is not None


def test_an_answer_is_final_a_second_is_refused(enterprise_link, visit):
    visit_answer(link=enterprise_link, visit_id=visit.pk, answer=EnterpriseAnswer.CONFIRMED)
    with pytest.raises(VoiceError) as refused:
        visit_answer(link=enterprise_link, visit_id=visit.pk, answer=EnterpriseAnswer.DENIED)
    assert refused.value.code == "already_answered"
    visit.refresh_from_db()
    assert visit.enterprise_answer == "confirmed"


def test_another_enterprises_visit_is_refused(enterprise_link, other_cadre):
    theirs = factories.VisitFactory(pairing=other_cadre.pairings.get(), visited_on=timezone.localdate())
    with pytest.raises(VoiceError) as refused:
        visit_answer(link=enterprise_link, visit_id=theirs.pk, answer=EnterpriseAnswer.DENIED)
    assert refused.value.code == "not_allowed"
    theirs.refresh_from_db()
    assert theirs.enterprise_answer == ""


def test_a_visit_of_a_former_pairing_of_the_same_enterprise_may_be_answered(enterprise_link, enterprise):
    former = factories.PairingFactory(
        enterprise=enterprise, started_on=datetime.date(2026, 1, 1), ended_on=timezone.localdate()
    )
    old = factories.VisitFactory(pairing=former, visited_on=timezone.localdate())
    visit_answer(link=enterprise_link, visit_id=old.pk, answer=EnterpriseAnswer.DENIED)
    old.refresh_from_db()
    assert old.enterprise_answer == "denied"


def test_a_visit_too_long_ago_or_a_made_up_answer_is_refused(enterprise_link, cadre):
    old = factories.VisitFactory(
        pairing=cadre.pairings.get(), visited_on=timezone.localdate() - datetime.timedelta(days=91)
    )
    with pytest.raises(VoiceError) as refused:
        visit_answer(link=enterprise_link, visit_id=old.pk, answer=EnterpriseAnswer.CONFIRMED)
    assert refused.value.code == "too_old"
    with pytest.raises(VoiceError) as refused:
        visit_answer(link=enterprise_link, visit_id=old.pk, answer="maybe")
    assert refused.value.code == "answer_required"


def test_a_revoked_link_answers_nothing(enterprise_link, enterprise, visit):
    link_revoke(enterprise=enterprise, actor=None)
    enterprise_link.refresh_from_db()
    with pytest.raises(VoiceError) as refused:
        visit_answer(link=enterprise_link, visit_id=visit.pk, answer=EnterpriseAnswer.CONFIRMED)
    assert refused.value.code == "not_allowed"


def _raise(link, token, title="厂区道路积水"):
    return request_raise(link=link, token=token, title=title, category=factories.category("utilities"))


def test_a_request_arrives_reported_from_the_enterprise_and_its_cadre_is_told(enterprise_link, cadre, office):
    raised = _raise(enterprise_link, uuid.uuid4())
    issue = raised.issue
    assert not raised.again
    assert (issue.status, issue.source, issue.flow, issue.reporter) == (Status.REPORTED, Source.ENTERPRISE, "", cadre)
    event = IssueEvent.objects.get(issue=issue)
    assert (event.action, event.by_enterprise, event.actor) == (Action.REPORT, True, None)
    assert list(Reminder.objects.filter(kind=Kind.ISSUE_HANDED_OVER).values_list("recipient_id", flat=True)) == [
        cadre.user_id
    ]
    note = Notification.objects.get(recipient=cadre.user)
    said = say(note.kind, note.params)
    assert issue.title in said.title and enterprise_link.enterprise.name in said.body
    assert "·  :" not in said.body and " · :" not in said.body  # the enterprise as actor reads as words


def test_the_same_request_form_sent_twice_raises_one_problem(enterprise_link, cadre):
    token = uuid.uuid4()
    first = _raise(enterprise_link, token)
    again = _raise(enterprise_link, token, title="改过的标题")
    assert again.again and again.issue == first.issue
    assert enterprise_link.enterprise.issues.count() == 1
    assert Reminder.objects.filter(kind=Kind.ISSUE_HANDED_OVER).count() == 1
    other = _raise(enterprise_link, uuid.uuid4())
    assert other.issue != first.issue


def test_a_refused_request_claims_no_token(enterprise_link, cadre):
    token = uuid.uuid4()
    with pytest.raises(WorkflowError) as refused:
        _raise(enterprise_link, token, title="   ")
    assert refused.value.code == "title_required"
    assert not LinkSubmission.objects.exists()
    assert _raise(enterprise_link, token).issue.title == "厂区道路积水"


def test_without_a_cadre_the_request_is_refused(enterprise_link, enterprise):
    with pytest.raises(MoveNotAllowed) as refused:
        _raise(enterprise_link, uuid.uuid4())
    assert refused.value.code == "no_cadre"


def test_the_enterprise_reopens_and_the_office_is_told(enterprise_link, enterprise, cadre, office):
    issue = factories.issue_resolved(enterprise=enterprise, reporter=cadre)
    payload = FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="仍未解决")
    issue_record_feedback(issue_id=issue.pk, actor=enterprise_link, version=issue.version, payload=payload)
    issue.refresh_from_db()
    assert issue.status == Status.REOPENED
    feedback = Feedback.objects.get(issue=issue)
    assert feedback.enterprise_link == enterprise_link and feedback.recorded_by is None
    told = Reminder.objects.filter(kind=Kind.ISSUE_HANDED_OVER).values_list("recipient_id", flat=True)
    assert list(told) == [office.pk]
    note = Notification.objects.get(recipient=office)
    assert "仍未解决" in say(note.kind, note.params).body


def test_another_enterprises_problem_is_not_the_links_to_move(enterprise_link, other_enterprise, other_cadre):
    theirs = factories.issue_resolved(enterprise=other_enterprise, reporter=other_cadre)
    with pytest.raises(MoveNotAllowed) as refused:
        issue_record_feedback(
            issue_id=theirs.pk,
            actor=enterprise_link,
            version=theirs.version,
            payload=FeedbackPayload(rating="satisfied"),
        )
    assert refused.value.code == "not_allowed"
    theirs.refresh_from_db()
    assert theirs.status == Status.RESOLVED
