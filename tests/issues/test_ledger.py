"""The ledger's paging and search at scale: every page in order from either end, counts that stay flat, and on
PostgreSQL the indexes that serve them (issue 16)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.filters import IssueFilter
from issues.models import Flow, Issue, IssueEvent, Status
from issues.views import PAGE_SIZE
from tests.factories import CadreFactory, EnterpriseFactory, category

pytestmark = pytest.mark.django_db


def _bulk(n: int, *, at: datetime.datetime | None = None, **fields) -> list[Issue]:
    """n problems of one enterprise; with `at`, three at a time share a moment (the order's ties)."""
    enterprise, reporter, other = EnterpriseFactory(), CadreFactory(), category()
    start = at or timezone.now() - datetime.timedelta(days=30)
    fields = {"flow": Flow.ESCALATED, "status": Status.ESCALATED, **fields}
    if "department" in fields:
        fields.setdefault("deadline", datetime.date(2030, 1, 1))
    return Issue.objects.bulk_create(
        Issue(
            enterprise=enterprise,
            reporter=reporter,
            category=other,
            title=f"问题{i}",
            created_at=start + datetime.timedelta(minutes=i // 3),
            **fields,
        )
        for i in range(n)
    )


def _listed(client, **params) -> list[int]:
    response = client.get(reverse("issues:ledger"), params)
    assert response.status_code == 200
    return [issue.pk for issue in response.context["page"]]


def _queries(client, params) -> int:
    client.get(reverse("issues:ledger"), params)  # warm-up: the session and the like
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("issues:ledger"), params).status_code == 200
    return len(ctx)


def test_every_page_lists_the_next_rows_newest_first_from_either_end(client, office):
    # 3 pages and a bit: the last two are read from the end, turned round; ties on the time go by number.
    _bulk(3 * PAGE_SIZE + 7)
    client.force_login(office)
    everything = list(Issue.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    pages = [_listed(client, page=number) for number in range(1, 5)]
    assert [pk for page in pages for pk in page] == everything
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, PAGE_SIZE, 7]
    assert _listed(client, page="last") == pages[-1]
    assert _listed(client, page=99) == pages[-1]  # Paginator.get_page: past the end is the last page


def test_a_filtered_ledger_pages_its_own_rows_from_the_end_too(client, office):
    _bulk(40)
    wanted = _bulk(2 * PAGE_SIZE + 3, status=Status.REOPENED, flow=Flow.ASSIGNED)
    client.force_login(office)
    expected = sorted(wanted, key=lambda issue: (issue.created_at, issue.pk), reverse=True)
    pages = [_listed(client, status=Status.REOPENED, page=number) for number in (1, 2, 3)]
    assert [pk for page in pages for pk in page] == [issue.pk for issue in expected]


def test_department_staff_page_through_their_own_problems_only(client, staff, department, other_department):
    mine = _bulk(PAGE_SIZE + 2, flow=Flow.ASSIGNED, status=Status.ASSIGNED, department=department)
    before = _bulk(3, flow=Flow.ASSIGNED, status=Status.ASSIGNED, department=other_department)
    _bulk(5, flow=Flow.ASSIGNED, status=Status.ASSIGNED, department=other_department)
    # Problems the department once had (a past assignment in their timeline) stay in its sight.
    for issue in before:
        IssueEvent.objects.create(
            issue=issue, actor=staff.user, action="assign", to_status=Status.ASSIGNED, department=department
        )
    client.force_login(staff.user)
    listed = _listed(client) + _listed(client, page=2)
    assert sorted(listed) == sorted(issue.pk for issue in [*mine, *before])


def test_the_search_finds_the_title_the_description_and_the_enterprise_once_each(client, office):
    by_title = _bulk(1)[0]
    Issue.objects.filter(pk=by_title.pk).update(title="厂房消防验收迟迟未办")
    by_description = _bulk(1)[0]
    Issue.objects.filter(pk=by_description.pk).update(description="消防验收要求补充材料")
    by_name = _bulk(2)
    by_name[0].enterprise.__class__.objects.filter(pk=by_name[0].enterprise_id).update(name="灞桥消防验收器材有限公司")
    _bulk(4)
    client.force_login(office)
    wanted = sorted(issue.pk for issue in [by_title, by_description, *by_name])
    # From three characters on, each column on its own trigram index; shorter, one condition over the rows.
    assert sorted(_listed(client, q="消防验收")) == wanted
    assert sorted(_listed(client, q="消防")) == wanted
    assert _listed(client, q="xfys") == [] and _listed(client, q="xf") == []


@pytest.mark.parametrize(
    "params",
    [{}, {"page": "last"}, {"page": "2"}, {"q": "问题1"}, {"status": Status.ESCALATED, "page": "last"}],
    ids=["first", "last", "second", "search", "filtered-last"],
)
def test_the_ledger_runs_as_many_queries_for_600_problems_as_for_60(client, office, params):
    client.force_login(office)
    _bulk(60)
    small = _queries(client, params)
    _bulk(540)
    assert _queries(client, params) == small
    assert small <= 12


def test_department_staff_ledger_runs_as_many_queries_for_more_problems(client, staff, department):
    client.force_login(staff.user)
    _bulk(60, flow=Flow.ASSIGNED, status=Status.ASSIGNED, department=department)
    small = _queries(client, {"page": "last"})
    _bulk(540, flow=Flow.ASSIGNED, status=Status.ASSIGNED, department=department)
    assert _queries(client, {"page": "last"}) == small


@pytest.mark.parametrize("who", ["staff", "cadre"])
def test_visibility_is_a_list_of_keys_not_a_join(who, request):
    # ORed joins over the problem's department and its events read every problem and every event; the
    # ways a user sees a problem are each read on an index and put together.
    user = request.getfixturevalue(who).user
    sql = str(Issue.objects.visible_to(user).query).upper()
    assert " UNION " in sql and " JOIN " not in sql.split(" WHERE ")[0]
    assert "DISTINCT" not in sql


# --- PostgreSQL: the indexes serve the ledger (EXPLAIN) ----------------------------------------------------


def _plan(queryset, *, bitmap_only: bool = False) -> str:
    # A test's few rows would be read whole by any planner: without sequential scans, the plan shows
    # which index the query can use at all, which is what a city's data makes it choose. A GIN index is
    # read by a bitmap scan only: `bitmap_only` leaves the planner nothing else (walking a table's primary
    # key and filtering every row is otherwise cheaper on a few rows, whatever statistics a run left).
    switches = ["enable_seqscan"] + (["enable_indexscan", "enable_indexonlyscan"] if bitmap_only else [])
    with connection.cursor() as cursor:
        for switch in switches:
            cursor.execute(f"SET LOCAL {switch} = off")
        try:
            return queryset.explain()
        finally:
            for switch in switches:
                cursor.execute(f"SET LOCAL {switch} = on")


@pytest.mark.postgres
def test_the_ledger_order_and_its_pages_are_read_on_their_index(office):
    _bulk(30)
    rows = Issue.objects.visible_to(office).order_by("-created_at", "-pk").values("pk")
    assert "issue_ledger_order" in _plan(rows[:25])
    assert "issue_ledger_order" in _plan(rows.reverse()[:25])  # the last pages, read from the end


@pytest.mark.postgres
@pytest.mark.parametrize("text", ["消防验", "消防验收", "ABC"])
def test_the_search_of_three_characters_or_more_is_served_by_the_trigram_indexes(office, text):
    _bulk(30)
    found = IssueFilter({"q": text}, queryset=Issue.objects.visible_to(office)).qs
    plan = _plan(found.values("pk"), bitmap_only=True)
    assert "issue_title_trgm" in plan
    assert "issue_description_trgm" in plan
    assert "enterprise_name_trgm" in plan
