"""The problems' kept figures (issues/kept.py): a move, a report, an admin's edit show at once; a move now keeps
last month's figures kept, except an acceptance that credits last month's assignment."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from issues import measures
from issues.models import Action, Issue, IssueCategory
from issues.payloads import AcceptPayload, AssignPayload, EscalatePayload, ResolvePayload
from tests import factories
from tests.kept.conftest import Kept, period

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=SHANGHAI)


def figures(month) -> dict[str, int]:
    return measures.counts(Issue.objects.all(), measures.Window.of(period(month)))


def kept_figures(month) -> Kept:
    return Kept("figures", {"problems": [month.first]}, lambda: figures(month))


def to(department, deadline: datetime.date) -> AssignPayload:
    return AssignPayload(
        department=department, responsible_person="经办人", deadline=deadline, milestones=(("核实办理", deadline),)
    )


def test_a_report_and_a_move_show_at_once(cadre, staff, this_month):
    page = kept_figures(this_month)
    before = page.read()
    issue = factories.reported_at(cadre, timezone.now(), to(staff.department, this_month.last))
    after_report = page.read()
    assert after_report == figures(this_month) != before
    assert after_report["reported"] == before["reported"] + 1
    factories.moved_at(issue, staff.user, Action.ACCEPT, AcceptPayload(), timezone.now())
    after_accept = page.read()
    assert after_accept == figures(this_month) != after_report
    assert after_accept["accepted_in_time"] == after_report["accepted_in_time"] + 1
    factories.moved_at(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), timezone.now())
    assert page.read() == figures(this_month) != after_accept
    assert page.counted == 4


def test_a_move_now_keeps_last_months_figures(cadre, staff, this_month, last_month):
    """Last month's state is read from the events before its end: a move now changes nothing it counts."""
    issue = factories.reported_at(cadre, noon(last_month.first), to(staff.department, this_month.last))
    page = kept_figures(last_month)
    before = page.read()
    assert before["status_assigned"] == 1
    factories.moved_at(issue, staff.user, Action.ACCEPT, AcceptPayload(), timezone.now())
    factories.moved_at(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), timezone.now())
    assert page.read() == before == figures(last_month)
    assert page.counted == 1  # kept: not counted again


def test_an_acceptance_in_time_of_last_months_assignment_counts_last_month_again(cadre, staff, this_month, last_month):
    """accepted_in_time credits the assignment's month: accepted on the 1st, assigned the day before."""
    assigned_at = noon(last_month.last)
    issue = factories.reported_at(cadre, assigned_at, to(staff.department, this_month.last))
    page = kept_figures(last_month)
    before = page.read()
    assert before["accepted_in_time"] == 0
    factories.moved_at(issue, staff.user, Action.ACCEPT, AcceptPayload(), noon(this_month.first))
    after = page.read()
    assert after == figures(last_month)
    assert after["accepted_in_time"] == 1
    assert page.counted == 2


def test_the_move_saves_the_whole_problem_and_touches_the_running_month_only(cadre, staff, this_month, last_month):
    """issue_transition saves every field (no update_fields): the identity check tells a move from an edit."""
    from core import kept
    from core.models import FigureVersion

    issue = factories.reported_at(cadre, noon(last_month.first), to(staff.department, this_month.last))
    tokens = dict(FigureVersion.objects.filter(family="problems").values_list("month", "token"))
    factories.moved_at(issue, staff.user, Action.ACCEPT, AcceptPayload(), timezone.now())
    now = dict(FigureVersion.objects.filter(family="problems").values_list("month", "token"))
    assert now.get(last_month.first) == tokens.get(last_month.first)
    assert now[this_month.first] != tokens.get(this_month.first)
    assert kept.EVERY_MONTH not in now or now.get(kept.EVERY_MONTH) == tokens.get(kept.EVERY_MONTH)


def test_a_change_of_category_counts_past_months_again(cadre, last_month):
    """What groups a problem reaches every month since it was reported. The admin shows problems read-only
    (issues/admin.py), so such a change is a data fix saved on the model: the receiver is what it passes."""
    issue = factories.reported_at(cadre, noon(last_month.first), EscalatePayload(note="涉及多个部门"))
    other = factories.category("utilities")

    def count():
        return measures.grouped(Issue.objects.all(), measures.Window.of(period(last_month)), "category", ["reported"])

    by_category = Kept("by category", {"problems": [last_month.first]}, count)
    assert by_category.read() == {issue.category_id: {"reported": 1}}
    issue = Issue.objects.get(pk=issue.pk)
    issue.category = other
    issue.save()
    assert by_category.read() == count() == {other.pk: {"reported": 1}}


def test_a_category_renamed_touches_the_names(this_month):
    names = Kept("names", {"names": None}, lambda: dict(IssueCategory.objects.values_list("pk", "name")))
    names.read()
    category = factories.category("approvals")
    category.name = "审批许可事项"
    category.save()
    assert names.read() == dict(IssueCategory.objects.values_list("pk", "name"))
    assert names.read()[category.pk] == "审批许可事项"
