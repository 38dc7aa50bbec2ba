"""A problem report or a move sent twice is made once; the repeat lands on the problem, not on a refusal."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Submission
from issues.models import Feedback, Issue, IssueEvent, Status
from issues.payloads import ResolvePayload
from tests.factories import category
from tests.refusals import refusals
from tests.submissions import tokens_on, told_already_submitted, with_token

# `department` receives problems only while someone there can accept them: `staff` works there.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff")]
REPORT = reverse("issues:report")


def _report_form(department) -> dict:
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    return {
        "title": "用电增容",
        "category": category("utilities").pk,
        "route": "assign",
        "department": department.pk,
        "responsible_person": "张晓明",
        "deadline": deadline.isoformat(),
        "milestone_1": "现场勘查",
        "milestone_1_on": deadline.isoformat(),
    }


def _form_token(page, action: str) -> str:
    """The one-time token of one move's form on the problem's page."""
    actions = [action for action, _label, _form in page.context["forms"]]
    return tokens_on(page)[actions.index(action)]


def test_the_same_report_sent_twice_is_filed_once_and_the_repeat_lands_on_it(client, cadre, department):
    client.force_login(cadre.user)
    [token] = tokens_on(client.get(REPORT))
    data = with_token(_report_form(department), token)
    first = client.post(REPORT, data)
    issue = Issue.objects.get()
    assert first["Location"] == reverse("issues:detail", args=[issue.pk])

    again = client.post(REPORT, data, follow=True)

    assert again.redirect_chain == [(first["Location"], 302)]
    assert told_already_submitted(again) and refusals(again) == []
    assert Issue.objects.count() == 1 and IssueEvent.objects.count() == 2  # reported, assigned


def test_a_report_refused_by_the_service_keeps_its_token_for_the_correction(client, cadre, department):
    client.force_login(cadre.user)
    [token] = tokens_on(client.get(REPORT))
    refused = client.post(REPORT, with_token({**_report_form(department), "responsible_person": " "}, token))
    assert refused.status_code == 400 and tokens_on(refused) == [token]
    assert not Submission.objects.exists()

    assert client.post(REPORT, with_token(_report_form(department), token)).status_code == 302
    assert Issue.objects.count() == 1


@pytest.mark.parametrize(("rating", "status"), [("satisfied", Status.CLOSED), ("dissatisfied", Status.REOPENED)])
def test_the_same_feedback_sent_twice_is_recorded_once_and_never_called_stale(client, report, cadre, rating, status):
    issue = report(ResolvePayload(note="当场解决"))
    client.force_login(cadre.user)
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    data = with_token(
        {"feedback-version": issue.version, "feedback-rating": rating, "feedback-note": "企业反馈"},
        _form_token(page, "close"),
    )
    url = reverse("issues:act", args=[issue.pk, "close"])
    first = client.post(url, data)
    assert first["Location"] == reverse("issues:detail", args=[issue.pk])

    again = client.post(url, data, follow=True)

    assert again.redirect_chain == [(first["Location"], 302)]
    assert told_already_submitted(again)
    assert refusals(again) == []  # not "someone else changed this problem"
    issue.refresh_from_db()
    assert issue.status == status
    assert Feedback.objects.filter(issue=issue).count() == 1


def test_a_move_sent_twice_is_made_once(client, report, assignment, staff):
    issue = report(assignment)
    client.force_login(staff.user)
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    data = with_token({"accept-version": issue.version}, _form_token(page, "accept"))
    url = reverse("issues:act", args=[issue.pk, "accept"])
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert told_already_submitted(again) and refusals(again) == []
    assert IssueEvent.objects.filter(issue=issue, action="accept").count() == 1


def test_a_refused_move_keeps_its_token(client, report, assignment, staff):
    issue = report(assignment)
    client.force_login(staff.user)
    url = reverse("issues:act", args=[issue.pk, "accept"])
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    token = _form_token(page, "accept")
    stale = client.post(url, with_token({"accept-version": issue.version - 1}, token), follow=True)
    assert [code for code, _message in refusals(stale)] == ["stale"]

    accepted = client.post(url, with_token({"accept-version": issue.version}, token), follow=True)

    assert refusals(accepted) == [] and not told_already_submitted(accepted)
    issue.refresh_from_db()
    assert issue.status == Status.IN_PROGRESS


def test_every_form_on_the_problem_page_has_its_own_token(client, report, assignment, staff):
    issue = report(assignment)
    client.force_login(staff.user)
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    tokens = tokens_on(page)
    assert len(tokens) == len(page.context["forms"]) >= 2
    assert len(set(tokens)) == len(tokens)
    assert 'id="id_submission"' not in page.content.decode()  # hidden, one per form: no repeated id
