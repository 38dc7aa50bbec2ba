"""Working days (工作日) as the official schedule has them: the one home of that rule.

A date is a working day when, in this order:
1. the office's table says so (`core.models.CalendarDay`: next year's schedule, entered the day the State
   Council publishes it, or a correction) — a row for the date wins;
2. else the `chinese-calendar` package says so, for the years it knows (2004–2026 in 1.11.0): its
   holidays (节假日) are not working days, its 调休 weekend days are;
3. else it is Monday to Friday.

"N working days after" a date starts counting on the next day: day 1 is the first working day after it.
A deadline of 10 working days set on Friday 2026-02-13 falls on Thursday 2026-03-05 (Spring Festival).

The table is read a year at a time, in one query, and kept in Django's cache (Redis in production, so every
process sees one copy) and, for a minute, in the process itself, so that a list asking for each row's
warning asks the database nothing. Saving or deleting a row through the ORM (the admin does) forgets its
year at once in this process and in the shared cache; another process's minute-long copy may lag that long.
A `QuerySet.update()` or `bulk_create()` sends no signal: call `forget()` after one. docs/working-days.md.
"""

import datetime
import time
from collections.abc import Iterable

import chinese_calendar  # no stubs; only core/workdays.py imports it
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from core.models import CalendarDay

DAY = datetime.timedelta(days=1)
# How long the table's rows of a year stay in the shared cache (a save or delete forgets them at once).
CACHE_SECONDS = 24 * 60 * 60
# How long a process keeps its own copy before asking the shared cache again.
LOCAL_SECONDS = 60
# From this month on, next year counts as upcoming: the State Council publishes its schedule in the autumn
# (2026's on 2025-11-04), and the office should enter it before the year starts.
NEXT_YEAR_FROM_MONTH = 10


class DayCount(models.TextChoices):
    """How a number of days is counted: in working days (the official schedule) or in calendar days."""

    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


# The process's copy: year -> (when it was read, {date: is working day}).
_local: dict[int, tuple[float, dict[datetime.date, bool]]] = {}


def _cache_key(year: int) -> str:
    return f"core.workdays.table.{year}"


def _load(years: Iterable[int]) -> dict[int, dict[datetime.date, bool]]:
    """Return the table's rows of `years`: the process's copy, else the shared cache, else ONE query for the rest."""
    now = time.monotonic()
    found: dict[int, dict[datetime.date, bool]] = {}
    wanted = set(years)
    for year in wanted:
        held = _local.get(year)
        if held is not None and now - held[0] < LOCAL_SECONDS:
            found[year] = held[1]
    missing = wanted - found.keys()
    if missing:
        shared = cache.get_many([_cache_key(year) for year in missing])
        for year in list(missing):
            rows = shared.get(_cache_key(year))
            if rows is not None:
                found[year] = rows
                _local[year] = (now, rows)
                missing.discard(year)
    if missing:
        read: dict[int, dict[datetime.date, bool]] = {year: {} for year in missing}
        rows_query = CalendarDay.objects.filter(date__year__in=sorted(missing)).values_list("date", "is_working_day")
        for day, is_working in rows_query:
            read[day.year][day] = is_working
        cache.set_many({_cache_key(year): rows for year, rows in read.items()}, CACHE_SECONDS)
        for year, rows in read.items():
            found[year] = rows
            _local[year] = (now, rows)
    return found


def forget(years: Iterable[int] | None = None) -> None:
    """Forget what was read of the table (all years, or these), here and in the shared cache."""
    # Every year the portal accepts a date in (core/dates.py), when none is named.
    chosen = list(range(2000, datetime.date.today().year + 12)) if years is None else list(years)
    for year in chosen:
        _local.pop(year, None)
    cache.delete_many([_cache_key(year) for year in chosen])


def remember_empty(years: Iterable[int]) -> None:
    """Take the table as holding no row for `years` without asking it (a fresh test database's state)."""
    now = time.monotonic() + 10 * 365 * 24 * 60 * 60
    for year in years:
        _local[year] = (now, {})


def package_knows(year: int) -> bool:
    """Whether the chinese-calendar package carries the official schedule of `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _by_package_or_week(day: datetime.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


class Calendar:
    """Answers for many dates: the table's rows are read once per year asked (usually from the cache)."""

    def __init__(self, years: Iterable[int] = ()) -> None:
        self._rows: dict[int, dict[datetime.date, bool]] = _load(years) if years else {}

    def _year(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._rows:
            self._rows.update(_load([year]))
        return self._rows[year]

    def is_working_day(self, day: datetime.date) -> bool:
        """Whether `day` is a working day: the table's row, else the package, else Monday to Friday."""
        row = self._year(day.year).get(day)
        return row if row is not None else _by_package_or_week(day)

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """Return the `n`th working day after `start` (day 1 is the first working day after it); `start` if n is 0."""
        day, counted = start, 0
        while counted < n:
            day += DAY
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """Count the working days after `a` up to and including `b` (0 when `b` is not after `a`)."""
        count, day = 0, a + DAY
        while day <= b:
            count += self.is_working_day(day)
            day += DAY
        return count

    def latest_start(self, today: datetime.date, n: int) -> datetime.date:
        """Return the latest date whose `n`th working day after it is `today` or earlier.

        Whatever happened on that local date or before is `n` working days old on `today`.
        """
        day, counted = today, 0
        while counted < n:
            counted += self.is_working_day(day)
            day -= DAY
        return day

    def deadline_for(self, start: datetime.date, days: int, counts: str) -> datetime.date:
        """Return the date `days` after `start`, counted in working or calendar days."""
        if counts == DayCount.WORKING:
            return self.add_working_days(start, days)
        return start + datetime.timedelta(days=days)


def is_working_day(day: datetime.date) -> bool:
    """Whether `day` is a working day (see the module's docstring)."""
    return Calendar().is_working_day(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """Return the `n`th working day after `start`."""
    return Calendar().add_working_days(start, n)


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Count the working days after `a` up to and including `b`."""
    return Calendar().working_days_between(a, b)


def deadline_for(start: datetime.date, days: int, counts: str) -> datetime.date:
    """Return the date `days` after `start`, counted as `counts` (a `DayCount`) says."""
    return Calendar().deadline_for(start, days, counts)


def due_soon_horizon(today: datetime.date) -> datetime.date:
    """The last deadline that is due soon on `today`: CAMPAIGN_DUE_SOON_DAYS working days ahead.

    Working days whatever a deadline was counted in: the warning gives the desk that many days of work, so a
    deadline just after Spring Festival turns yellow before the holiday, not only when the office reopens.
    The calendar is cached, so asking this for each row of a list asks the database nothing.
    """
    return Calendar().add_working_days(today, settings.CAMPAIGN_DUE_SOON_DAYS)


def missing_years(today: datetime.date) -> list[int]:
    """The upcoming years with neither the package's schedule nor a row in the table: counted Monday to Friday.

    This year always; next year from October, when the office should enter it (docs/working-days.md).
    """
    upcoming = [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else [])
    unknown = [year for year in upcoming if not package_knows(year)]
    rows = _load(unknown) if unknown else {}
    return [year for year in unknown if not rows[year]]


@receiver(pre_save, sender=CalendarDay)
def _forget_previous_year(sender: type[CalendarDay], instance: CalendarDay, **kwargs: object) -> None:
    # A row moved to another date leaves its old year wrong too.
    if instance.pk is not None:
        before = CalendarDay.objects.filter(pk=instance.pk).values_list("date", flat=True).first()
        if before is not None and before.year != instance.date.year:
            _forget_after_commit(before.year)


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _forget_year(sender: type[CalendarDay], instance: CalendarDay, **kwargs: object) -> None:
    _forget_after_commit(instance.date.year)


def _forget_after_commit(year: int) -> None:
    # Now, so this transaction reads its own change; and after the commit, as another process may have
    # cached the old rows in between.
    forget([year])
    transaction.on_commit(lambda: forget([year]))
