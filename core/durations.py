"""How long something has waited, in words, in the reader's language: "1 month, 1 week", "1个月1周".

Counted as the campaign counts days (core/days.py): in local calendar dates, never 24-hour periods,
so something reported at 23:30 yesterday has waited 1 day this morning. Months are calendar months
(from the 31st, a month ends on the last day of a shorter month). Like Django's timesince, the words
name the largest unit and, when it is not zero, the next one; unlike it, they join the two as the
language does (Chinese writes 1个月1周, without the comma Django's catalogue puts between them).
"""

import calendar
import datetime

from django.utils import timezone
from django.utils.translation import gettext, ngettext


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` calendar months later, or that month's last day if it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def calendar_span(start: datetime.date, end: datetime.date) -> tuple[int, int, int, int]:
    """Return the years, months, weeks and days from `start` to `end` (all zero if `end` is not later)."""
    if end <= start:
        return 0, 0, 0, 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, months) > end:
        months -= 1
    weeks, days = divmod((end - _add_months(start, months)).days, 7)
    return months // 12, months % 12, weeks, days


def _unit(index: int, n: int) -> str:
    if index == 0:
        return ngettext("%(n)d year", "%(n)d years", n) % {"n": n}
    if index == 1:
        return ngettext("%(n)d month", "%(n)d months", n) % {"n": n}
    if index == 2:
        return ngettext("%(n)d week", "%(n)d weeks", n) % {"n": n}
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def waited_for(since: datetime.datetime | datetime.date, today: datetime.date | None = None) -> str:
    """Return how long since `since` (a moment or a local date) until today, in words."""
    start = timezone.localdate(since) if isinstance(since, datetime.datetime) else since
    parts = calendar_span(start, today or timezone.localdate())
    first = next((i for i, n in enumerate(parts) if n), None)
    if first is None:
        return gettext("less than a day")
    larger = _unit(first, parts[first])
    if first + 1 == len(parts) or not parts[first + 1]:
        return larger
    # Chinese joins the two with nothing between them; English with a comma.
    return gettext("%(larger)s, %(smaller)s") % {"larger": larger, "smaller": _unit(first + 1, parts[first + 1])}
