"""Counting days as the campaign does: local calendar days in Asia/Shanghai, never 24-hour periods.

"Escalated 5 days ago" means five local dates have turned since the date it was escalated:
a problem escalated at 23:30 on the 15th is 5 days old from midnight on the 20th, not from
23:30 (when no scan runs until the next morning, which would make it a day late).
"""

import datetime

from django.utils import timezone


def day_start(day: datetime.date) -> datetime.datetime:
    """Return the moment the local date `day` begins (midnight in TIME_ZONE, aware)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def age_cutoff(today: datetime.date, days: int) -> datetime.datetime:
    """Return the moment before which something happened for it to be `days` local days old on `today`.

    `at < age_cutoff(today, n)` holds exactly when the local date of `at` is on or before
    `today - n`. Filtering with it compares the column itself, so the column's index serves.
    """
    return day_start(today - datetime.timedelta(days=days - 1))
