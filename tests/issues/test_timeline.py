"""A timeline event keeps what happened, and each reader reads its sentence in their own language."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from issues.models import Action, ExtensionRequest, IssueEvent, Status
from issues.payloads import (
    AcceptPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    ProgressPayload,
    ResolvePayload,
    ReturnPayload,
)
from issues.services import issue_transition
from issues.timeline import SENTENCES, sentence
from tests.factories import issue_in

pytestmark = pytest.mark.django_db


def _page(client, user, issue, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("issues:detail", args=[issue.pk])).content.decode()


def test_a_move_stores_its_sentences_kind_and_values_never_the_sentence(report, assignment, department):
    issue = report(assignment)
    event = IssueEvent.objects.filter(issue=issue).last()
    assert event.kind == "assigned" and event.note == ""
    assert event.params == {
        "department": department.name,
        "person": "张晓明",
        "deadline": assignment.deadline.isoformat(),
    }


def test_an_english_reader_reads_the_timeline_in_english_and_a_chinese_reader_in_chinese(
    client, report, assignment, department, staff
):
    issue = report(assignment)
    deadline = assignment.deadline.isoformat()
    english = _page(client, staff.user, issue, "en")
    assert f"Assigned to {department.name}, responsible person 张晓明, deadline {deadline}." in english
    chinese = _page(client, staff.user, issue, "zh-hans")
    assert f"交办{department.name}，责任人张晓明，时限{deadline}。" in chinese
    assert "Assigned to" not in chinese


def test_the_same_event_reads_differently_in_each_language_whoever_made_the_move(report, assignment, staff, move):
    issue = report(assignment)
    with translation.override("en"):  # an English user makes the move: nothing of their language is stored
        move(issue, staff.user, Action.RETURN, ReturnPayload(note="非本单位职责"))
    event = IssueEvent.objects.filter(issue=issue).last()
    assert (event.kind, event.params["reason"]) == ("returned", "非本单位职责")
    with translation.override("zh-hans"):
        assert event.text == f"{staff.department.name}退回：非本单位职责"
    with translation.override("en"):
        assert event.text == f"Returned by {staff.department.name}: 非本单位职责"


def test_a_rating_and_a_withdrawn_request_are_said_in_the_readers_language(cadre, enterprise, department, staff):
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=enterprise, reporter=cadre)
    later = issue.deadline + datetime.timedelta(days=10)
    issue = issue_transition(
        issue_id=issue.pk,
        actor=staff.user,
        action=Action.REQUEST_EXTENSION,
        version=issue.version,
        payload=ExtensionRequestPayload(new_deadline=later, note="等待批复"),
    )
    issue = issue_transition(
        issue_id=issue.pk,
        actor=staff.user,
        action=Action.RESOLVE,
        version=issue.version,
        payload=ResolvePayload(note="已办结"),
    )
    resolved = IssueEvent.objects.filter(issue=issue).last()
    request = ExtensionRequest.objects.get()
    assert (request.decision, request.decision_note) == (ExtensionRequest.Decision.WITHDRAWN, "resolved")
    with translation.override("en"):
        assert request.decision_text == "The problem was resolved."
    with translation.override("zh-hans"):
        assert request.decision_text == gettext("The problem was resolved.") != "The problem was resolved."
    request.decision_note = "问题已办结。"  # a withdrawal stored before as text says its text
    assert request.decision_text == "问题已办结。"
    with translation.override("en"):
        assert resolved.text == (
            f"已办结 The extension request to {later.isoformat()}, waiting for a decision, is withdrawn."
        )
    with translation.override("zh-hans"):
        assert resolved.text == f"已办结 待审批的延期申请（延至{later.isoformat()}）随之撤回。"
    issue = issue_transition(
        issue_id=issue.pk,
        actor=cadre.user,
        action=Action.CLOSE,
        version=issue.version,
        payload=FeedbackPayload(rating="satisfied", note="很及时"),
    )
    closed = IssueEvent.objects.filter(issue=issue).last()
    assert (closed.kind, closed.params, closed.note) == ("feedback", {"rating": "satisfied"}, "很及时")
    with translation.override("en"):
        assert closed.text == "Enterprise feedback: Satisfied. 很及时"
    with translation.override("zh-hans"):
        assert "满意" in closed.text and "Satisfied" not in closed.text


def test_an_event_written_before_kinds_still_says_its_stored_note(client, cadre, enterprise, department, staff):
    issue = issue_in(Status.ASSIGNED, department=department, enterprise=enterprise, reporter=cadre)
    IssueEvent.objects.create(
        issue=issue,
        actor=cadre.user,
        action=Action.ASSIGN,
        from_status=Status.REPORTED,
        to_status=Status.ASSIGNED,
        note="交办区发改局，责任人张晓明，时限2026-12-01。",
    )
    for language in ("en", "zh-hans"):
        assert "交办区发改局，责任人张晓明，时限2026-12-01。" in _page(client, staff.user, issue, language)


def test_every_kind_is_said_in_both_languages_with_nothing_left_unfilled(demo_district):
    """Every event the demo district's moves wrote names a known kind, and reads whole in each language."""
    events = list(IssueEvent.objects.all())
    kinds = {event.kind for event in events}
    assert kinds - {""} <= set(SENTENCES)
    assert {"assigned", "returned", "extension_requested", "linked", "feedback"} <= kinds
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for event in events:
                assert "%(" not in event.text, (event.kind, event.params)


def test_a_kind_this_code_no_longer_knows_says_the_note():
    assert sentence("no_such_kind", {"x": 1}, "原话") == "原话"


def test_the_problem_page_runs_the_same_queries_for_a_longer_timeline(client, report, assignment, staff, move):
    issue = report(assignment)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload(note="受理"))
    move(issue, staff.user, Action.PROGRESS, ProgressPayload(note="进展"))
    url = reverse("issues:detail", args=[issue.pk])
    client.force_login(staff.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        move(issue, staff.user, Action.PROGRESS, ProgressPayload(note=f"进展{n}"))
    assert count() == few
