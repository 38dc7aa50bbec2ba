"""What the leading group's counting pages keep (core/kept.py), said once for all of them.

The dashboard, the departments table, the roll-ups, the monthly report and the overseers' homes count a whole
period; each keeps what it counted (`kept.remember`) as plain data (numbers, ids, names as stored, never a lazy
translation, a model or rendered HTML) and builds its figures and links from it on every view. What a kept
answer depends on is said here:

- `depends`: the months of each family it reads: the period's (and the trend's) months of the problems and
  the visits; `"names"` (every month) when names read with the figures are kept, `"calendar"` (every month)
  when "due soon" (the working-day horizon) is among them;
- `judged_on`: today while the period runs (overdue, due soon, the running month's rule), None once it is over;
- `parts`: the viewer's sight (`"all"` for those who see everything, else the user's id) and the scope's
  period and filters, and whatever else the caller names.

Nothing is counted here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from core import kept
from core.months import Month
from core.roles import PortalUser, sees_everything
from oversight.scope import Scope

ALL = "all"


def sight(user: PortalUser) -> str | int:
    """Whose rows the figures count: `"all"` for those who see everything, else the user's own id."""
    return ALL if sees_everything(user) else int(user.pk or 0)


def months(scope: Scope, also: Iterable[Month] = ()) -> list[datetime.date]:
    """The first days of the period's months and of `also` (the trend's months)."""
    return sorted({month.first for month in [*scope.period.months, *also]})


def depends(
    scope: Scope, *, also: Sequence[Month] = (), names: bool = False, calendar: bool = False, visits: bool = True
) -> dict[str, kept.Months]:
    """The families and months a scope's figures read: its problems, its visits (unless the page keeps its visit
    figures apart: `visit_figures`), and maybe names and the calendar."""
    read = months(scope, also)
    found: dict[str, kept.Months] = {"problems": read}
    if visits:
        found["visits"] = read
    if names:
        found["names"] = None
    if calendar:
        found["calendar"] = None
    return found


def judged_on(scope: Scope, now: datetime.datetime) -> datetime.date | None:
    """Today while the period runs (its figures are judged against it), None once it is over."""
    return None if scope.period.is_over(now) else timezone.localdate(now)


def parts(user: PortalUser, scope: Scope, *more: Any) -> tuple[Any, ...]:
    """The viewer's sight, the period and filters (as the pages' links carry them), and `more`."""
    return (sight(user), sorted(scope.params.items()), *more)
