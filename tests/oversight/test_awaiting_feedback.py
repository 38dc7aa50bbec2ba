"""The cadre's home: problems the department has answered wait there for the enterprise's feedback."""

import pytest
from django.urls import reverse

from issues.models import Action, Status
from issues.payloads import FeedbackPayload, ResolvePayload
from issues.services import issue_transition
from tests.factories import IssueFactory, issue_in, issue_resolved

pytestmark = pytest.mark.django_db
HOME = reverse("home")


def resolved(enterprise, cadre, title: str, days_ago: int = 1):
    return issue_resolved(enterprise=enterprise, reporter=cadre, title=title, days_ago=days_ago)


def test_a_problem_the_department_answered_moves_from_open_to_awaiting_feedback(
    client, cadre, enterprise, staff, department
):
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=enterprise, reporter=cadre, title="用电增容")
    client.force_login(cadre.user)
    panel = client.get(HOME).context["cadre_panel"]
    assert [i.title for i in panel.issues] == ["用电增容"] and panel.awaiting_feedback_count == 0

    issue_transition(
        issue_id=issue.pk, actor=staff.user, action=Action.RESOLVE, version=0, payload=ResolvePayload(note="已办结")
    )
    response = client.get(HOME)
    panel = response.context["cadre_panel"]
    assert panel.issues == [] and [i.title for i in panel.awaiting_feedback] == ["用电增容"]
    body = response.content.decode()
    assert '<span class="badge text-bg-warning" id="awaiting-feedback-count">1</span>' in body
    assert f'href="{reverse("issues:detail", args=[issue.pk])}#act-close"' in body

    # The feedback form is where the link lands; recording it takes the problem off the list.
    detail = client.get(reverse("issues:detail", args=[issue.pk])).content.decode()
    assert 'id="act-close"' in detail
    issue_transition(
        issue_id=issue.pk, actor=cadre.user, action=Action.CLOSE, version=1, payload=FeedbackPayload(rating="satisfied")
    )
    assert client.get(HOME).context["cadre_panel"].awaiting_feedback_count == 0


def test_only_the_cadres_enterprise_and_only_resolved_problems_wait_for_feedback(
    client, cadre, enterprise, other_cadre, other_enterprise
):
    resolved(enterprise, cadre, "等待反馈")
    resolved(other_enterprise, other_cadre, "别家企业的问题")
    IssueFactory(enterprise=enterprise, reporter=cadre, title="已关闭", status=Status.CLOSED, flow="on_the_spot")
    IssueFactory(enterprise=enterprise, reporter=cadre, title="已上报", status=Status.ESCALATED)
    client.force_login(cadre.user)
    panel = client.get(HOME).context["cadre_panel"]
    assert [i.title for i in panel.awaiting_feedback] == ["等待反馈"] and panel.awaiting_feedback_count == 1


def test_the_longest_waiting_come_first_and_beyond_ten_the_ledger_has_them_all(client, cadre, enterprise):
    for n in range(12):
        resolved(enterprise, cadre, f"问题{n:02d}", days_ago=n)
    client.force_login(cadre.user)
    response = client.get(HOME)
    panel = response.context["cadre_panel"]
    assert panel.awaiting_feedback_count == 12
    assert [i.title for i in panel.awaiting_feedback] == [f"问题{n:02d}" for n in range(11, 1, -1)]
    assert f"{reverse('issues:ledger')}?status=resolved" in response.content.decode()


def test_other_roles_have_no_cadre_panel(client, staff, leader):
    for user in (staff.user, leader):
        client.force_login(user)
        assert 'id="awaiting-feedback"' not in client.get(HOME).content.decode()


def test_the_cadres_home_runs_a_fixed_number_of_queries(client, cadre, enterprise, django_assert_num_queries):
    client.force_login(cadre.user)
    client.get(HOME)  # warm caches such as the content types
    with django_assert_num_queries(HOME_QUERIES):
        client.get(HOME)
    for n in range(15):
        resolved(enterprise, cadre, f"问题{n}")
    IssueFactory.create_batch(5, enterprise=enterprise, reporter=cadre)
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(HOME).context["cadre_panel"].awaiting_feedback_count == 15


# Session, user, roles; the pairing with its cadre, the month's visits (one, in the rule module); open
# problems, recent visits; awaiting feedback (its first ten with its count); the rectification items waiting
# for an answer (none: one query); the bell.
HOME_QUERIES = 10
