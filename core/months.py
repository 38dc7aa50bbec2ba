"""Calendar months, as the campaign counts them: local dates in Asia/Shanghai, whole months."""

import calendar
import datetime
from typing import NamedTuple


class Month(NamedTuple):
    """A calendar month; equal to (and hashed as) the plain tuple (year, month)."""

    year: int
    month: int

    @classmethod
    def of(cls, day: datetime.date) -> "Month":
        """Return the month a (local) date falls in."""
        return cls(day.year, day.month)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """Return the first and the last day of the month."""
    m = Month(year, month)
    return m.first, m.last


def last_months(today: datetime.date, count: int) -> list[Month]:
    """Return the `count` calendar months ending with today's, oldest first."""
    months, year, month = [], today.year, today.month
    for _i in range(count):
        months.append(Month(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def months_of_year(year: int) -> list[Month]:
    """Return January to December of the year."""
    return [Month(year, m) for m in range(1, 13)]


def days_left_in_month(today: datetime.date) -> int:
    """Return the days of today's month after today."""
    return Month.of(today).last.day - today.day


def month_label(month: tuple[int, int]) -> str:
    """Return the short label the grid, its export and its chart show, e.g. 2026-11."""
    return f"{month[0]}-{month[1]:02d}"
