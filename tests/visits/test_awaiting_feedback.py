"""我的企业: the enterprise's problems resolved and waiting for its feedback, each a tap from the feedback form."""

import pytest
from django.urls import reverse

from issues.models import Status
from tests.factories import IssueFactory, VisitFactory, issue_resolved

pytestmark = pytest.mark.django_db
MY_ENTERPRISE = reverse("visits:my_enterprise")


def resolved(enterprise, cadre, title: str, days_ago: int = 1):
    return issue_resolved(enterprise=enterprise, reporter=cadre, title=title, days_ago=days_ago)


def test_my_enterprise_lists_every_problem_awaiting_feedback_longest_waiting_first(
    client, cadre, enterprise, other_cadre, other_enterprise
):
    newer = resolved(enterprise, cadre, "较新办结", days_ago=1)
    older = resolved(enterprise, cadre, "较早办结", days_ago=9)
    resolved(other_enterprise, other_cadre, "别家企业的问题")
    IssueFactory(enterprise=enterprise, reporter=cadre, title="仍在上报", status=Status.ESCALATED)
    client.force_login(cadre.user)
    response = client.get(MY_ENTERPRISE)
    assert [i.title for i in response.context["awaiting_feedback"]] == ["较早办结", "较新办结"]
    assert [i.title for i in response.context["issues"]] == ["仍在上报"]  # open problems stay apart
    body = response.content.decode()
    assert '<span class="badge text-bg-warning" id="awaiting-feedback-count">2</span>' in body
    for issue in (older, newer):
        assert f'href="{reverse("issues:detail", args=[issue.pk])}#act-close"' in body
    assert "别家企业的问题" not in body


def test_my_enterprise_runs_a_fixed_number_of_queries(client, cadre, enterprise, django_assert_num_queries):
    client.force_login(cadre.user)
    client.get(MY_ENTERPRISE)  # warm caches such as the content types
    with django_assert_num_queries(MY_ENTERPRISE_QUERIES):
        client.get(MY_ENTERPRISE)
    for n in range(15):
        resolved(enterprise, cadre, f"问题{n}")
    IssueFactory.create_batch(5, enterprise=enterprise, reporter=cadre)
    VisitFactory.create_batch(3, pairing=cadre.pairings.get())
    with django_assert_num_queries(MY_ENTERPRISE_QUERIES):
        assert len(client.get(MY_ENTERPRISE).context["awaiting_feedback"]) == 15


# Session, user, roles; the pairing, the month's visits (one, in the rule module: the pairings with their
# tally); open problems, awaiting feedback (all, counted as listed); open errands; the history's visits,
# steps and errand steps; the bell.
MY_ENTERPRISE_QUERIES = 12
