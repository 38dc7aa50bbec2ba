"""The roll-ups (per department, cadre, street, sector) and the department performance table, as typed rows.

The pages (oversight/rollups.py) and the monthly report (oversight/report.py) call these:

- `rollup_table(user, scope, dimension, now=None) -> Rollup`: the roll-up read once, its rows kept light (a
  key, a name, the counts and the service work per row) and its totals row built. `Rollup.ordered(sort)` sorts
  the keys by any column and `Rollup.rows(keys)` builds the rows of those keys only: a city's 13,900 cadres
  are sorted, a page of them built. `rollup(...) -> list[RollupRow]` (every row, built) and
  `rollup_total(...) -> RollupRow` (the scope's own figures, each problem counted once) read it.
  One row per department, cadre, street or sector (`DIMENSIONS`) with the dashboard's measures
  (`ROLLUP_FIGURES`, the three rates) and, for cadres, streets and sectors, the period's service work
  (`RollupRow.visits`).
- `department_table(user, scope, now=None) -> list[DepartmentRow]`: one row per department (every active
  one, an inactive one with figures) with `DEPARTMENT_FIGURES`, the average days to resolve and the on-time
  rate; `department_total(...) -> DepartmentRow`. `all_departments()` reads every department once for a page
  that both lists them and offers them in its filter.
- `rollup_page(...)` and `department_page(...) -> TablePage`: a page of either table in a sort's order with its
  totals, kept on its own (per sort, page, filters and language) until what the table counts changes, so a page
  read again reads no table; sorted from the kept table when not (`Rollup.page`, `count_department_page`).
- `rollup_columns(dimension)` and `DEPARTMENT_COLUMNS`: the tables' columns in order, each with its name and
  definition; `Row.value(column_key)` reads a row's cell, `sort_rows` orders rows by a column.

Every figure is issues/measures.py's (grouped there, in a fixed number of queries whatever the data) and the
two-visit rule is visits/compliance.py's (`cells_by_cadre` or `judge` once, its cadre rows grouped here);
nothing is counted here. Each count links to the ledger listing exactly its problems (`Row.links`):
`Scope.ledger(key, unit=…)` for a department, `cadre=`, `street=` or `sector=` for the others.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast, overload

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import kept
from core.roles import PortalUser
from core.sorting import Sort
from enterprises.models import Sector
from issues import measures
from organisation.models import Department
from oversight import keeping
from oversight.scope import SERVICE_FIGURES, Scope, VisitFigures, service, visits_in
from visits import compliance

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

Dimension = Literal["department", "cadre", "street", "sector"]
DIMENSIONS: tuple[Dimension, ...] = ("department", "cadre", "street", "sector")
# The rows of a page of the roll-ups (a city's 13,900 cadres) and of the department table (a province's 1,173).
ROLLUP_PAGE_SIZE = 50
DEPARTMENT_PAGE_SIZE = 50
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
T = TypeVar("T")


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
# The pairing's field for the same grouping.
_PAIRING_FIELD = {"cadre": "cadre", "street": "enterprise__street", "sector": "enterprise__sector"}
# A cadre's name and title, read with the cadre's problems and pairings (no query of its own).
_CADRE_NAMES = {"cadre": (("reporter__name", "reporter__title"), ("cadre__name", "cadre__title"))}

# A row's service work as read: pairings in force, visits, cadre-months judged, compliant (`VisitFigures`' order).
Work = tuple[int, int, int, int]
_NO_WORK: Work = (0, 0, 0, 0)


@dataclass(frozen=True)
class Rollup:
    """A roll-up read once, its rows kept light until shown: each row's key in the natural order, its name, its
    counts and service work; and the totals row, built.

    A city's 13,900 cadres are sorted on these (`ordered`), and only the page's rows are built (`rows`): a
    `RollupRow` with its rates and links costs more than reading its figures did.
    """

    scope: Scope
    dimension: str
    keys: list[Any]  # the natural order
    names: Mapping[Any, str]
    figures: Mapping[Any, Mapping[str, Any]]  # per key, as issues/measures.py read them (maybe more than counts)
    work: Mapping[Any, Work]
    total: RollupRow

    def __len__(self) -> int:
        return len(self.keys)

    def ordered(self, sort: Sort) -> list[Any]:
        """The keys in the sort's order: ties keep the natural order, and empty cells go last either way."""
        if not sort.key:
            return list(self.keys)
        return _sorted(self.keys, self._reader(sort.key), sort.descending)

    def rows(self, keys: Iterable[Any] | None = None) -> list[RollupRow]:
        """The rows of these keys (all, in the natural order, by default), built."""
        return [self.row(key) for key in (self.keys if keys is None else keys)]

    def row(self, key: Any) -> RollupRow:
        mine = self._figures(key)
        if self.dimension == "department":
            links = _links(self.scope, mine, unit=key)
        elif key in ("", None):
            links = {}  # a blank street is no filter at all on the ledger: no links rather than wrong ones
        else:
            links = _links(self.scope, mine, **{_LEDGER_PARAM[self.dimension]: str(key)})
        return RollupRow(
            key=str(key),
            name=self.names.get(key, str(key)),
            figures=mine,
            links=links,
            rates=measures.Rates.of(mine),
            visits=None if self.dimension == "department" else VisitFigures(*self.work.get(key, _NO_WORK)),
        )

    def page(self, sort: Sort, number: int, size: int) -> TablePage[RollupRow]:
        """The page of `size` rows asked for in the sort's order (as Django's `get_page` reads `number`), built, and
        the totals: what `rollup_page` keeps."""
        return _cut(self.ordered(sort), number, size, self.rows, self.total)

    def _figures(self, key: Any) -> dict[str, int]:
        found = self.figures.get(key)
        return {name: found[name] for name in ROLLUP_FIGURES} if found else dict.fromkeys(ROLLUP_FIGURES, 0)

    def _reader(self, column: str) -> Callable[[Any], Value]:
        """How to read a key's cell in a column without building its row (as `RollupRow.value` reads it)."""
        if column == "name":
            return lambda key: self.names.get(key, str(key))
        if column in _RATES:
            rate = _RATES[column]
            # The counts as read (a cadre's name beside them is not a count any rate reads).
            return lambda key: cast(
                float | None, getattr(measures.Rates.of(cast(dict[str, int], self.figures.get(key) or {})), rate)
            )
        if column in _VISITS:
            return lambda key: cast(int | float | None, getattr(VisitFigures(*self.work.get(key, _NO_WORK)), column))
        return lambda key: cast(int, (self.figures.get(key) or {}).get(column, 0))


def _sorted(keys: Sequence[Any], value: Callable[[Any], Value], descending: bool) -> list[Any]:
    """`sort_rows`' order over keys, each cell read once: stable either way, the empty cells last."""
    cells = [(value(key), key) for key in keys]
    present = [(cell, key) for cell, key in cells if cell is not None]
    present.sort(key=lambda pair: cast(Any, pair[0]), reverse=descending)  # stable, reversed too
    return [key for _cell, key in present] + [key for cell, key in cells if cell is None]


def rollup(user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None = None) -> list[RollupRow]:
    """One row per department, cadre, street or sector in the scope, in its natural order; a fixed number of queries.

    Departments: every active one, and an inactive one with figures (issues/measures.py's `by_unit`). Cadres,
    streets and sectors: those with a problem, a pairing or a visit in the scope. ValueError for another dimension.
    """
    return rollup_table(user, scope, dimension, now).rows()


def rollup_total(user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None = None) -> RollupRow:
    """The scope's own figures, each problem counted once (a problem two departments handled is one problem).

    For cadres, streets and sectors the service work too: the sum of the rows, as each cadre-month, visit and
    pairing belongs to one of them.
    """
    return rollup_table(user, scope, dimension, now).total


def rollup_table(
    user: PortalUser,
    scope: Scope,
    dimension: str,
    now: datetime.datetime | None = None,
    departments: Sequence[Department] | None = None,
) -> Rollup:
    """The roll-up, its rows unbuilt (`Rollup`), and its totals: `rollup` and `rollup_total` in one reading.

    `departments`: every department, already read (`all_departments`), for the department roll-up not to read
    them again. ValueError for an unknown dimension.
    """
    dimension = _dimension(dimension)
    now = now or timezone.now()
    if dimension == "department":
        found = kept.remember(
            "oversight.rollup",
            _rollup_depends(scope, dimension),
            lambda: count_rollup(user, scope, dimension, now),
            judged_on=keeping.judged_on(scope, now),
            parts=keeping.parts(user, scope, dimension),
        )
        return _department_rollup(scope, found, departments)
    # The problem figures and the service work are kept apart, as on the dashboard: a move counts the first again,
    # a visit the second, not both (at a city the service work of 13,900 cadres is half a roll-up's count). A
    # cadre's name is read with each (kept); sectors' and streets' are their values.
    names = {"names": None} if dimension == "cadre" else {}
    figures = kept.remember(
        "oversight.rollup",
        {"problems": keeping.months(scope), "calendar": None, **names},
        lambda: _count_rollup_figures(user, scope, dimension, now),
        judged_on=keeping.judged_on(scope, now),
        parts=keeping.parts(user, scope, dimension),
    )
    work, held_names = kept.remember(
        "oversight.rollup.work",
        {"visits": keeping.months(scope), **names},
        lambda: _visit_figures(user, scope, dimension, now, _CADRE_NAMES.get(dimension, ((), ()))[1]),
        judged_on=keeping.judged_on(scope, now),
        parts=keeping.parts(user, scope, dimension),
    )
    return _rollup(scope, dimension, RollupCounts(figures=figures, work=work, held_names=held_names))


def _rollup(scope: Scope, dimension: str, found: RollupCounts) -> Rollup:
    """A cadre's, street's or sector's roll-up from what was counted: the rows in their natural order, the totals."""
    names_with_problems = _CADRE_NAMES.get(dimension, ((), ()))[0]
    figures, work, held_names = found.figures, found.work, found.held_names
    keys = set(figures) | set(work)
    names = _names(dimension, keys, figures, names_with_problems, held_names)
    ordered = sorted(keys, key=_natural(dimension, names))
    # Each problem has one reporter and one enterprise: the groups part the problems, and the totals are the
    # groups' figures added up (each problem once, as `measures.counts` counts them; the tests hold both equal).
    total = {name: sum(mine[name] for mine in figures.values()) for name in ROLLUP_FIGURES}
    return Rollup(
        scope=scope,
        dimension=dimension,
        keys=ordered,
        names=names,
        figures=figures,
        work=work,
        total=_total_row(scope, total, _sum_work(work.values())),
    )


def _rollup_depends(scope: Scope, dimension: str) -> dict[str, kept.Months]:
    """What a roll-up reads: the period's problems (and, but for departments, its visits and pairings), the calendar
    (due soon is a column), and the cadres' names kept with their figures (sectors' and streets' are their values,
    the departments' are read live)."""
    if dimension == "department":
        return {"problems": keeping.months(scope), "calendar": None}
    return keeping.depends(scope, names=dimension == "cadre", calendar=True)


def _dimension(dimension: str) -> str:
    if dimension not in DIMENSIONS:
        raise ValueError(f"No roll-up by {dimension!r}: one of {', '.join(DIMENSIONS)}.")
    return dimension


@dataclass(frozen=True)
class RollupCounts:
    """What a roll-up counts, as plain data (core/kept.py keeps it, the problem figures and the service work apart):
    its rows are built from it on each view.

    Per key (a department's id, a cadre's id, a street, a sector) the figures as issues/measures.py read them (a
    cadre's name and title beside them); for cadres, streets and sectors the service work and the names read
    with the pairings; for departments the scope's own figures (`total`: each problem once).
    """

    figures: dict[Any, dict[str, Any]]
    work: dict[Any, Work] = field(default_factory=dict)
    held_names: dict[Any, tuple[Any, ...]] = field(default_factory=dict)
    total: dict[str, int] | None = None


def count_rollup(user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None = None) -> RollupCounts:
    """Count a roll-up's figures (nothing kept), in a fixed number of queries."""
    dimension = _dimension(dimension)
    issues, window = scope.filters.issues(user), scope.window(now)
    if dimension == "department":
        return RollupCounts(
            figures={pk: dict(mine) for pk, mine in measures.by_unit(issues, window, ROLLUP_FIGURES).items()},
            # A problem two departments handled counts in both their rows and once in the total: counted on its own.
            total=dict(measures.counts(issues, window, ROLLUP_FIGURES, unit=scope.filters.unit)),
        )
    work, held_names = _visit_figures(user, scope, dimension, now, _CADRE_NAMES.get(dimension, ((), ()))[1])
    return RollupCounts(figures=_count_rollup_figures(user, scope, dimension, now), work=work, held_names=held_names)


def _count_rollup_figures(
    user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None
) -> dict[Any, dict[str, Any]]:
    """A cadre's, street's or sector's roll-up's problem figures per key (a cadre's name and title beside them)."""
    figures = measures.grouped(
        scope.filters.issues(user),
        scope.window(now),
        _ISSUE_FIELD[dimension],
        ROLLUP_FIGURES,
        unit=scope.filters.unit,
        also=_CADRE_NAMES.get(dimension, ((), ()))[0],
    )
    return {key: dict(mine) for key, mine in figures.items()}


def _department_rollup(scope: Scope, found: RollupCounts, departments: Sequence[Department] | None) -> Rollup:
    listed = _departments(scope, found.figures, ROLLUP_FIGURES, departments)
    return Rollup(
        scope=scope,
        dimension="department",
        keys=[department.pk for department, _mine in listed],
        names={department.pk: department.name for department, _mine in listed},
        figures={department.pk: mine for department, mine in listed},
        work={},
        total=_total_row(scope, dict(found.total or {}), None),
    )


def _total_row(scope: Scope, figures: dict[str, int], work: Work | None) -> RollupRow:
    return RollupRow(
        key="",
        name=str(_("Total")),
        figures=figures,
        links=_links(scope, figures),
        rates=measures.Rates.of(figures),
        visits=None if work is None else VisitFigures(*work),
    )


def _visit_figures(
    user: PortalUser, scope: Scope, dimension: str, now: datetime.datetime | None, also: tuple[str, ...] = ()
) -> tuple[dict[Any, Work], dict[Any, tuple[Any, ...]]]:
    """The service work per cadre, street or sector, in two queries (three by street or sector): as `visit_figures`,
    grouped; and the fields `also` named (a cadre's name and title) of each group that held a pairing.

    The two-visit rule is judged once, in SQL (visits/compliance.py `Standings`: each cadre's months judged and
    met), and grouped here: a cadre's months count under the enterprise that names the cadre's row
    (`compliance.row_names`: the one served now, else the latest), so a cadre who changed enterprise in the period
    is counted once, with the newer one.
    """
    now = now or timezone.now()
    found = service(user, scope, now)
    field_ = _PAIRING_FIELD[dimension]
    # Every pairing the filters keep, grouped, counting those in force and the visits the period counts (each
    # pairing's, as `Service.visits` has them: a visit is of one pairing, which the same filters keep), joined on
    # the pairing's visits the period counts only: the groups' names come with the counts (every cadre with a
    # visit or a judged month held one of these pairings).
    in_force = Count("pk", distinct=True, filter=Q(pk__in=found.pairings.order_by().values("pk")))
    counted = FilteredRelation(
        "visits", condition=_prefixed(visits_in(scope.period, now or timezone.now()), "visits__")
    )
    held = (
        found.held.order_by()
        .annotate(counted=counted)
        .values_list(field_, *also)
        .annotate(n=in_force, v=Count("counted"))
    )
    pairing_counts, visit_counts, names = {}, {}, {}
    for row in held:
        names[row[0]] = row[1:-2]
        if row[-2]:
            pairing_counts[row[0]] = row[-2]
        if row[-1]:
            visit_counts[row[0]] = row[-1]
    # Each cadre's months judged and met, counted in SQL (a city's 13,900 cadres): nothing built per cadre-month.
    standings = compliance.Standings(found.months, found.today, found.held, logged_before=found.logged_before)
    by_cadre = standings.judged_and_met()
    judged: dict[Any, list[int]] = {}
    if dimension == "cadre":
        judged.update((cadre, list(counts)) for cadre, counts in by_cadre.items())
    else:  # under the street (sector) of the enterprise that names the cadre's row
        for cadre, key in compliance.row_names(found.months, found.held, field_).items():
            mine = judged.setdefault(key, [0, 0])
            months_judged, months_met = by_cadre.get(cadre, (0, 0))
            mine[0] += months_judged
            mine[1] += months_met
    keys = set(visit_counts) | set(pairing_counts) | set(judged)
    work = {key: (pairing_counts.get(key, 0), visit_counts.get(key, 0), *judged.get(key, (0, 0))) for key in keys}
    return cast(dict[Any, Work], work), dict(names)


def _prefixed(condition: Q, prefix: str) -> Q:
    """The condition on a related model's fields (`visits_in`, of a visit, as a pairing's `visits__…`)."""
    found = Q()
    found.connector, found.negated = condition.connector, condition.negated
    children: list[Any] = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            lookup, value = cast(tuple[str, Any], child)
            children.append((prefix + lookup, value))
    found.children = children
    return found


def _sum_work(found: Iterable[Work]) -> Work:
    """The rows' service work added up: each pairing, visit and cadre-month belongs to one row."""
    totals = tuple(sum(column) for column in zip(*found, strict=True))
    return cast(Work, totals) if totals else _NO_WORK


def _names(
    dimension: str,
    keys: set[Any],
    figures: Mapping[Any, Mapping[str, Any]],
    with_problems: tuple[str, ...],
    held: Mapping[Any, tuple[Any, ...]],
) -> dict[Any, str]:
    """What each row is called: the cadres' names (read with their problems and pairings), the sectors' labels,
    the streets themselves."""
    if dimension == "cadre":
        named: dict[Any, str] = {}
        for key in keys:
            if key is None:
                continue
            if key in held:
                name, title = held[key]
            elif key in figures:
                name, title = (figures[key][field_] for field_ in with_problems)
            else:
                continue
            named[key] = f"{name}（{title}）" if title else name
        return named
    if dimension == "sector":
        return {key: str(Sector(key).label) for key in keys if key in Sector.values}
    return {key: key or str(_("(no street)")) for key in keys}


def _natural(dimension: str, names: Mapping[Any, str]) -> Callable[[Any], tuple[Any, ...]]:
    """The rows' natural order: sectors as the registry lists them, the others by name (a blank street last)."""
    if dimension == "sector":
        places = {key: place for place, key in enumerate(Sector.values)}
        return lambda key: (places.get(key, len(places)), str(key))
    return lambda key: (key in ("", None), names.get(key, ""), str(key))


# -- the department performance table ------------------------------------------------------------------------


def all_departments() -> list[Department]:
    """Every department, in their order (one query): the tables list theirs from it, the filter offers it whole."""
    return list(Department.objects.order_by("kind", "name", "pk"))


@dataclass(frozen=True)
class DepartmentCounts:
    """What the department table counts, as plain data (kept): per department id its figures and average days to
    resolve, and the scope's own figures (each problem once)."""

    figures: dict[Any, dict[str, int]]
    days: dict[Any, float]
    total: dict[str, int]


def count_departments(
    user: PortalUser, scope: Scope, now: datetime.datetime | None = None, *, total: bool = True
) -> DepartmentCounts:
    """Count the department table (nothing kept): `by_unit`, `resolve_days` and (unless not `total`, as for the
    monthly report, which shows no totals row) `counts`, three queries."""
    issues = scope.filters.issues(user)
    window = scope.window(now)
    return DepartmentCounts(
        figures={pk: dict(mine) for pk, mine in measures.by_unit(issues, window, DEPARTMENT_FIGURES).items()},
        days=dict(measures.resolve_days(issues, window)),
        total=dict(measures.counts(issues, window, DEPARTMENT_FIGURES, unit=scope.filters.unit)) if total else {},
    )


def department_counts(user: PortalUser, scope: Scope, now: datetime.datetime | None = None) -> DepartmentCounts:
    """The department table's counts for the user's sight of the scope, kept until a problem of its months changes
    (judged on today while the period runs); the departments' names are read live."""
    now = now or timezone.now()
    return kept.remember(
        "oversight.departments",
        {"problems": keeping.months(scope)},
        lambda: count_departments(user, scope, now),
        judged_on=keeping.judged_on(scope, now),
        parts=keeping.parts(user, scope),
    )


def department_table(
    user: PortalUser,
    scope: Scope,
    now: datetime.datetime | None = None,
    departments: Sequence[Department] | None = None,
    counts: DepartmentCounts | None = None,
) -> list[DepartmentRow]:
    """One row per department (every active one; an inactive one with figures), in the departments' order.

    From the kept counts (`department_counts`, one query when kept, or `counts` when given) and the departments
    (one query, none when `departments`, every one already read by `all_departments`, is given).
    """
    found = counts or department_counts(user, scope, now)
    return [
        DepartmentRow(
            key=str(department.pk),
            name=department.name,
            figures=mine,
            links=_links(scope, mine, unit=department.pk),
            department_id=department.pk,
            is_active=department.is_active,
            resolve_days=found.days.get(department.pk),
            on_time_rate=measures.Rates.of(mine).on_time,
        )
        for department, mine in _departments(scope, found.figures, DEPARTMENT_FIGURES, departments)
    ]


def department_total(
    user: PortalUser, scope: Scope, now: datetime.datetime | None = None, counts: DepartmentCounts | None = None
) -> DepartmentRow:
    """The scope's own figures, each problem once; no average days (a department's measure)."""
    figures = dict((counts or department_counts(user, scope, now)).total)
    return DepartmentRow(
        key="",
        name=str(_("Total")),
        figures=figures,
        links=_links(scope, figures),
        on_time_rate=measures.Rates.of(figures).on_time,
    )


def _departments(
    scope: Scope,
    figures: Mapping[Any, Mapping[str, int]],
    keys: Sequence[str],
    departments: Sequence[Department] | None = None,
) -> list[tuple[Department, dict[str, int]]]:
    """The departments to list: every active one, an inactive one with figures; or the one chosen.

    From `departments` when given (every department, in their order), else in one query.
    """
    chosen = scope.filters.unit
    if departments is not None:
        found: Iterable[Department] = [d for d in departments if chosen is None or d.pk == chosen.pk]
    elif chosen is not None:
        found = Department.objects.filter(pk=chosen.pk)
    else:
        found = Department.objects.filter(Q(is_active=True) | Q(pk__in=list(figures))).order_by("kind", "name", "pk")
    listed = []
    for department in found:
        mine = {key: figures.get(department.pk, {}).get(key, 0) for key in keys}
        if department.is_active or any(mine.values()):
            listed.append((department, mine))
    return listed


# -- sorting ------------------------------------------------------------------------------------------------------


def sort_rows(rows: Sequence[RowT], sort: Sort) -> list[RowT]:
    """The rows ordered by the sort's column; ties keep the natural order, and empty cells go last either way."""
    if not sort.key:
        return list(rows)
    return _sorted(rows, lambda row: row.value(sort.key), sort.descending)


# -- a sorted page, kept --------------------------------------------------------------------------------------------

# A city's 13,900 cadres are sorted from the kept roll-up once per sort, page and state of what it counts: each
# page is kept on its own (`rollup_page`, `department_page`), so reading it again reads no table (the xlsx does).


@dataclass(frozen=True)
class TablePage(Generic[RowT]):
    """A table's sorted page as kept (plain data): its rows and the totals row, built, their links made (plain
    strings: the page's scope is in its key), how many rows the whole table has, the page's number and size."""

    rows: list[RowT]
    total: RowT
    count: int
    number: int
    size: int

    @property
    def page(self) -> Page:
        """Django's page over the whole table, for the pagination and "rows x to y of n" (only its rows at hand)."""
        return Paginator(_Placed(self.count, self.rows), self.size).page(self.number)


class _Placed(Sequence[Any]):
    """A table of `count` rows of which only one page's are at hand (the paginator asks only for those)."""

    def __init__(self, count: int, shown: list[Any]) -> None:
        self.count_, self.shown = count, shown

    def __len__(self) -> int:
        return self.count_

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self.shown
        raise IndexError(index)


def _cut(
    ordered: Sequence[T], number: int, size: int, build: Callable[[list[T]], list[RowT]], total: RowT
) -> TablePage[RowT]:
    """The page of `ordered` (keys or rows) asked for, as Django's `get_page` reads `number`, its rows built by
    `build` and made plain with the totals: each count's link made now (`_Links` makes them when asked)."""
    found = Paginator(ordered, size).get_page(number)
    rows = [replace(row, links=dict(row.links)) for row in build(list(found.object_list))]
    return TablePage(rows, replace(total, links=dict(total.links)), found.paginator.count, found.number, size)


def page_number(asked: str | int | None) -> int:
    """`?page=` as the paginator's `get_page` reads it, so that the pages it gives alike are kept once: a number (any
    below 1 is the last page, as one past the end is), anything else the first page."""
    if asked is None:
        return 1
    try:
        return max(int(asked), 0)
    except ValueError:
        return 1


def _page_parts(user: PortalUser, scope: Scope, *more: Any) -> tuple[Any, ...]:
    # The reader's language too: the names are kept as shown (a sector's label, "(no street)", "Total") and sorted so.
    return keeping.parts(user, scope, *more, translation.get_language())


def rollup_page(
    user: PortalUser,
    scope: Scope,
    dimension: str,
    sort: Sort,
    page: str | int | None,
    size: int,
    now: datetime.datetime | None = None,
    departments: Sequence[Department] | None = None,
) -> TablePage[RollupRow]:
    """The roll-up's page of `size` rows in the sort's order, and its totals: kept per sort, page and filters until
    what the roll-up counts changes, else sorted from the kept roll-up (`rollup_table`, `Rollup.page`).

    The department roll-up's page depends on the departments' names too (it keeps them, and sorts by them).
    """
    dimension = _dimension(dimension)
    now = now or timezone.now()
    number = page_number(page)
    depends = _rollup_depends(scope, dimension)
    if dimension == "department":
        depends["names"] = None
    return kept.remember(
        "oversight.rollup_page",
        depends,
        lambda: rollup_table(user, scope, dimension, now, departments).page(sort, number, size),
        judged_on=keeping.judged_on(scope, now),
        parts=_page_parts(user, scope, dimension, sort.param, number, size),
    )


def count_department_page(
    user: PortalUser,
    scope: Scope,
    sort: Sort,
    number: int,
    size: int,
    now: datetime.datetime | None = None,
    departments: Sequence[Department] | None = None,
) -> TablePage[DepartmentRow]:
    """Sort the department table (from its kept counts, `department_counts`) and cut the page asked for (as
    Django's `get_page` reads `number`): what `department_page` keeps."""
    counts = department_counts(user, scope, now)
    rows = sort_rows(department_table(user, scope, now, departments, counts), sort)
    return _cut(rows, number, size, list, department_total(user, scope, now, counts))


def department_page(
    user: PortalUser,
    scope: Scope,
    sort: Sort,
    page: str | int | None,
    size: int,
    now: datetime.datetime | None = None,
    departments: Sequence[Department] | None = None,
) -> TablePage[DepartmentRow]:
    """The department table's page of `size` rows in the sort's order, and its totals: kept per sort, page and
    filters until a problem of its months or a department's name changes, else sorted from the kept counts
    (`count_department_page`)."""
    now = now or timezone.now()
    number = page_number(page)
    return kept.remember(
        "oversight.department_page",
        # The table's (`department_counts`), and the names: the rows keep the departments' names, and sort by them.
        {"problems": keeping.months(scope), "names": None},
        lambda: count_department_page(user, scope, sort, number, size, now, departments),
        judged_on=keeping.judged_on(scope, now),
        parts=_page_parts(user, scope, sort.param, number, size),
    )
