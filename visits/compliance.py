"""The two-visit rule (每月为联系企业开展2次以上的服务), judged per pairing per calendar month.

Months are calendar months in Asia/Shanghai: a visit's date is the local date it
took place. A cadre who held a pairing for only part of a month (a re-pairing
mid-month) is judged on that part alone: the requirement is prorated by the days
of the month the pairing covered and rounded up, so a pairing held for any part
of a month needs at least one visit in it, and one held for the whole month needs
CAMPAIGN_VISITS_PER_MONTH. A month (or the part) that is not over yet is "at
risk" while short, and "missed" once it is over.
"""

import calendar
import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from organisation.models import Pairing
from visits.models import Visit


class Standing(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    AT_RISK = "at_risk", _("At risk")
    MISSED = "missed", _("Missed")
    NONE = "none", _("Not paired")


Month = tuple[int, int]


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def last_months(today: datetime.date, count: int) -> list[Month]:
    """Return the `count` calendar months ending with today's, oldest first."""
    months, year, month = [], today.year, today.month
    for _i in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def covered_part(pairing: Pairing, year: int, month: int) -> tuple[datetime.date, datetime.date] | None:
    """Return the first and last day of the month the pairing covered, or None."""
    first, last = month_bounds(year, month)
    start, end = max(first, pairing.started_on), min(last, pairing.ended_on or last)
    return (start, end) if start <= end else None


def required_visits(pairing: Pairing, year: int, month: int) -> int:
    part = covered_part(pairing, year, month)
    if part is None:
        return 0
    first, last = month_bounds(year, month)
    share = ((part[1] - part[0]).days + 1) / ((last - first).days + 1)
    return math.ceil(settings.CAMPAIGN_VISITS_PER_MONTH * share)


def standing(visits: int, required: int, part_end: datetime.date | None, today: datetime.date) -> Standing:
    if required == 0 or part_end is None:
        return Standing.NONE
    if visits >= required:
        return Standing.COMPLIANT
    return Standing.AT_RISK if today <= part_end else Standing.MISSED


@dataclass
class Cell:
    """One cadre's (or pairing's) month: visits made, visits required, and the standing."""

    visits: int = 0
    required: int = 0
    part_end: datetime.date | None = None
    standing: Standing = Standing.NONE

    def judge(self, today: datetime.date) -> "Cell":
        self.standing = standing(self.visits, self.required, self.part_end, today)
        return self


def pairing_month(pairing: Pairing, year: int, month: int, today: datetime.date, visits: int | None = None) -> Cell:
    """Judge one pairing's month; counts its visits with one query unless given."""
    part = covered_part(pairing, year, month)
    if visits is None:
        visits = pairing.visits.in_month(year, month).count()
    return Cell(
        visits=visits, required=required_visits(pairing, year, month), part_end=part[1] if part else None
    ).judge(today)


def pairings_in_window(months: list[Month], pairings=None):
    """Pairings that overlap the months, with cadre and enterprise, in one query."""
    first, _unused = month_bounds(*months[0])
    _unused, last = month_bounds(*months[-1])
    pairings = Pairing.objects.all() if pairings is None else pairings
    return pairings.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first), started_on__lte=last).select_related(
        "cadre__unit", "enterprise"
    )


def visit_counts(pairing_ids: Iterable[int], months: list[Month]) -> dict[tuple[int, Month], int]:
    """Visits per pairing per month over the window, in one grouped query."""
    first, _unused = month_bounds(*months[0])
    _unused, last = month_bounds(*months[-1])
    rows = (
        Visit.objects.filter(pairing_id__in=list(pairing_ids), visited_on__range=(first, last))
        .annotate(month=TruncMonth("visited_on"))
        .values("pairing_id", "month")
        .annotate(n=Count("pk"))
    )
    return {(r["pairing_id"], (r["month"].year, r["month"].month)): r["n"] for r in rows}


def cadre_grid(months: list[Month], today: datetime.date, pairings=None) -> tuple[dict[int, dict[Month, Cell]], list]:
    """Judge every cadre for every month in two queries; return the grid and the pairings read.

    A cadre who served two enterprises in one month is judged on the two parts together.
    """
    window = list(pairings_in_window(months, pairings))
    counts = visit_counts((p.pk for p in window), months)
    grid: dict[int, dict[Month, Cell]] = defaultdict(lambda: {m: Cell() for m in months})
    for pairing in window:
        for ym in months:
            part = covered_part(pairing, *ym)
            if part is None:
                continue
            cell = grid[pairing.cadre_id][ym]
            cell.visits += counts.get((pairing.pk, ym), 0)
            cell.required += required_visits(pairing, *ym)
            cell.part_end = max(cell.part_end or part[1], part[1])
    for cells in grid.values():
        for cell in cells.values():
            cell.judge(today)
    return grid, window
