"""A double tap, or a phone re-sending a form on a weak signal, files one visit and one errand, not two."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone

from core.models import Submission
from issues.models import Issue, IssueEvent, Milestone
from tests.factories import category
from tests.refusals import refusals
from tests.submissions import tokens_on, told_already_submitted, with_token
from visits.models import Errand, ErrandStep, Visit

# `department` receives problems only while someone there can accept them: `staff` works there.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff")]
TODAY = timezone.localdate
VISIT_NEW = reverse("visits:visit_new")
ERRAND_NEW = reverse("visits:errand_new")
ERRAND = {"matter": "代办施工许可证", "approving_department": "区住建局", "mode": "agent"}


def visit_with_two_problems(department, **extra) -> dict:
    """The visit form as a cadre fills it: a visit, one problem solved on the spot, one assigned."""
    deadline = TODAY() + datetime.timedelta(days=10)
    return {
        "visited_on": TODAY().isoformat(),
        "mode": "on_site",
        "operations": "二期厂房主体完工",
        "summary": "走访座谈",
        "problems-TOTAL_FORMS": "2",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "10",
        "problems-0-title": "门前道路积水",
        "problems-0-category": category("utilities").pk,
        "problems-0-route": "resolve",
        "problems-0-note": "现场协调市政养护，当场处理。",
        "problems-1-title": "施工许可证办理慢",
        "problems-1-category": category("approvals").pk,
        "problems-1-route": "assign",
        "problems-1-department": department.pk,
        "problems-1-responsible_person": "张晓明",
        "problems-1-deadline": deadline.isoformat(),
        "problems-1-milestone_1": "办结并答复企业",
        "problems-1-milestone_1_on": deadline.isoformat(),
        **extra,
    }


def _page_token(client, url: str) -> str:
    """The one-time token of the form the page shows (there is exactly one)."""
    [token] = tokens_on(client.get(url))
    return token


def test_the_same_visit_sent_twice_is_filed_once_and_the_repeat_lands_on_it(client, cadre, department):
    client.force_login(cadre.user)
    data = with_token(visit_with_two_problems(department), _page_token(client, VISIT_NEW))
    first = client.post(VISIT_NEW, data)
    visit = Visit.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    counts = (Issue.objects.count(), IssueEvent.objects.count(), Milestone.objects.count())
    assert counts[0] == 2

    again = client.post(VISIT_NEW, data, follow=True)

    assert again.redirect_chain == [(first["Location"], 302)]
    assert told_already_submitted(again) and refusals(again) == []
    assert Visit.objects.count() == 1
    assert (Issue.objects.count(), IssueEvent.objects.count(), Milestone.objects.count()) == counts
    assert Submission.objects.get().result_url == first["Location"]


def test_a_visit_form_refused_for_a_form_error_is_sent_again_with_the_same_token(client, cadre, department):
    client.force_login(cadre.user)
    token = _page_token(client, VISIT_NEW)
    invalid = client.post(VISIT_NEW, with_token(visit_with_two_problems(department, **{"problems-0-note": ""}), token))
    assert invalid.status_code == 400
    assert tokens_on(invalid) == [token]  # the page shown again carries the token it was sent with
    assert not Submission.objects.exists()

    corrected = client.post(VISIT_NEW, with_token(visit_with_two_problems(department), token), follow=True)

    assert not told_already_submitted(corrected)
    visit = Visit.objects.get()
    assert corrected.redirect_chain == [(reverse("visits:visit_detail", args=[visit.pk]), 302)]
    assert visit.issues.count() == 2


def test_a_visit_the_service_refuses_claims_nothing_and_its_token_serves_the_correction(client, cadre, department):
    client.force_login(cadre.user)
    token = _page_token(client, VISIT_NEW)
    refused = client.post(VISIT_NEW, with_token(visit_with_two_problems(department, visited_on="2020-01-01"), token))
    assert refused.status_code == 400
    assert refused.context["form"].has_error(NON_FIELD_ERRORS, "before_pairing")
    assert tokens_on(refused) == [token]
    assert not Submission.objects.exists() and not Visit.objects.exists()

    corrected = client.post(VISIT_NEW, with_token(visit_with_two_problems(department), token))

    assert corrected.status_code == 302
    assert Visit.objects.count() == 1 and Issue.objects.count() == 2


def test_a_visit_sent_without_a_token_is_shown_again_with_one_and_saves_nothing(client, cadre, department):
    client.force_login(cadre.user)
    response = client.post(VISIT_NEW, visit_with_two_problems(department))
    assert response.status_code == 400
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "token_missing")
    [fresh] = tokens_on(response)
    assert not Visit.objects.exists() and not Issue.objects.exists()

    assert client.post(VISIT_NEW, with_token(visit_with_two_problems(department), fresh)).status_code == 302
    assert Visit.objects.count() == 1


def test_a_malformed_token_is_no_token(client, cadre, department):
    client.force_login(cadre.user)
    response = client.post(VISIT_NEW, with_token(visit_with_two_problems(department), "../../etc/passwd"))
    assert response.status_code == 400
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "token_missing")
    assert len(tokens_on(response)) == 1
    assert not Visit.objects.exists()


def test_each_new_visit_page_has_its_own_token(client, cadre, department):
    client.force_login(cadre.user)
    first, second = _page_token(client, VISIT_NEW), _page_token(client, VISIT_NEW)
    assert first != second
    for token in (first, second):
        assert client.post(VISIT_NEW, with_token(visit_with_two_problems(department), token)).status_code == 302
    assert Visit.objects.count() == 2 and Issue.objects.count() == 4


def test_the_same_errand_sent_twice_is_opened_once_and_the_repeat_lands_on_it(client, cadre):
    client.force_login(cadre.user)
    data = with_token({**ERRAND, "on": TODAY().isoformat()}, _page_token(client, ERRAND_NEW))
    first = client.post(ERRAND_NEW, data)
    errand = Errand.objects.get()
    assert first["Location"] == reverse("visits:errand_detail", args=[errand.pk])

    again = client.post(ERRAND_NEW, data, follow=True)

    assert again.redirect_chain == [(first["Location"], 302)]
    assert told_already_submitted(again)
    assert Errand.objects.count() == 1 and ErrandStep.objects.count() == 1


def test_an_errand_refused_by_the_service_keeps_its_token_for_the_correction(client, cadre):
    client.force_login(cadre.user)
    token = _page_token(client, ERRAND_NEW)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    refused = client.post(ERRAND_NEW, with_token({**ERRAND, "on": tomorrow}, token))
    assert refused.status_code == 400
    assert refused.context["form"].has_error(NON_FIELD_ERRORS, "stage_in_future")
    assert tokens_on(refused) == [token]

    corrected = client.post(ERRAND_NEW, with_token({**ERRAND, "on": TODAY().isoformat()}, token), follow=True)

    assert not told_already_submitted(corrected)
    assert Errand.objects.count() == 1


def test_a_token_counts_per_user(client, cadre, other_cadre):
    # Two people can never send the same page, but if a token came round again it would not show one
    # person what another created.
    client.force_login(cadre.user)
    token = _page_token(client, ERRAND_NEW)
    errand = {**ERRAND, "on": TODAY().isoformat()}
    client.post(ERRAND_NEW, with_token(errand, token))
    client.force_login(other_cadre.user)
    response = client.post(ERRAND_NEW, with_token(errand, token), follow=True)
    assert not told_already_submitted(response)
    assert sorted(Errand.objects.values_list("pairing__cadre__name", flat=True)) == sorted(
        [cadre.name, other_cadre.name]
    )
