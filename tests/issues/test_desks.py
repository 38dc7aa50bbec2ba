"""The review desk and the department inbox: one tab at a time, paged, the tabs' counts in their labels."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.models import Action, ExtensionRequest, Flow, Issue, IssueEvent, Status, SystemicMatter
from issues.payloads import EscalatePayload, ReassignPayload
from issues.views import PAGE_SIZE, REVIEW_TABS
from tests.factories import CadreFactory, EnterpriseFactory, category

pytestmark = pytest.mark.django_db

INBOX_TABS = ["new", "in_progress", "due_soon", "overdue", "history"]


def _problems(n: int, **fields) -> list[Issue]:
    enterprise, reporter, kind = EnterpriseFactory(), CadreFactory(), category()
    return Issue.objects.bulk_create(
        Issue(enterprise=enterprise, reporter=reporter, category=kind, title=f"问题{i}", **fields) for i in range(n)
    )


def _desk(n: int, leader, department) -> None:
    """Add n of everything the review desk lists: escalations, problems to route, extension requests, matters."""
    _problems(n, flow=Flow.ESCALATED, status=Status.ESCALATED)
    _problems(n, status=Status.REPORTED)
    deadline, later = datetime.date(2030, 1, 1), datetime.date(2030, 2, 1)
    waiting = _problems(n, flow=Flow.ASSIGNED, status=Status.IN_PROGRESS, department=department, deadline=deadline)
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(issue=issue, requested_by=leader, old_deadline=deadline, new_deadline=later, reason="需协调")
        for issue in waiting
    )
    SystemicMatter.objects.bulk_create(SystemicMatter(title=f"共性{i}", created_by=leader) for i in range(n))


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # warm-up: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("tab", list(REVIEW_TABS))
def test_the_review_desk_runs_as_many_queries_for_a_citys_desk_as_for_a_districts(client, leader, department, tab):
    client.force_login(leader)
    _desk(3, leader, department)
    small = _queries(client, reverse("issues:review"), {"tab": tab})
    _desk(PAGE_SIZE * 2, leader, department)
    assert _queries(client, reverse("issues:review"), {"tab": tab}) == small <= 12
    assert _queries(client, reverse("issues:review"), {"tab": tab, "page": 2}) == small


def test_the_review_desk_pages_each_tab_and_counts_every_tab_in_its_label(client, leader, department):
    _desk(PAGE_SIZE + 3, leader, department)
    client.force_login(leader)
    total = PAGE_SIZE + 3
    for tab in REVIEW_TABS:
        first = client.get(reverse("issues:review"), {"tab": tab})
        assert [(t.key, t.count) for t in first.context["tabs"]] == [(key, total) for key in REVIEW_TABS]
        assert len(first.context["page"]) == PAGE_SIZE, tab
        last = client.get(reverse("issues:review"), {"tab": tab, "page": 2})
        assert len(last.context["page"]) == 3, tab
        assert f"?tab={tab}&amp;page=2" in first.content.decode()  # the pager keeps the tab


def test_the_review_desk_lists_escalations_oldest_first_and_offers_them_to_a_matter(client, report, leader):
    older, newer = report(EscalatePayload(note="共性")), report(EscalatePayload(note="共性"))
    client.force_login(leader)
    page = client.get(reverse("issues:review"))
    assert list(page.context["page"]) == [older, newer]
    assert f'name="issues" value="{older.pk}"' in page.content.decode()


def test_the_review_desk_answers_404_for_a_tab_it_does_not_have(client, leader):
    client.force_login(leader)
    assert client.get(reverse("issues:review"), {"tab": "everything"}).status_code == 404


def test_a_matter_links_only_escalated_problems_the_leading_group_ticked(client, report, leader, assigned_issue):
    escalated = report(EscalatePayload(note="共性"))
    client.force_login(leader)
    client.post(reverse("issues:matter_new"), {"title": "园区供电", "issues": [escalated.pk, assigned_issue.pk]})
    assert not SystemicMatter.objects.exists()  # a problem not escalated cannot be linked
    client.post(
        reverse("issues:matter_new"), {"title": "园区供电", "issues": [escalated.pk, "x", "99999999999999999999"]}
    )
    assert not SystemicMatter.objects.exists()  # nor a value that names no problem
    client.post(reverse("issues:matter_new"), {"title": "园区供电", "issues": [escalated.pk]})
    assert list(SystemicMatter.objects.get().issues.all()) == [escalated]


@pytest.fixture
def assigned_issue(report, assignment):
    return report(assignment)


# --- The department inbox -------------------------------------------------------------------


def _inbox(n: int, department, other_department, leader) -> None:
    """Add n problems to each of the inbox's tabs, and n the department handled before."""
    today = timezone.localdate()
    for status, deadline in [
        (Status.ASSIGNED, today + datetime.timedelta(days=60)),
        (Status.IN_PROGRESS, today + datetime.timedelta(days=60)),
        (Status.IN_PROGRESS, today),
        (Status.ASSIGNED, today - datetime.timedelta(days=3)),
    ]:
        _problems(n, flow=Flow.ASSIGNED, status=status, department=department, deadline=deadline)
    moved = _problems(n, flow=Flow.ASSIGNED, status=Status.ASSIGNED, department=other_department, deadline=today)
    IssueEvent.objects.bulk_create(
        IssueEvent(issue=issue, actor=leader, action=Action.ASSIGN, to_status=Status.ASSIGNED, department=department)
        for issue in moved
    )


@pytest.mark.parametrize("tab", INBOX_TABS)
def test_the_inbox_runs_as_many_queries_for_a_citys_department_as_for_a_districts(
    client, staff, department, other_department, leader, tab
):
    client.force_login(staff.user)
    _inbox(2, department, other_department, leader)
    small = _queries(client, reverse("issues:inbox"), {"tab": tab})
    _inbox(PAGE_SIZE * 2, department, other_department, leader)
    assert _queries(client, reverse("issues:inbox"), {"tab": tab}) == small <= 12
    assert _queries(client, reverse("issues:inbox"), {"tab": tab, "page": 3}) == small


def test_the_inbox_pages_every_tab_and_counts_them_all(client, staff, department, other_department, leader):
    _inbox(PAGE_SIZE + 2, department, other_department, leader)
    client.force_login(staff.user)
    for tab in INBOX_TABS:
        response = client.get(reverse("issues:inbox"), {"tab": tab, "page": 2})
        counts = {t.key: t.count for t in response.context["tabs"]}
        # Due soon counts the problems due today; overdue, those past their deadline.
        # Due soon holds the problems in progress due today; new, the overdue ones as well.
        n = PAGE_SIZE + 2
        assert counts == {"new": 2 * n, "in_progress": 2 * n, "due_soon": n, "overdue": n, "history": n}
        assert len(response.context["page"]) == (PAGE_SIZE if counts[tab] == 2 * n else 2), tab


def test_the_inbox_history_lists_what_the_department_handled_before_and_nothing_else(
    client, report, assignment, office, staff, other_department, other_staff, move
):
    handed_on = report(assignment, title="曾由本单位办理")
    move(handed_on, office, Action.REASSIGN, ReassignPayload(assignment=_to(assignment, other_department), note="改派"))
    report(_to(assignment, other_department), title="从未经手")
    client.force_login(staff.user)
    response = client.get(reverse("issues:inbox"), {"tab": "history"})
    assert [i.title for i in response.context["page"]] == ["曾由本单位办理"]
    assert {t.key: t.count for t in response.context["tabs"]}["history"] == 1


def _to(assignment, department):
    return dataclasses.replace(assignment, department=department, responsible_person="赵丽华")
