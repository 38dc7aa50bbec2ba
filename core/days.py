"""Counting days as the campaign does: local calendar days in Asia/Shanghai, never 24-hour periods.

"Escalated 5 days ago" means five local dates have turned since the date it was escalated:
a problem escalated at 23:30 on the 15th is 5 days old from midnight on the 20th, not from
23:30 (when no scan runs until the next morning, which would make it a day late).

Counted in working days (core/workdays.py), it is 5 working days old once the fifth working day after
its local date has begun: escalated on Friday 2026-02-13, 1 working day old on Saturday 2026-02-14
(a 调休 working day), 2 only on Tuesday 2026-02-24, after Spring Festival.
"""

import datetime

from django.utils import timezone

from core.workdays import Calendar, DayCount


def day_start(day: datetime.date) -> datetime.datetime:
    """Return the moment the local date `day` begins (midnight in TIME_ZONE, aware)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def age_cutoff(today: datetime.date, days: int, counts: str = DayCount.CALENDAR) -> datetime.datetime:
    """Return the moment before which something happened for it to be `days` local days old on `today`.

    `at < age_cutoff(today, n)` holds exactly when the local date of `at` is on or before
    `today - n`. Filtering with it compares the column itself, so the column's index serves.
    With `counts=DayCount.WORKING`, when the `n`th working day after the local date of `at` is
    `today` or earlier: the cutoff is worked out once, so the filter stays one comparison.
    """
    if counts == DayCount.WORKING:
        return day_start(Calendar().latest_start(today, days) + datetime.timedelta(days=1))
    return day_start(today - datetime.timedelta(days=days - 1))
