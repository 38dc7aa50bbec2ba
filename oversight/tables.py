"""The roll-ups (per department, cadre, street, sector) and the department performance table, as typed rows.

The pages (oversight/rollups.py) and the monthly report (oversight/report.py) call these:

- `rollup(user, scope, dimension, now=None) -> list[RollupRow]`: one row per department, cadre, street or
  sector (`DIMENSIONS`) with the dashboard's measures (`ROLLUP_FIGURES`, the three rates) and, for cadres,
  streets and sectors, the period's service work (`RollupRow.visits`); `rollup_total(...) -> RollupRow` is
  the scope's own figures, each problem counted once.
- `department_table(user, scope, now=None) -> list[DepartmentRow]`: one row per department (every active
  one, an inactive one with figures) with `DEPARTMENT_FIGURES`, the average days to resolve and the on-time
  rate; `department_total(...) -> DepartmentRow`.
- `rollup_columns(dimension)` and `DEPARTMENT_COLUMNS`: the tables' columns in order, each with its name and
  definition; `Row.value(column_key)` reads a row's cell, `sort_rows` orders rows by a column.

Every figure is issues/measures.py's (grouped there, in a fixed number of queries whatever the data) and the
two-visit rule is visits/compliance.py's (`judge` once, its cadre rows grouped here); nothing is counted here.
Each count links to the ledger listing exactly its problems (`Row.links`): `Scope.ledger(key, unit=…)` for a
department, `cadre=`, `street=` or `sector=` for the others.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.roles import PortalUser
from core.sorting import Sort
from enterprises.models import Sector
from issues import measures
from organisation.models import Cadre, Department
from oversight.scope import SERVICE_FIGURES, Scope, VisitFigures, service
from visits import compliance

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

Dimension = Literal["department", "cadre", "street", "sector"]
DIMENSIONS: tuple[Dimension, ...] = ("department", "cadre", "street", "sector")
DIMENSION_LABELS: dict[str, StrPromise] = {
    "department": _("By department"),
    "cadre": _("By cadre"),
    "street": _("By street"),
    "sector": _("By sector"),
}
# What the first column of each roll-up names.
NAME_HEADINGS: dict[str, StrPromise] = {
    "department": _("Department"),
    "cadre": _("Cadre"),
    "street": _("Street"),
    "sector": _("Sector"),
}

# The dashboard's measures, in the roll-ups' order.
ROLLUP_FIGURES = (
    "reported",
    "on_the_spot",
    "assigned",
    "escalated",
    "answered",
    *measures.RATE_SPLITS["response"],
    "resolved_on_time",
    "resolved_late",
    "overdue",
    "satisfied",
    "dissatisfied",
    *measures.RATE_SPLITS["satisfaction"],
    "returned",
    "extension_asked",
    "extension_granted",
    "due_soon",
    "on_track",
)
DEPARTMENT_FIGURES = (
    "assigned_to_unit",
    "accepted_in_time",
    "resolved_on_time",
    "resolved_late",
    "overdue",
    "returned",
    "extension_asked",
    "extension_granted",
    "dissatisfied",
)

Kind = Literal["count", "rate", "days"]


@dataclass(frozen=True)
class Column:
    """A table's column: the key a row's value is read by (and `?sort=` names), its heading and definition."""

    key: str
    label: Any  # a lazy translation, or a heading put together from one
    definition: Any
    kind: Kind = "count"
    figure: bool = False  # a figure of issues/measures.py: its counts link to the ledger
    signal: str = ""  # red, yellow, green: the deadline's colour the figure stands for


def _figure(key: str, signal: str = "") -> Column:
    measure = measures.MEASURES[key]
    return Column(key, measure.label, measure.definition, figure=True, signal=signal)


RESPONSE_RATE = Column("response_rate", _("Response rate"), measures.RATE_DEFINITIONS["response"], "rate")
ON_TIME_RATE = Column("on_time_rate", _("On-time rate"), measures.RATE_DEFINITIONS["on_time"], "rate")
SATISFACTION_RATE = Column(
    "satisfaction_rate", _("Satisfaction rate"), measures.RATE_DEFINITIONS["satisfaction"], "rate"
)
VISIT_COLUMNS = (
    *(
        Column(key, SERVICE_FIGURES[key].label, SERVICE_FIGURES[key].definition)
        for key in ("pairings", "visits", "judged", "compliant")
    ),
    Column("compliance_rate", SERVICE_FIGURES["compliance"].label, SERVICE_FIGURES["compliance"].definition, "rate"),
)
ROLLUP_COLUMNS: tuple[Column, ...] = (
    _figure("reported"),
    _figure("on_the_spot"),
    _figure("assigned"),
    _figure("escalated"),
    _figure("answered"),
    RESPONSE_RATE,
    # Who spoke for the enterprise (issue 15): its own requests beside the cadres' reports, its own ratings
    # beside those a cadre recorded; the rates count them all.
    *(_figure(key) for key in measures.RATE_SPLITS["response"]),
    _figure("resolved_on_time"),
    _figure("resolved_late"),
    _figure("overdue", "red"),
    ON_TIME_RATE,
    _figure("satisfied"),
    _figure("dissatisfied"),
    SATISFACTION_RATE,
    *(_figure(key) for key in measures.RATE_SPLITS["satisfaction"]),
    _figure("returned"),
    _figure("extension_asked"),
    _figure("extension_granted"),
    _figure("due_soon", "yellow"),
    _figure("on_track", "green"),
)


def rollup_columns(dimension: str) -> tuple[Column, ...]:
    """The roll-up's columns: the problem figures, and the service work for cadres, streets and sectors."""
    return ROLLUP_COLUMNS if dimension == "department" else ROLLUP_COLUMNS + VISIT_COLUMNS


def _accepted_in_time() -> Column:
    measure = measures.MEASURES["accepted_in_time"]
    return Column(measure.key, AcceptedHeading(measure.label), measure.definition, figure=True)


@dataclass(frozen=True)
class AcceptedHeading:
    """The accepted-in-time heading with the expected days (CAMPAIGN_ACCEPT_DAYS) beside it, read when shown."""

    label: Any

    def __str__(self) -> str:
        days = _("within %(days)s day(s)") % {"days": settings.CAMPAIGN_ACCEPT_DAYS}
        return f"{self.label} ({days})"


DEPARTMENT_COLUMNS: tuple[Column, ...] = (
    _figure("assigned_to_unit"),
    _accepted_in_time(),
    _figure("resolved_on_time"),
    _figure("resolved_late"),
    _figure("overdue", "red"),
    _figure("returned"),
    _figure("extension_asked"),
    _figure("extension_granted"),
    _figure("dissatisfied"),
    Column(
        "resolve_days",
        _("Average days to resolve"),
        _("Average days from a department's assignment to its reply, over the replies it made in the period."),
        "days",
    ),
    ON_TIME_RATE,
)


# -- rows ------------------------------------------------------------------------------------------------------

Value = int | float | str | None


@dataclass(frozen=True)
class Row:
    """A table's row: what it is about (`key`: the id or value the ledger filters by; "" for the totals), its name,
    its counts (`figures`), and the ledger listing the problems behind each count that has any (`links`)."""

    key: str
    name: str
    figures: Mapping[str, int]
    links: Mapping[str, str] = field(default_factory=dict)

    def value(self, column: str) -> Value:
        """The row's value in a column (None when there is nothing to show, as a rate with nothing to divide)."""
        if column == "name":
            return self.name
        return self.figures.get(column)


@dataclass(frozen=True)
class RollupRow(Row):
    """A roll-up's row: the figures, the three rates, and for cadres, streets and sectors the service work."""

    rates: measures.Rates = field(default_factory=lambda: measures.Rates.of({}))
    visits: VisitFigures | None = None

    def value(self, column: str) -> Value:
        if column in _RATES:
            return cast(float | None, getattr(self.rates, _RATES[column]))
        if self.visits is not None and column in _VISITS:
            return cast(int | float | None, getattr(self.visits, column))
        return super().value(column)


# The rate columns' keys and the `Rates` field each reads; the service work's columns (`VisitFigures`' fields).
_RATES = {"response_rate": "response", "on_time_rate": "on_time", "satisfaction_rate": "satisfaction"}
_VISITS = frozenset({"pairings", "visits", "judged", "compliant", "compliance_rate"})


@dataclass(frozen=True)
class DepartmentRow(Row):
    """A department's performance in the period; `department_id` is None for the totals."""

    department_id: int | None = None
    is_active: bool = True
    resolve_days: float | None = None
    on_time_rate: float | None = None

    def value(self, column: str) -> Value:
        if column == "resolve_days":
            return self.resolve_days
        if column == "on_time_rate":
            return self.on_time_rate
        return super().value(column)


RowT = TypeVar("RowT", bound=Row)


class _Links(Mapping[str, str]):
    """The ledger behind each count that has problems (a zero lists nothing: no link to follow).

    Each link is made when asked for: a city's 13,900 cadre rows are sorted whole, but only a page of
    them is shown, and making every row's links cost more than the figures themselves.
    """

    def __init__(self, scope: Scope, figures: Mapping[str, int], where: dict[str, Any]) -> None:
        self._scope, self._figures, self._where = scope, figures, where

    def __getitem__(self, key: str) -> str:
        if not self._figures.get(key):
            raise KeyError(key)
        return self._scope.ledger(key, **self._where)

    def __iter__(self) -> Iterator[str]:
        return (key for key, count in self._figures.items() if count)

    def __len__(self) -> int:
        return sum(1 for count in self._figures.values() if count)


def _links(scope: Scope, figures: Mapping[str, int], **where: Any) -> Mapping[str, str]:
    return _Links(scope, figures, where)


# -- the roll-ups ------------------------------------------------------------------------------------------------

# The problem's field each dimension groups on (issues/measures.py's `grouped`), and the ledger's filter for it.
_ISSUE_FIELD = {"cadre": "reporter", "street": "enterprise__street", "sector": "enterprise__sector"}
_LEDGER_PARAM = {"cadre": "cadre", "street": "street", "sector": "sector"}
# The visit's and the pairing's fields for the same grouping.
_VISIT_FIELD = {
    "cadre": "pairing__cadre",
    "street": "pairing__enterprise__street",
    "sector": "pairing__enterprise__sector",
}
_PAIRING_FIELD = {"cadre": "cadre", "street": "enterprise__street", "sector": "enterprise__sector"}


@dataclass(frozen=True)
class Table(Generic[RowT]):
    """A table's rows and its totals row."""

    rows: list[RowT]
    total: RowT


def rollup(user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None = None) -> list[RollupRow]:
    """One row per department, cadre, street or sector in the scope, in its natural order; a fixed number of queries.

    Departments: every active one, and an inactive one with figures (issues/measures.py's `by_unit`). Cadres,
    streets and sectors: those with a problem, a pairing or a visit in the scope. ValueError for another dimension.
    """
    return _rollup_rows(user, scope, _dimension(dimension), now, _visits_by(user, scope, dimension, now))


def rollup_total(user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None = None) -> RollupRow:
    """The scope's own figures, each problem counted once (a problem two departments handled is one problem).

    For cadres, streets and sectors the service work too: the sum of the rows, as each cadre-month, visit and
    pairing belongs to one of them.
    """
    return _rollup_total(user, scope, _dimension(dimension), now, _visits_by(user, scope, dimension, now))


def rollup_table(
    user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None = None
) -> Table[RollupRow]:
    """`rollup` and `rollup_total` together, the service work read once."""
    dimension = _dimension(dimension)
    visits = _visits_by(user, scope, dimension, now)
    return Table(_rollup_rows(user, scope, dimension, now, visits), _rollup_total(user, scope, dimension, now, visits))


def _dimension(dimension: str) -> str:
    if dimension not in DIMENSIONS:
        raise ValueError(f"No roll-up by {dimension!r}: one of {', '.join(DIMENSIONS)}.")
    return dimension


def _rollup_rows(
    user: PortalUser,
    scope: Scope,
    dimension: str,
    now: datetime.datetime | None,
    visits: Mapping[Any, VisitFigures],
) -> list[RollupRow]:
    if dimension == "department":
        return _department_rollup(user, scope, now)
    window = scope.window(now)
    issues = scope.filters.issues(user)
    figures = measures.grouped(issues, window, _ISSUE_FIELD[dimension], ROLLUP_FIGURES, unit=scope.filters.unit)
    keys = set(figures) | set(visits)
    names = _names(dimension, keys)
    rows = []
    for key in sorted(keys, key=lambda k: (_order(dimension, k, names), str(k))):
        mine = figures.get(key) or dict.fromkeys(ROLLUP_FIGURES, 0)
        # A blank street is no filter at all on the ledger: its row has no links rather than wrong ones.
        where = {_LEDGER_PARAM[dimension]: str(key)} if key not in ("", None) else None
        rows.append(
            RollupRow(
                key=str(key),
                name=names.get(key, str(key)),
                figures=mine,
                links=_links(scope, mine, **where) if where else {},
                rates=measures.Rates.of(mine),
                visits=visits.get(key, VisitFigures(0, 0, 0, 0)),
            )
        )
    return rows


def _department_rollup(user: PortalUser, scope: Scope, now: datetime.datetime | None) -> list[RollupRow]:
    figures = measures.by_unit(scope.filters.issues(user), scope.window(now), ROLLUP_FIGURES)
    return [
        RollupRow(
            key=str(department.pk),
            name=department.name,
            figures=mine,
            links=_links(scope, mine, unit=department.pk),
            rates=measures.Rates.of(mine),
        )
        for department, mine in _departments(scope, figures, ROLLUP_FIGURES)
    ]


def _rollup_total(
    user: PortalUser,
    scope: Scope,
    dimension: str,
    now: datetime.datetime | None,
    visits: Mapping[Any, VisitFigures],
) -> RollupRow:
    figures = measures.counts(scope.filters.issues(user), scope.window(now), ROLLUP_FIGURES, unit=scope.filters.unit)
    return RollupRow(
        key="",
        name=str(_("Total")),
        figures=figures,
        links=_links(scope, figures),
        rates=measures.Rates.of(figures),
        visits=None if dimension == "department" else _sum_visits(visits.values()),
    )


def _visits_by(
    user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None
) -> dict[Any, VisitFigures]:
    """The service work per cadre, street or sector (none per department), in four queries."""
    return {} if dimension == "department" else _visit_figures(user, scope, dimension, now)


def _visit_figures(
    user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None
) -> dict[Any, VisitFigures]:
    """The service work per cadre, street or sector, in four queries: as `visit_figures`, grouped.

    The two-visit rule is judged once (visits/compliance.py) and its cadre rows grouped here: a cadre's months
    count under the enterprise that names the cadre's row (the one served now, else the latest), so a cadre who
    changed enterprise in the period is counted once, with the newer one.
    """
    found = service(user, scope, now)
    visit_counts = _grouped_count(found.visits, _VISIT_FIELD[dimension])
    pairing_counts = _grouped_count(found.pairings, _PAIRING_FIELD[dimension])
    judged: dict[Any, list[int]] = {}
    if dimension == "cadre":
        # Per cadre, the rule's cells alone (a city's 13,900 cadres): no row of models built per pairing.
        cells = compliance.cells_by_cadre(found.months, found.today, found.held, logged_before=found.logged_before)
        for cadre, mine_cells in cells.items():
            judged[cadre] = [sum(c.is_judged for c in mine_cells), sum(c.is_compliant for c in mine_cells)]
    for row in found.judged() if dimension != "cadre" else ():
        key = {"street": row.enterprise.street, "sector": row.enterprise.sector}[dimension]
        mine = judged.setdefault(key, [0, 0])
        mine[0] += sum(cell.is_judged for cell in row.cells)
        mine[1] += sum(cell.is_compliant for cell in row.cells)
    keys = set(visit_counts) | set(pairing_counts) | set(judged)
    return {
        key: VisitFigures(
            pairings=pairing_counts.get(key, 0),
            visits=visit_counts.get(key, 0),
            judged=judged.get(key, [0, 0])[0],
            compliant=judged.get(key, [0, 0])[1],
        )
        for key in keys
    }


def _grouped_count(rows: Any, by: str) -> dict[Any, int]:
    return {row[by]: row["n"] for row in rows.order_by().values(by).annotate(n=Count("pk"))}


def _sum_visits(figures: Iterable[VisitFigures]) -> VisitFigures:
    found = list(figures)
    return VisitFigures(
        pairings=sum(f.pairings for f in found),
        visits=sum(f.visits for f in found),
        judged=sum(f.judged for f in found),
        compliant=sum(f.compliant for f in found),
    )


def _names(dimension: str, keys: set[Any]) -> dict[Any, str]:
    """What each row is called: the cadres' names (one query), the sectors' labels, the streets themselves."""
    if dimension == "cadre":
        cadres = Cadre.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", "name", "title")
        return {pk: f"{name}（{title}）" if title else name for pk, name, title in cadres}
    if dimension == "sector":
        return {key: str(Sector(key).label) for key in keys if key in Sector.values}
    return {key: key or str(_("(no street)")) for key in keys}


def _order(dimension: str, key: Any, names: Mapping[Any, str]) -> tuple[int, str]:
    """The rows' natural order: sectors as the registry lists them, the others by name (a blank street last)."""
    if dimension == "sector":
        return (Sector.values.index(key) if key in Sector.values else len(Sector.values), "")
    return (1 if key in ("", None) else 0, names.get(key, ""))


# -- the department performance table ------------------------------------------------------------------------


def department_table(user: PortalUser, scope: Scope, now: datetime.datetime | None = None) -> list[DepartmentRow]:
    """One row per department (every active one; an inactive one with figures), in the departments' order.

    Six queries whatever the data: `by_unit` (three), `resolve_days` (one), the departments (one).
    """
    issues = scope.filters.issues(user)
    window = scope.window(now)
    figures = measures.by_unit(issues, window, DEPARTMENT_FIGURES)
    days = measures.resolve_days(issues, window)
    return [
        DepartmentRow(
            key=str(department.pk),
            name=department.name,
            figures=mine,
            links=_links(scope, mine, unit=department.pk),
            department_id=department.pk,
            is_active=department.is_active,
            resolve_days=days.get(department.pk),
            on_time_rate=measures.Rates.of(mine).on_time,
        )
        for department, mine in _departments(scope, figures, DEPARTMENT_FIGURES)
    ]


def department_total(user: PortalUser, scope: Scope, now: datetime.datetime | None = None) -> DepartmentRow:
    """The scope's own figures, each problem once; no average days (a department's measure)."""
    issues = scope.filters.issues(user)
    figures = measures.counts(issues, scope.window(now), DEPARTMENT_FIGURES, unit=scope.filters.unit)
    return DepartmentRow(
        key="",
        name=str(_("Total")),
        figures=figures,
        links=_links(scope, figures),
        on_time_rate=measures.Rates.of(figures).on_time,
    )


def _departments(
    scope: Scope, figures: Mapping[Any, Mapping[str, int]], keys: Sequence[str]
) -> list[tuple[Department, dict[str, int]]]:
    """The departments to list, in one query: every active one, an inactive one with figures; or the one chosen."""
    chosen = scope.filters.unit
    if chosen is not None:
        found = Department.objects.filter(pk=chosen.pk)
    else:
        found = Department.objects.filter(Q(is_active=True) | Q(pk__in=list(figures)))
    listed = []
    for department in found.order_by("kind", "name", "pk"):
        mine = {key: figures.get(department.pk, {}).get(key, 0) for key in keys}
        if department.is_active or any(mine.values()):
            listed.append((department, mine))
    return listed


# -- sorting ------------------------------------------------------------------------------------------------------


def sort_rows(rows: Sequence[RowT], sort: Sort) -> list[RowT]:
    """The rows ordered by the sort's column; ties keep the natural order, and empty cells go last either way."""
    if not sort.key:
        return list(rows)
    present = [row for row in rows if row.value(sort.key) is not None]
    empty = [row for row in rows if row.value(sort.key) is None]
    present.sort(key=lambda row: cast(Any, row.value(sort.key)), reverse=sort.descending)  # stable, reversed too
    return present + empty
