"""Deadlines by category, in working or calendar days (core/workdays.py), and the due-soon warning across holidays."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import workdays
from issues.forms import MatterDecisionForm, ReportForm, deadline_suggestion, roadmap_initial
from issues.models import Action, DayCount, DeadlineWarning, Issue, Status
from issues.moves import move_form
from tests.factories import DepartmentFactory, category, issue_in

pytestmark = pytest.mark.django_db
D = datetime.date
# The Friday before Spring Festival 2026 (2-15 to 2-23 off; Saturdays 2-14 and 2-28 worked).
FRIDAY_BEFORE_SPRING_FESTIVAL = D(2026, 2, 13)


@pytest.fixture
def on_the_friday_before_spring_festival(monkeypatch):
    """Today is 2026-02-13 for whatever asks for the local date without giving a moment."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return FRIDAY_BEFORE_SPRING_FESTIVAL if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def _counted(code: str, days: int, counts: str):
    chosen = category(code)
    chosen.default_deadline_days, chosen.deadline_counts = days, counts
    chosen.save()
    return chosen


def test_ten_working_days_from_the_friday_before_spring_festival_are_thursday_5_march():
    approvals = _counted("approvals", 10, DayCount.WORKING)
    assert approvals.default_deadline(FRIDAY_BEFORE_SPRING_FESTIVAL) == D(2026, 3, 5)
    assert roadmap_initial(approvals, FRIDAY_BEFORE_SPRING_FESTIVAL)["deadline"] == D(2026, 3, 5)
    assert roadmap_initial(approvals, FRIDAY_BEFORE_SPRING_FESTIVAL)["milestone_1_on"] == D(2026, 3, 5)


def test_a_category_counted_in_calendar_days_runs_through_the_holiday():
    utilities = _counted("utilities", 10, DayCount.CALENDAR)
    assert utilities.default_deadline(FRIDAY_BEFORE_SPRING_FESTIVAL) == D(2026, 2, 23)


def test_the_suggestion_says_the_days_their_count_and_the_date():
    working = deadline_suggestion(_counted("approvals", 10, DayCount.WORKING), FRIDAY_BEFORE_SPRING_FESTIVAL)
    calendar = deadline_suggestion(_counted("utilities", 10, DayCount.CALENDAR), FRIDAY_BEFORE_SPRING_FESTIVAL)
    assert "10" in working and "2026-03-05" in working
    assert "10" in calendar and "2026-02-23" in calendar
    assert working != calendar.replace("2026-02-23", "2026-03-05")  # the count is said, not only the date


@pytest.mark.parametrize("action", [Action.ASSIGN, Action.REASSIGN])
def test_the_assign_and_reassign_forms_suggest_the_date_and_say_it(action, on_the_friday_before_spring_festival):
    issue = issue_in(Status.ESCALATED, category=_counted("approvals", 10, DayCount.WORKING))
    form = move_form(action, issue)
    assert form.initial["deadline"] == D(2026, 3, 5)
    assert "2026-03-05" in str(form.fields["deadline"].help_text)


def test_the_leading_groups_decision_on_a_matter_suggests_the_date_and_says_it():
    approvals = _counted("approvals", 10, DayCount.WORKING)
    form = MatterDecisionForm(initial=roadmap_initial(approvals, FRIDAY_BEFORE_SPRING_FESTIVAL))
    assert form.initial["deadline"] == D(2026, 3, 5)
    assert "2026-03-05" in str(form.fields["deadline"].help_text)


def test_a_report_assigned_without_a_deadline_gets_the_working_day_default(on_the_friday_before_spring_festival):
    approvals = _counted("approvals", 10, DayCount.WORKING)
    form = ReportForm(data={"title": "审批慢", "category": approvals.pk, "route": Action.ASSIGN})
    form.is_valid()
    assert form.cleaned_data["deadline"] == D(2026, 3, 5)


def test_the_problem_page_shows_the_suggested_date(client: Client, leader):
    issue = issue_in(Status.ESCALATED, category=_counted("approvals", 10, DayCount.WORKING))
    client.force_login(leader)
    response = client.get(reverse("issues:detail", args=[issue.pk]))
    assert response.status_code == 200
    assert issue.category.default_deadline(timezone.localdate()).isoformat() in response.content.decode()


def test_the_category_admin_shows_and_edits_how_the_deadline_is_counted(clerk):
    client = Client()
    client.force_login(clerk)
    approvals = category("approvals")
    page = client.get(reverse("admin:issues_issuecategory_change", args=[approvals.pk]))
    assert page.status_code == 200
    assert 'name="deadline_counts"' in page.content.decode()
    listing = client.get(reverse("admin:issues_issuecategory_changelist"))
    assert 'name="form-0-deadline_counts"' in listing.content.decode()


# --- Due soon across Spring Festival ---


def _with_deadline(deadline: datetime.date) -> Issue:
    issue = issue_in(Status.IN_PROGRESS, department=DepartmentFactory())
    issue.deadline = deadline
    issue.save(update_fields=["deadline"])
    return issue


def test_on_12_february_a_deadline_of_24_february_is_due_soon_counted_in_working_days(settings):
    settings.CAMPAIGN_DUE_SOON_DAYS = 3
    today = D(2026, 2, 12)  # Thursday: Fri 2-13, Sat 2-14 (调休), then Tue 2-24 are the three working days
    soon, later = _with_deadline(D(2026, 2, 24)), _with_deadline(D(2026, 2, 25))
    assert soon.warning(today) == DeadlineWarning.DUE_SOON
    assert later.warning(today) == DeadlineWarning.NONE
    assert list(Issue.objects.due_soon(today)) == [soon]
    # In calendar days it would have waited until the holiday: three days from 2-21, a Saturday off.
    assert soon.warning(D(2026, 2, 21)) == DeadlineWarning.DUE_SOON


def test_around_national_day_2026_the_warning_counts_the_working_days(settings):
    settings.CAMPAIGN_DUE_SOON_DAYS = 3
    # Wed 9-30: Thu 10-8, Fri 10-9 and Sat 10-10 (调休) are the next three working days.
    due_10th, due_12th = _with_deadline(D(2026, 10, 10)), _with_deadline(D(2026, 10, 12))
    assert due_10th.warning(D(2026, 9, 30)) == DeadlineWarning.DUE_SOON
    assert due_12th.warning(D(2026, 9, 30)) == DeadlineWarning.NONE
    assert sorted(Issue.objects.due_soon(D(2026, 9, 30)).values_list("pk", flat=True)) == [due_10th.pk]
    assert due_12th.warning(D(2026, 10, 13)) == DeadlineWarning.OVERDUE


def test_the_warning_of_each_row_asks_the_database_nothing_once_the_calendar_is_read(django_assert_num_queries):
    issues = [_with_deadline(D(2026, 2, 20 + n)) for n in range(5)]
    workdays.forget()
    with django_assert_num_queries(1):  # the table's year, once, for the whole list
        [issue.warning(D(2026, 2, 12)) for issue in issues]
    with django_assert_num_queries(0):
        [issue.warning(D(2026, 2, 12)) for issue in issues]
