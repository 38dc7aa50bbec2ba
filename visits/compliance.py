"""The two-visit rule (每月为联系企业开展2次以上的服务): the one place that judges it.

Every page, panel, export, reminder and chart asks this module; none counts visits
against the rule itself.

Months are calendar months in Asia/Shanghai: a visit's date is the local date it
took place. A cadre who held a pairing for only part of a month (a re-pairing
mid-month) is judged on that part alone: the requirement is prorated by the days
of the month the pairing covered and rounded up, so a pairing held for any part
of a month needs at least one visit in it, and one held for the whole month needs
CAMPAIGN_VISITS_PER_MONTH. A month (or the part) that is not over yet is "at
risk" while short, and "missed" once it is over. A cadre who served two
enterprises in one month is judged on the two parts together: the visits and the
requirements add up, and the month lasts until the later part ends. A part that
has not begun yet (a pairing starting later this month, a month still to come) is
not judged.

The visits are counted from the tally the services keep (`VisitTally`, visits/tallies.py), one row per
pairing and month; a count "as logged before" a moment (a past period's report) reads the visits themselves.

The public API:

- `judge(months, today, pairings)`: one `CadreRow` per cadre, one `Cell` per month,
  in two queries whatever the number of cadres; `judge_in_batches` the same rows a thousand cadres at a
  time (a city's export);
- `Standings(months, today, pairings)`: the same rule in SQL for every cadre at once: each unit's counts,
  a page of cadres in the grid's order, the assessment's months met, each cadre's months judged and met (the
  grid, the summaries, the roll-ups); a page's rows as plain data (`PlainRow`) and a unit's counts as a row of
  numbers (`UnitSummary.counts`), which the grid keeps;
- `row_names(months, pairings, field)`: what names each cadre's row in `judge` (its enterprise's street…), in
  one query, for a page that groups cadres by it;
- `cadre_month(cadre_or_user, today)`: this month's `Cell` for one cadre;
- `summarise(rows, months)`, `month_summaries(months, today, pairings)` and
  `month_summary(today, pairings)`: how many cadres were judged in a month and how many met the rule.
"""

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models
from django.db.models import Case, Count, DateField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, ExtractDay, Greatest, Least
from django.utils.translation import gettext_lazy as _

from core.months import Month
from core.roles import PortalUser
from enterprises.models import Enterprise
from organisation.models import Cadre, Pairing
from visits.models import Visit, VisitTally


class Standing(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    AT_RISK = "at_risk", _("At risk")
    MISSED = "missed", _("Missed")
    NONE = "none", _("Not paired")


# The standings a "months below the rule" count includes, and the count's heading wherever it is shown.
SHORT = frozenset({Standing.AT_RISK, Standing.MISSED})
SHORT_HEADING = _("Months below the rule")


@dataclass(slots=True)
class Cell:
    """One cadre's month: visits made, visits required (prorated), when the month's part ends, the standing."""

    visits: int = 0
    required: int = 0
    part_end: datetime.date | None = None
    standing: Standing = Standing.NONE

    @property
    def is_judged(self) -> bool:
        return self.standing != Standing.NONE

    @property
    def is_compliant(self) -> bool:
        return self.standing == Standing.COMPLIANT

    @property
    def is_at_risk(self) -> bool:
        return self.standing == Standing.AT_RISK

    @property
    def is_short(self) -> bool:
        return self.standing in SHORT

    @property
    def progress(self) -> int:
        """The visits that count toward the month's requirement: a bar's value, never past its end."""
        return min(self.visits, self.required)


@dataclass(frozen=True)
class CadreRow:
    """One cadre over the months judged; `pairing` is the one that names the row (active, else the latest)."""

    cadre: Cadre
    pairing: Pairing
    cells: list[Cell]

    @property
    def enterprise(self) -> Enterprise:
        return self.pairing.enterprise

    @property
    def short(self) -> int:
        """The months whose standing is at risk or missed."""
        return sum(1 for cell in self.cells if cell.is_short)


@dataclass(frozen=True)
class Named:
    """A unit or an enterprise as a page names it: its id and name, read with the row (plain data, kept as is)."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class NamedCadre:
    """A cadre as the grid shows one: id, name and unit, read with the row (plain data, kept as is)."""

    pk: int
    name: str
    unit: Named | None


@dataclass(frozen=True)
class PlainRow:
    """A `CadreRow` as plain data (ids, names, cells): what a page keeps of it (core/kept.py), no model instance."""

    cadre: NamedCadre
    enterprise: Named
    cells: list[Cell]

    @classmethod
    def of(cls, row: CadreRow) -> "PlainRow":
        cadre, unit, enterprise = row.cadre, row.cadre.unit, row.enterprise
        return cls(
            cadre=NamedCadre(cadre.pk, cadre.name, None if unit is None else Named(unit.pk, unit.name)),
            enterprise=Named(enterprise.pk, enterprise.name),
            cells=row.cells,
        )

    @property
    def short(self) -> int:
        """The months whose standing is at risk or missed, as `CadreRow.short` counts them."""
        return sum(1 for cell in self.cells if cell.is_short)


@dataclass(frozen=True)
class MonthSummary:
    """How many cadres a month judged, and how many of them met the rule."""

    month: Month
    judged: int
    compliant: int

    @property
    def rate(self) -> float | None:
        """The share that met the rule, in per cent to one decimal; None when nobody was judged."""
        return round(100 * self.compliant / self.judged, 1) if self.judged else None


@dataclass(frozen=True)
class _Span:
    """A month with its bounds worked out once (judge meets each month once per pairing)."""

    month: Month
    first: datetime.date
    last: datetime.date
    days: int

    @classmethod
    def of(cls, month: Month) -> "_Span":
        return cls(month, month.first, month.last, month.days)


Part = tuple[datetime.date, datetime.date]


def _part(started_on: datetime.date, ended_on: datetime.date | None, span: _Span) -> Part | None:
    start, end = max(span.first, started_on), min(span.last, ended_on or span.last)
    return (start, end) if start <= end else None


def _required(part: Part, span: _Span, per_month: int) -> int:
    # ceil(per_month × days covered / days in the month), in integers so no float rounding creeps in.
    return -(-per_month * ((part[1] - part[0]).days + 1) // span.days)


def covered_part(pairing: Pairing, month: Month) -> Part | None:
    """Return the first and last day of the month the pairing covered, or None."""
    return _part(pairing.started_on, pairing.ended_on, _Span.of(month))


def required_visits(pairing: Pairing, month: Month) -> int:
    """Return the visits the pairing's part of the month requires: prorated by days, rounded up."""
    span = _Span.of(month)
    part = _part(pairing.started_on, pairing.ended_on, span)
    return 0 if part is None else _required(part, span, settings.CAMPAIGN_VISITS_PER_MONTH)


def _standing(cell: Cell, today: datetime.date) -> Standing:
    if cell.required == 0 or cell.part_end is None:
        return Standing.NONE
    if cell.visits >= cell.required:
        return Standing.COMPLIANT
    return Standing.AT_RISK if today <= cell.part_end else Standing.MISSED


def _window(spans: Sequence[_Span], pairings: QuerySet[Pairing] | None) -> QuerySet[Pairing]:
    """The pairings that overlap the months."""
    pairings = Pairing.objects.all() if pairings is None else pairings
    return pairings.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=spans[0].first), started_on__lte=spans[-1].last)


def _visit_counts(
    window: QuerySet[Pairing], spans: Sequence[_Span], logged_before: datetime.datetime | None = None
) -> dict[int, list[int]]:
    """Visits per pairing in each of the months, in one grouped query: one row per pairing.

    With `logged_before`, only the visits logged (`created_at`) before that moment count.
    """
    rows = _visit_count_rows(window, spans, logged_before)
    return {r["pairing_id"]: [r[f"m{i}"] for i in range(len(spans))] for r in rows}


def _visit_count_rows(
    window: QuerySet[Pairing], spans: Sequence[_Span], logged_before: datetime.datetime | None
) -> QuerySet[Any, dict[str, Any]]:
    """The grouped query behind `_visit_counts`: `pairing_id`, then `m0`, `m1`, … the visits in each month.

    The visits as they stand come from the tally the services keep (`VisitTally`, a row per pairing and
    month: about half as many rows as a city's visits); as they stood at `logged_before`, from the visits.
    """
    # A subquery rather than a list of ids: a city's pairings would pass SQLite's parameter limit.
    held = window.order_by().values("pk")
    if logged_before is None:
        tallied = {
            f"m{i}": Coalesce(Sum("visits", filter=Q(month=s.first)), Value(0), output_field=IntegerField())
            for i, s in enumerate(spans)
        }
        return (
            VisitTally.objects.filter(pairing__in=held, month__range=(spans[0].first, spans[-1].first))
            .order_by()
            .values("pairing_id")
            .annotate(**tallied)
        )
    # Plain date ranges, not TruncMonth: SQLite truncates dates in Python, row by row.
    per_month = {f"m{i}": Count("pk", filter=Q(visited_on__range=(s.first, s.last))) for i, s in enumerate(spans)}
    return (
        Visit.objects.filter(
            created_at__lt=logged_before, pairing__in=held, visited_on__range=(spans[0].first, spans[-1].last)
        )
        .order_by()
        .values("pairing_id")
        .annotate(**per_month)
    )


# A pairing as judging needs it: its id, its cadre's id, when it started and ended.
Held = tuple[int, int, datetime.date, datetime.date | None]


def _cells(
    held: Iterable[Held], counts: dict[int, list[int]], spans: Sequence[_Span], today: datetime.date
) -> dict[int, list[Cell]]:
    """Judge each cadre's months from the pairings they held and the visits counted for those."""
    per_month = settings.CAMPAIGN_VISITS_PER_MONTH
    no_visits = [0] * len(spans)
    cells: dict[int, list[Cell]] = {}
    for pairing_id, cadre_id, started_on, ended_on in held:
        mine = cells.get(cadre_id)
        if mine is None:
            mine = cells[cadre_id] = [Cell() for _span in spans]
        visits = counts.get(pairing_id, no_visits)
        for i, span in enumerate(spans):
            part = _part(started_on, ended_on, span)
            if part is None or part[0] > today:
                continue  # not paired then, or the part has not begun: nothing to judge yet
            cell = mine[i]
            cell.visits += visits[i]
            cell.required += _required(part, span, per_month)
            cell.part_end = part[1] if cell.part_end is None else max(cell.part_end, part[1])
    for mine in cells.values():
        for cell in mine:
            cell.standing = _standing(cell, today)
    return cells


V = TypeVar("V")


def _naming(held: Iterable[tuple[int, datetime.date, datetime.date | None, V]]) -> dict[int, V]:
    """What names each cadre's row, of (cadre id, started on, ended on, what) per pairing: the pairing in force,
    else the one that started last; the first of equals, in the order given (the pairings' own)."""
    best: dict[int, tuple[tuple[bool, datetime.date], V]] = {}
    for cadre_id, started_on, ended_on, value in held:
        rank = (ended_on is None, started_on)
        found = best.get(cadre_id)
        if found is None or rank > found[0]:
            best[cadre_id] = (rank, value)
    return {cadre_id: value for cadre_id, (_rank, value) in best.items()}


def row_names(months: Sequence[Month], pairings: QuerySet[Pairing], field: str) -> dict[int, Any]:
    """A field of the pairing that names each cadre's row in `judge` (an enterprise's street, its sector), keyed by
    the cadre's id, in one query: for a page that groups the cadres by it without a row of models per pairing."""
    if not months:
        return {}
    window = _window([_Span.of(month) for month in months], pairings)
    return _naming(window.values_list("cadre_id", "started_on", "ended_on", field))


def judge(
    months: Sequence[Month],
    today: datetime.date,
    pairings: QuerySet[Pairing] | None = None,
    *,
    logged_before: datetime.datetime | None = None,
) -> list[CadreRow]:
    """Judge every cadre of the pairings (all by default) in each month, in two queries.

    `months` are consecutive, oldest first. The rows are in the cadres' name order;
    a cadre appears when one of their pairings overlaps the months. With `logged_before`, the
    visits count as they stood at that moment (those logged before it): a past period's report
    then reads the same later, whatever is logged afterwards for its days.
    """
    if not months:
        return []
    spans = [_Span.of(month) for month in months]
    window = _window(spans, pairings)
    counts = _visit_counts(window, spans, logged_before)
    read = list(window.select_related("cadre__unit", "enterprise"))
    cells = _cells(((p.pk, p.cadre_id, p.started_on, p.ended_on) for p in read), counts, spans, today)
    named_by = _naming((p.cadre_id, p.started_on, p.ended_on, p) for p in read)
    rows = [CadreRow(cadre=p.cadre, pairing=p, cells=cells[cadre_id]) for cadre_id, p in named_by.items()]
    return sorted(rows, key=lambda row: (row.cadre.name, row.cadre.pk))


def judge_in_batches(
    months: Sequence[Month], today: datetime.date, pairings: QuerySet[Pairing], *, size: int = 1_000
) -> Iterator[CadreRow]:
    """`judge`'s rows, in the same order, judged `size` cadres at a time: a city's export holds one batch in memory.

    One query for the cadres' ids in name order, then `judge`'s two per batch.
    """
    if not months:
        return
    window = _window([_Span.of(month) for month in months], pairings)
    ids = list(
        Cadre.objects.filter(pk__in=window.order_by().values("cadre_id"))
        .order_by("name", "pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), size):
        yield from judge(months, today, pairings.filter(cadre_id__in=ids[start : start + size]))


def cadre_month(who: "Cadre | PortalUser", today: datetime.date) -> Cell:
    """Judge one cadre's month so far (a cadre, or the user who is one), as the grid's cell for it, in one query.

    As `judge` judges it (`_cells`), the month's visits read from the tally beside each pairing.
    """
    if isinstance(who, Cadre):
        mine = Pairing.objects.filter(cadre=who)
    elif who.is_authenticated:
        mine = Pairing.objects.filter(cadre__user_id=who.pk)
    else:
        return Cell()
    span = _Span.of(Month.of(today))
    tallied = VisitTally.objects.filter(pairing=OuterRef("pk"), month=span.first).values("visits")[:1]
    held = list(
        _window([span], mine)
        .annotate(month_visits=Coalesce(Subquery(tallied), Value(0), output_field=IntegerField()))
        .values_list("pk", "cadre_id", "started_on", "ended_on", "month_visits")
    )
    counts = {pairing_id: [visits] for pairing_id, _cadre, _start, _end, visits in held}
    cells = _cells((row[:4] for row in held), counts, [span], today)
    return next(iter(cells.values()))[0] if cells else Cell()


def _summary(month: Month, cells: Iterable[Cell]) -> MonthSummary:
    judged = compliant = 0
    for cell in cells:
        judged += cell.is_judged
        compliant += cell.is_compliant
    return MonthSummary(month=month, judged=judged, compliant=compliant)


def summarise(rows: Sequence[CadreRow], months: Sequence[Month]) -> list[MonthSummary]:
    """Count, month by month, the cadres judged and those who met the rule."""
    return [_summary(month, (row.cells[i] for row in rows)) for i, month in enumerate(months)]


def month_summaries(
    months: Sequence[Month],
    today: datetime.date,
    pairings: QuerySet[Pairing] | None = None,
    *,
    logged_before: datetime.datetime | None = None,
) -> list[MonthSummary]:
    """Count, month by month, the cadres judged and those who met the rule, in one query.

    As `summarise(judge(...))`, judged in SQL (`Standings`): a page that needs only the numbers builds
    nothing per cadre, so a city's 13,900 cadres cost what a district's 139 do in Python.
    """
    if not months:
        return []
    held = Pairing.objects.all() if pairings is None else pairings
    return totals(Standings(months, today, held, logged_before=logged_before).units(), months)


def cells_by_cadre(
    months: Sequence[Month],
    today: datetime.date,
    pairings: QuerySet[Pairing] | None = None,
    *,
    logged_before: datetime.datetime | None = None,
) -> dict[int, list[Cell]]:
    """Each cadre's cells in the months, as `judge` gives them, keyed by the cadre's id, in two queries.

    For a page that needs the standings of many cadres but not their names or enterprises (the annual
    assessment): no row is built per pairing.
    """
    if not months:
        return {}
    spans = [_Span.of(month) for month in months]
    window = _window(spans, pairings)
    counts = _visit_counts(window, spans, logged_before)
    held = window.values_list("pk", "cadre_id", "started_on", "ended_on")
    return _cells(held, counts, spans, today)


def month_summary(today: datetime.date, pairings: QuerySet[Pairing] | None = None) -> MonthSummary:
    """Count this month's judged cadres and those who met the rule (the oversight card), in one query."""
    return month_summaries([Month.of(today)], today, pairings)[0]


# -- the rule in SQL: a city's grid ------------------------------------------------------------------------------
#
# The grid pages a city's cadres (13,900) in the database: which cadres are short this month, the order
# "below the rule first" and each unit's counts need every cadre's standing, but not a Python object per
# pairing. The same rule as `_cells` above, written as SQL expressions over a pairing's columns: a pairing's
# part of a month is judged once it has begun, it requires ceil(per_month × days covered / days in the month)
# visits, and a cadre's month adds up their parts. tests/visits/test_compliance_sql.py holds the two to the
# same answers. The SQL is put together from the ORM's own compiled queries, the standings' fixed values and
# integers; every value a user chose is a parameter (hence the `nosec B608` marks).


def _day(expression: Any) -> Cast:
    # EXTRACT gives a numeric on PostgreSQL: an integer, so that `/` below divides as integers.
    return Cast(ExtractDay(expression), IntegerField())


def _judged_part(span: _Span, today: datetime.date) -> Q | None:
    """The pairings whose part of the month exists and has begun (None: the month has not begun)."""
    if span.first > today:
        return None
    return Q(started_on__lte=min(span.last, today)) & (Q(ended_on__isnull=True) | Q(ended_on__gte=span.first))


def _whole_month(span: _Span) -> Q:
    """The pairings held for the whole month: nearly all of them, judged without any date arithmetic."""
    return Q(started_on__lte=span.first) & (Q(ended_on__isnull=True) | Q(ended_on__gte=span.last))


def _required_sql(span: _Span, today: datetime.date, per_month: int) -> Any:
    """A pairing's requirement in the month as `_required` works it out; 0 where the part is not judged."""
    judged = _judged_part(span, today)
    if judged is None:
        return Value(0, output_field=IntegerField())
    first, last = Value(span.first, output_field=DateField()), Value(span.last, output_field=DateField())
    covered = _day(Least(last, Coalesce(F("ended_on"), last))) - _day(Greatest(first, F("started_on"))) + 1
    # The part lies inside the month, so its days are the difference of the days of the month. A whole month
    # (begun, so judged) requires `per_month`: the CASE stops there for nearly every pairing of a city.
    return Case(
        When(_whole_month(span), then=Value(per_month)),
        When(judged, then=(per_month * covered + span.days - 1) / span.days),
        default=Value(0),
        output_field=IntegerField(),
    )


def _part_end_sql(span: _Span, today: datetime.date) -> Any:
    judged = _judged_part(span, today)
    last = Value(span.last, output_field=DateField())
    if judged is None:  # typed, or PostgreSQL reads a bare NULL in a CTE as text
        return Cast(Value(None), output_field=DateField())
    return Case(
        When(_whole_month(span), then=last),
        When(judged, then=Least(last, Coalesce(F("ended_on"), last))),
        output_field=DateField(),
    )


# A unit's counts as one plain row: its id, its cadres, this month's cadres of each standing (`Standing.values`'
# order), then each month's judged and met. How a page keeps a province's 1,173 units: a tuple of numbers reads
# back from the cache in a hundredth of the time its `UnitSummary` (a dict and twelve objects) takes.
UnitCounts = tuple[Any, ...]


@dataclass(frozen=True)
class UnitSummary:
    """One unit's cadres as the grid counts them: this month's standings, and each month's judged and met."""

    unit_id: int | None
    cadres: int
    this_month: dict[str, int]
    months: list[MonthSummary]

    @classmethod
    def of(cls, counts: UnitCounts, months: Sequence[Month]) -> "UnitSummary":
        """The summary of a unit's counts (as `counts()` gives them, or as the SQL reads them: NULL for none)."""
        kinds = len(Standing.values)
        return cls(
            unit_id=counts[0],
            cadres=int(counts[1]),
            this_month={value: int(counts[2 + k] or 0) for k, value in enumerate(Standing.values)},
            months=[
                MonthSummary(month, int(counts[2 + kinds + 2 * i] or 0), int(counts[3 + kinds + 2 * i] or 0))
                for i, month in enumerate(months)
            ],
        )

    def counts(self) -> UnitCounts:
        """The summary as one plain row, which `UnitSummary.of` reads back."""
        return (
            self.unit_id,
            self.cadres,
            *(self.this_month[value] for value in Standing.values),
            *(number for month in self.months for number in (month.judged, month.compliant)),
        )

    @property
    def compliant(self) -> int:
        return self.this_month[Standing.COMPLIANT]

    @property
    def short(self) -> int:
        return sum(self.this_month[standing] for standing in SHORT)


class Standings:
    """Every cadre of the pairings judged in the months, in SQL: each unit's counts, and one page of cadres.

    Two queries whatever the number of cadres: `units()` and `cadre_ids(...)`; `rows(ids)` then judges the
    page's cadres in Python (`judge`, two more queries), so the cells shown are the rule's own.
    """

    def __init__(
        self,
        months: Sequence[Month],
        today: datetime.date,
        pairings: QuerySet[Pairing],
        *,
        standings: Iterable[str] | None = None,
        logged_before: datetime.datetime | None = None,
    ) -> None:
        self.months, self.today, self.pairings = list(months), today, pairings
        self.logged_before = logged_before
        # This month's standings kept (None: every cadre), for the units' counts and the pages alike.
        self.standings = None if standings is None else [str(value) for value in standings]
        self._spans = [_Span.of(month) for month in self.months]

    def _sql(self) -> tuple[str, list[Any]]:
        """`WITH … k AS (…)`: a row per cadre kept: unit, each month's r{i}/v{i}, this month's standing, short."""
        spans, today, per_month = self._spans, self.today, settings.CAMPAIGN_VISITS_PER_MONTH
        window = _window(spans, self.pairings)
        held = (
            window.order_by()
            .annotate(
                pid=F("pk"),
                cid=F("cadre_id"),
                uid=F("cadre__unit_id"),
                **{f"e{i}": _part_end_sql(span, today) for i, span in enumerate(spans)},
                **{f"r{i}": _required_sql(span, today, per_month) for i, span in enumerate(spans)},
            )
            .values("pid", "cid", "uid", *(f"e{i}" for i in range(len(spans))), *(f"r{i}" for i in range(len(spans))))
        )
        held_sql, held_params = held.query.sql_with_params()
        counts_sql, counts_params = _visit_count_rows(window, spans, self.logged_before).query.sql_with_params()
        n = len(spans)
        sums = ", ".join(
            f"SUM(p.r{i}) AS r{i}, SUM(CASE WHEN p.r{i} > 0 THEN COALESCE(v.m{i}, 0) ELSE 0 END) AS v{i}, "
            f"MAX(p.e{i}) AS e{i}"
            for i in range(n)
        )
        now = n - 1
        standing = (
            f"CASE WHEN c.r{now} = 0 THEN '{Standing.NONE}' WHEN c.v{now} >= c.r{now} THEN '{Standing.COMPLIANT}' "
            f"WHEN %s <= c.e{now} THEN '{Standing.AT_RISK}' ELSE '{Standing.MISSED}' END"
        )
        short = " + ".join(f"CASE WHEN c.r{i} > 0 AND c.v{i} < c.r{i} THEN 1 ELSE 0 END" for i in range(n))
        columns = ", ".join(f"c.r{i}, c.v{i}, c.e{i}" for i in range(n))
        sql = (
            f"WITH p AS ({held_sql}), v AS ({counts_sql}), "  # nosec B608
            f"c AS (SELECT p.cid AS cadre_id, p.uid AS unit_id, {sums} "
            "FROM p LEFT JOIN v ON v.pairing_id = p.pid GROUP BY p.cid, p.uid), "
            f"s AS (SELECT c.cadre_id, c.unit_id, {standing} AS standing, {short} AS short, {columns} FROM c)"
        )
        params = [*held_params, *counts_params, connection.ops.adapt_datefield_value(today)]
        if self.standings is None:
            return sql + ", k AS (SELECT * FROM s) ", params  # nosec B608
        chosen = self.standings or [""]
        kept = f", k AS (SELECT * FROM s WHERE s.standing IN ({', '.join(['%s'] * len(chosen))})) "  # nosec B608
        return sql + kept, [*params, *chosen]

    def _units_select(self) -> str:
        """SELECT unit_id, cadres, a count per standing this month, then each month's judged and met, per unit."""
        standings = ", ".join(f"SUM(CASE WHEN standing = '{value}' THEN 1 ELSE 0 END)" for value in Standing.values)
        per_month = ", ".join(
            f"SUM({_MONTHS['judged'].format(i=i)}), SUM({_MONTHS['met'].format(i=i)})" for i in range(len(self._spans))
        )
        return f"SELECT unit_id, COUNT(*), {standings}, {per_month} FROM k GROUP BY unit_id"  # nosec B608

    def _ids_select(self, worst_first: bool, offset: int, limit: int | None) -> str:
        """SELECT cadre_id, its place: the cadres kept, in the grid's order, from `offset`, at most `limit`."""
        cadre = connection.ops.quote_name(Cadre._meta.db_table)
        rank = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(_WORST_FIRST))
        order = f"CASE k.standing {rank} END, k.short DESC, " if worst_first else ""
        order += f"{cadre}.name, k.cadre_id"
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return (
            f"SELECT k.cadre_id, ROW_NUMBER() OVER (ORDER BY {order}) AS place "  # nosec B608
            f"FROM k JOIN {cadre} ON {cadre}.id = k.cadre_id ORDER BY {order}{page}"
        )

    def _summaries(self, found: Iterable[Sequence[Any]]) -> list[UnitSummary]:
        return [UnitSummary.of(tuple(row), self.months) for row in found]

    def units(self) -> list[UnitSummary]:
        """Each unit's cadres: how many, this month's standings, each month's judged and met (one query)."""
        with_k, params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"{with_k} {self._units_select()}", params)
            return self._summaries(cursor.fetchall())

    def cadre_ids(self, *, worst_first: bool, offset: int = 0, limit: int | None = None) -> list[int]:
        """The cadres kept, in the grid's order, from `offset`, at most `limit` (one query).

        Worst first: missed this month, then at risk, met, not judged; then the most months below the rule;
        then by name. Otherwise by name.
        """
        with_k, params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"{with_k} {self._ids_select(worst_first, offset, limit)}", params)
            return [row[0] for row in cursor.fetchall()]

    def units_and_page(self, *, worst_first: bool, offset: int, limit: int) -> tuple[list[UnitSummary], list[int]]:
        """`units()` and a page of `cadre_ids(...)` in one query: the cadres are judged in SQL once for both."""
        with_k, params = self._sql()
        width = 2 + len(Standing.values) + 2 * len(self._spans)
        padding = ", ".join(["NULL"] * (width - 2))
        sql = (
            f"{with_k}, u AS ({self._units_select()}), pg AS ({self._ids_select(worst_first, offset, limit)}) "
            f"SELECT 0, u.* FROM u UNION ALL SELECT 1, pg.cadre_id, pg.place, {padding} FROM pg"  # nosec B608
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        units = self._summaries(row[1:] for row in found if row[0] == 0)
        page = sorted((row[2], row[1]) for row in found if row[0] == 1)
        return units, [cadre_id for _place, cadre_id in page]

    def _per_cadre(self, counts: Sequence[str]) -> dict[int, tuple[int, ...]]:
        """Each cadre's months of each kind `counts` names (`_MONTHS`), in one query: a number per kind."""
        with_k, params = self._sql()
        sums = ", ".join(" + ".join(_MONTHS[kind].format(i=i) for i in range(len(self._spans))) for kind in counts)
        today = connection.ops.adapt_datefield_value(self.today)
        judged_on = [today for kind in counts if "%s" in _MONTHS[kind] for _span in self._spans]
        sql = f"{with_k} SELECT cadre_id, {sums} FROM k"  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *judged_on])
            return {row[0]: tuple(int(n) for n in row[1:]) for row in cursor.fetchall()}

    def months_met(self) -> dict[int, tuple[int, int]]:
        """Each cadre's months that met the rule, and the months counted: met, or missed (over and short).

        The annual assessment's compliance, for every cadre in one query.
        """
        return {cadre_id: (met, met + missed) for cadre_id, (met, missed) in self._per_cadre(("met", "missed")).items()}

    def judged_and_met(self) -> dict[int, tuple[int, int]]:
        """Each cadre's months judged and months that met the rule, in one query: the roll-up per cadre's work,
        as `cells_by_cadre` would count it, with no cell built per cadre-month."""
        return {cadre_id: (judged, met) for cadre_id, (judged, met) in self._per_cadre(("judged", "met")).items()}

    def rows(self, cadre_ids: Sequence[int]) -> list[CadreRow]:
        """The cadres' rows as `judge` gives them, in the order of `cadre_ids` (two queries)."""
        found = {
            row.cadre.pk: row for row in judge(self.months, self.today, self.pairings.filter(cadre_id__in=cadre_ids))
        }
        return [found[pk] for pk in cadre_ids if pk in found]

    def plain_rows(self, cadre_ids: Sequence[int]) -> list[PlainRow]:
        """`rows(cadre_ids)` as plain data, for a page that keeps them (two queries)."""
        return [PlainRow.of(row) for row in self.rows(cadre_ids)]


# A month of a kind, for one cadre, as SQL over `k`'s columns: 1 or 0 (`Standings._per_cadre` adds them up per
# cadre, `_units_select` per unit).
_MONTHS = {
    "judged": "CASE WHEN r{i} > 0 THEN 1 ELSE 0 END",
    "met": "CASE WHEN r{i} > 0 AND v{i} >= r{i} THEN 1 ELSE 0 END",
    "missed": "CASE WHEN r{i} > 0 AND v{i} < r{i} AND %s > e{i} THEN 1 ELSE 0 END",  # %s: today
}

# "Below the rule first": missed this month, then at risk, then met, then not judged this month.
_WORST_FIRST = (Standing.MISSED, Standing.AT_RISK, Standing.COMPLIANT, Standing.NONE)


def totals(units: Iterable[UnitSummary], months: Sequence[Month]) -> list[MonthSummary]:
    """The units' month summaries added up: the whole grid's month by month."""
    judged, compliant = [0] * len(months), [0] * len(months)
    for unit in units:
        for i, summary in enumerate(unit.months):
            judged[i] += summary.judged
            compliant[i] += summary.compliant
    return [MonthSummary(month, judged[i], compliant[i]) for i, month in enumerate(months)]
