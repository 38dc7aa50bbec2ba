"""Working days as the official schedule has them (core/workdays.py): the package, the office's table, Mon–Fri."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core import workdays
from core.days import age_cutoff, day_start
from core.models import CalendarDay
from core.workdays import (
    Calendar,
    DayCount,
    add_working_days,
    deadline_for,
    due_soon_horizon,
    is_working_day,
    missing_years,
    working_days_between,
)

D = datetime.date


def test_ordinary_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(D(2026, 11, 27))  # Friday
    assert not is_working_day(D(2026, 11, 28))  # Saturday
    assert not is_working_day(D(2026, 11, 29))  # Sunday
    assert is_working_day(D(2026, 11, 30))  # Monday


def test_spring_festival_2026_is_off_and_its_two_saturdays_are_working_days():
    # The State Council's schedule for 2026: 2-15 (Sun) to 2-23 (Mon) off; 2-14 and 2-28 (Sat) worked.
    for day in range(15, 24):
        assert not is_working_day(D(2026, 2, day)), day
    assert is_working_day(D(2026, 2, 14))
    assert is_working_day(D(2026, 2, 28))
    assert is_working_day(D(2026, 2, 24))  # Tuesday, the office reopens


def test_ten_working_days_from_the_friday_before_spring_festival_2026_land_on_thursday_5_march():
    # Day 1 is Sat 2-14 (调休); 2-15..2-23 are off; then 2-24, 25, 26, 27, Sat 2-28 (调休), 3-2, 3, 4, 5.
    assert add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 5)
    assert deadline_for(D(2026, 2, 13), 10, DayCount.WORKING) == D(2026, 3, 5)
    assert deadline_for(D(2026, 2, 13), 10, DayCount.CALENDAR) == D(2026, 2, 23)


def test_national_day_2026_is_off_and_its_two_weekend_days_are_working_days():
    for day in range(1, 8):
        assert not is_working_day(D(2026, 10, day)), day
    assert is_working_day(D(2026, 9, 20))  # Sunday, 调休
    assert is_working_day(D(2026, 10, 10))  # Saturday, 调休
    assert is_working_day(D(2026, 10, 8))  # Thursday after the week off
    # Mid-Autumn Festival 2026: Fri 9-25 off (to Sun 9-27).
    assert not is_working_day(D(2026, 9, 25))


def test_working_days_around_national_day_2026():
    # From Wed 30 September: Thu 10-8 is day 1, Fri 10-9 day 2, Sat 10-10 (调休) day 3, Mon 10-12 day 4.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    # Fri 9-18 → Sun 9-20 (调休) is day 1, Mon 9-21 day 2.
    assert add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == 0


def test_no_days_added_is_the_start_itself():
    assert add_working_days(D(2026, 2, 15), 0) == D(2026, 2, 15)


def test_a_year_the_package_lacks_without_rows_counts_monday_to_friday():
    assert not workdays.package_knows(2027)
    assert workdays.package_knows(2026)
    # 2027-01-01 is a Friday: without the office's rows it is an ordinary working day.
    assert is_working_day(D(2027, 1, 1))
    assert not is_working_day(D(2027, 1, 2))
    # Fri 2027-02-05 + 10 working days: two ordinary weeks.
    assert add_working_days(D(2027, 2, 5), 10) == D(2027, 2, 19)


@pytest.mark.django_db
def test_the_offices_rows_win_for_a_year_the_package_lacks():
    # 2027's Spring Festival as the office might enter it: Sat 2-6 worked (调休), 2-8 to 2-12 off.
    CalendarDay.objects.create(date=D(2027, 2, 6), is_working_day=True, name="调休上班")
    for day in range(8, 13):
        CalendarDay.objects.create(date=D(2027, 2, day), is_working_day=False, name="春节")
    assert is_working_day(D(2027, 2, 6))
    assert not is_working_day(D(2027, 2, 8))
    # Fri 2-5: Sat 2-6 is day 1, 2-8..2-12 off, then 2-15 .. 2-19 (days 2–6), 2-22 .. 2-25 (7–10).
    assert add_working_days(D(2027, 2, 5), 10) == D(2027, 2, 25)


@pytest.mark.django_db
def test_a_row_overrides_the_package_for_a_year_it_knows():
    CalendarDay.objects.create(date=D(2026, 11, 27), is_working_day=False, name="更正")
    CalendarDay.objects.create(date=D(2026, 2, 21), is_working_day=True, name="更正")
    assert not is_working_day(D(2026, 11, 27))
    assert is_working_day(D(2026, 2, 21))


@pytest.mark.django_db
def test_the_table_is_read_once_per_year_then_cached(django_assert_num_queries):
    workdays.forget()
    with django_assert_num_queries(1):
        calendar = Calendar([2026, 2027])
        for offset in range(400):
            calendar.is_working_day(D(2026, 6, 1) + datetime.timedelta(days=offset))
    # Another request, another process's first look: the shared cache answers.
    workdays._local.clear()
    with django_assert_num_queries(0):
        assert add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 5)
        assert is_working_day(D(2027, 3, 1))


@pytest.mark.django_db
def test_saving_or_deleting_a_row_forgets_its_year_here_and_in_the_shared_cache():
    workdays.forget()
    assert is_working_day(D(2027, 1, 1))  # cached: 2027 has no rows
    assert cache.get(workdays._cache_key(2027)) == {}
    row = CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    assert cache.get(workdays._cache_key(2027)) is None
    assert not is_working_day(D(2027, 1, 1))
    row.is_working_day = True
    row.save()
    assert is_working_day(D(2027, 1, 1))
    row.delete()
    assert cache.get(workdays._cache_key(2027)) is None
    assert not is_working_day(D(2027, 1, 2))  # Saturday, Mon–Fri again
    assert is_working_day(D(2027, 1, 1))


@pytest.mark.django_db
def test_moving_a_row_to_another_year_forgets_both_years():
    row = CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2028, 1, 3))
    row.date = D(2028, 1, 3)
    row.save()
    assert is_working_day(D(2027, 1, 1))
    assert not is_working_day(D(2028, 1, 3))


@pytest.mark.django_db
def test_missing_years_names_next_year_from_october_until_its_schedule_is_entered():
    assert missing_years(D(2026, 9, 30)) == []
    assert missing_years(D(2026, 11, 27)) == [2027]
    assert missing_years(D(2027, 3, 1)) == [2027]
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    assert missing_years(D(2026, 11, 27)) == []


def test_due_soon_counts_working_days_across_spring_festival(settings):
    settings.CAMPAIGN_DUE_SOON_DAYS = 3
    # Thu 2-12: Fri 2-13, Sat 2-14 (调休), then Tue 2-24 after the holiday.
    assert due_soon_horizon(D(2026, 2, 12)) == D(2026, 2, 24)
    # An ordinary Wednesday: Thu, Fri, Mon.
    assert due_soon_horizon(D(2026, 11, 25)) == D(2026, 11, 30)


def test_age_cutoff_in_working_days_skips_the_holiday():
    # Escalated on Fri 2-13: 1 working day old on Sat 2-14 (调休), 2 only on Tue 2-24.
    assert age_cutoff(D(2026, 2, 14), 1, DayCount.WORKING) == day_start(D(2026, 2, 14))
    assert age_cutoff(D(2026, 2, 23), 2, DayCount.WORKING) == day_start(D(2026, 2, 13))
    assert age_cutoff(D(2026, 2, 24), 2, DayCount.WORKING) == day_start(D(2026, 2, 14))
    assert age_cutoff(D(2026, 2, 24), 3, DayCount.WORKING) == day_start(D(2026, 2, 13))
    # In calendar days, as before.
    assert age_cutoff(D(2026, 2, 24), 2) == day_start(D(2026, 2, 23))


@pytest.mark.django_db
def test_the_calendar_admin_warns_the_office_of_a_year_without_a_schedule(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.get(reverse("admin:core_calendarday_changelist"))
    assert response.status_code == 200
    warnings = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and "2027" in str(warnings[0])
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    response = client.get(reverse("admin:core_calendarday_changelist"))
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


@pytest.mark.django_db
def test_the_offices_home_page_warns_of_next_years_missing_schedule(clerk, office, monkeypatch):
    from oversight import panels

    monkeypatch.setattr(panels, "today", lambda: D(2026, 11, 27))
    client = Client()
    client.force_login(clerk)
    body = client.get(reverse("home")).content.decode()
    assert 'id="schedule-missing"' in body and "2027" in body
    assert reverse("admin:core_calendarday_changelist") in body
    client.force_login(office)  # without admin access: told, not led to a page that refuses
    body = client.get(reverse("home")).content.decode()
    assert 'id="schedule-missing"' in body and reverse("admin:core_calendarday_changelist") not in body
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    assert 'id="schedule-missing"' not in client.get(reverse("home")).content.decode()
    monkeypatch.setattr(panels, "today", lambda: D(2026, 9, 1))  # too early to expect next year's
    CalendarDay.objects.all().delete()
    assert 'id="schedule-missing"' not in client.get(reverse("home")).content.decode()
