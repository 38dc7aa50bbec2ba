"""A reporting period: whole local months, from a first month to a last (the dashboard, roll-ups, report).

A period is over once its last day has passed; until then it is read "as of now". Figures for a
period that is over are read from what the problem's events recorded with their own dates, so the
same period gives the same figures later (issues/measures.py).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from core.months import Month, month_label

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> Month | None:
    """Return the month written YYYY-MM, or None when it is not one (or outside 2000–2100)."""
    match = _MONTH.match(value.strip()) if value else None
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return Month(year, month)


@dataclass(frozen=True)
class Period:
    """Consecutive whole months, `first` to `last` (the same month for a monthly period)."""

    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"A period ends after it starts, not {self.first} to {self.last}.")

    @classmethod
    def month(cls, month: Month) -> "Period":
        return cls(month, month)

    @classmethod
    def parse(cls, start: str, end: str = "", *, default: Month) -> "Period":
        """Read ?from=YYYY-MM&to=YYYY-MM; a missing or unreadable month falls back to `default` (the other end)."""
        first = parse_month(start) or parse_month(end) or default
        last = parse_month(end) or first
        return cls(min(first, last), max(first, last))

    @property
    def months(self) -> list[Month]:
        months, (year, month) = [], self.first
        while (year, month) <= self.last:
            months.append(Month(year, month))
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return months

    @property
    def start(self) -> datetime.date:
        return self.first.first

    @property
    def end(self) -> datetime.date:
        """The period's last day."""
        return self.last.last

    @property
    def start_at(self) -> datetime.datetime:
        """The period's first moment, local midnight."""
        return _midnight(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        """The moment after the period: local midnight of the day after its last."""
        return _midnight(self.end + datetime.timedelta(days=1))

    def is_over(self, now: datetime.datetime) -> bool:
        return now >= self.end_at

    def as_of(self, now: datetime.datetime) -> datetime.datetime:
        """The moment the period's standing figures are read at: its end, or now while it runs."""
        return min(self.end_at, now)

    def as_of_date(self, now: datetime.datetime) -> datetime.date:
        """The day "overdue" is judged on: the day after the period once it is over, else today."""
        return self.end + datetime.timedelta(days=1) if self.is_over(now) else timezone.localdate(now)

    @property
    def params(self) -> dict[str, str]:
        """The period as query parameters, for links to the lists behind a figure."""
        return {"from": month_label(self.first), "to": month_label(self.last)}

    def __str__(self) -> str:
        if self.first == self.last:
            return month_label(self.first)
        return f"{month_label(self.first)} – {month_label(self.last)}"


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
