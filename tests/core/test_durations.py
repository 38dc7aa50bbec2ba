"""How long something has waited, in words: one home (core/durations.py), read in Chinese and English."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.durations import calendar_span, waited_for
from issues.models import Status
from tests.factories import issue_in

D = datetime.date
TODAY = D(2026, 11, 27)


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("since", "span"),
    [
        (D(2026, 10, 18), (0, 1, 1, 2)),
        (D(2025, 1, 31), (1, 9, 3, 6)),
        (D(2026, 11, 26), (0, 0, 0, 1)),
        (TODAY, (0, 0, 0, 0)),
        (D(2026, 11, 28), (0, 0, 0, 0)),  # a clock ahead of the server's: no negative time
    ],
)
def test_the_span_counts_calendar_months_then_weeks_and_days(since, span):
    assert calendar_span(since, TODAY) == span


def test_a_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month():
    assert calendar_span(D(2026, 1, 31), D(2026, 2, 28)) == (0, 1, 0, 0)
    assert calendar_span(D(2026, 1, 31), D(2026, 2, 27)) == (0, 0, 3, 6)


@pytest.mark.parametrize(
    ("since", "english", "chinese_words"),
    [
        (D(2026, 10, 18), "1 month, 1 week", "1个月1周"),
        (D(2026, 9, 20), "2 months, 1 week", "2个月1周"),
        (D(2026, 10, 27), "1 month", "1个月"),
        (D(2026, 11, 10), "2 weeks, 3 days", "2周3天"),
        (D(2026, 11, 20), "1 week", "1周"),
        (D(2026, 11, 26), "1 day", "1天"),
        (D(2025, 10, 1), "1 year, 1 month", "1年1个月"),
        (D(2025, 11, 10), "1 year", "1年"),  # the next unit is zero months: the weeks are not named
        (TODAY, "less than a day", "不到1天"),
    ],
)
def test_a_wait_reads_naturally_in_english_and_in_chinese(chinese, since, english, chinese_words):
    with translation.override("en"):
        assert waited_for(since, TODAY) == english
    assert waited_for(since, TODAY) == chinese_words


def test_a_moment_is_counted_by_its_local_date():
    # 23:30 in Xi'an on the 26th is 15:30 UTC: one local date has turned by the 27th.
    late = timezone.make_aware(datetime.datetime(2026, 11, 26, 23, 30))
    with translation.override("en"):
        assert waited_for(late, TODAY) == "1 day"


@pytest.mark.django_db
def test_the_review_desk_says_how_long_an_escalation_has_waited_in_chinese(client, leader, chinese):
    issue = issue_in(Status.ESCALATED)
    issue.created_at = timezone.now() - datetime.timedelta(days=40)
    issue.save(update_fields=["created_at"])
    client.force_login(leader)
    page = client.get(reverse("issues:review")).content.decode()
    assert f"已等待{waited_for(issue.created_at)}" in page
    assert "个月" in page and " 月，" not in page  # never Django's "1 月，1 周", read as "January"
