"""Every cadre's and department's score for a year, with the breakdown behind it, in a fixed number of queries.

`live(year)` counts the year now (assessment/rules.py says how); `snapshot(freeze)` reads a frozen year
back from its `FrozenScore` rows; `for_year(year)` is the one the pages show: the snapshot while a freeze is
in force, else the live count. Each `Score` carries its `Part`s: a measure's raw figures, weight,
attainment and points, and the links to the rows behind them (the problem ledger, the visit list, the
supervision ledger and its items), so a page never works a number out itself.

A year ranks every cadre (a province's 135,000) but a page shows fifty: the ranking is light `Row`s (id,
name, score, rank, points per measure), scored from each unit's numerators and denominators in integer
cents; the full `Score` with its breakdown is built only for the rows a page shows (`Assessment.shown`),
or for all of them where every one is wanted (the exports, a freeze). The two give the same scores and
ranks (tests/assessment/test_ranking.py).

Whatever the data, `live` runs seven queries: the weights, the rating values and the first year with data
(one union), every cadre's months met and counted under the two-visit rule (one, in SQL:
visits/compliance.py `Standings.months_met`), the problem figures grouped by reporter (one) and by
department (three), and the names with the inspections and the items per cadre and department (one
union). A snapshot reads its rows (one query) and the breakdowns of the rows shown (one more).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, TypeVar
from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, Min, Model, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, ExtractYear
from django.urls import reverse
from django.utils import timezone

from assessment import rules
from assessment.models import Freeze, FrozenScore, Measure, RatingValue, Subject, Weight
from core import kept
from core.months import month_label
from issues import measures
from issues.models import Issue
from organisation.models import Cadre, Department, Pairing
from supervision.models import Inspection, Rectification
from visits import compliance

T = TypeVar("T")

# -- weights -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """The points each measure is worth per subject (those in force: applicable, above 0), and the rating values."""

    points: dict[str, dict[str, Decimal]]
    ratings: dict[str, int]

    @classmethod
    def in_force(cls) -> Weights:
        """The office's weights and rating values now (two queries)."""
        points: dict[str, dict[str, Decimal]] = {Subject.CADRE.value: {}, Subject.DEPARTMENT.value: {}}
        for weight in Weight.objects.all():
            points.setdefault(weight.subject, {})[weight.measure] = weight.points
        ratings = dict(RatingValue.objects.values_list("rating", "percent"))
        return cls(points, ratings)

    def measures(self, subject: str) -> list[str]:
        """The measures a subject's score is made of, in the rules' order."""
        mine = self.points.get(subject, {})
        return [key for key in rules.ORDER if subject in rules.RULES[key].subjects and mine.get(key, Decimal(0)) > 0]

    def weight(self, subject: str, key: str) -> Decimal:
        return self.points.get(subject, {}).get(key, Decimal(0))

    def out_of(self, subject: str) -> Decimal:
        return sum((self.weight(subject, key) for key in self.measures(subject)), Decimal(0)).quantize(rules.CENT)

    def as_json(self) -> dict[str, dict[str, Any]]:
        """As a freeze keeps them: {"cadre": {"compliance": "30.0", ...}, "department": {...}, "ratings": {...}}."""
        kept: dict[str, dict[str, Any]] = {
            subject: {key: str(value) for key, value in mine.items()} for subject, mine in self.points.items()
        }
        kept["ratings"] = dict(self.ratings)
        return kept

    @classmethod
    def from_json(cls, kept: dict[str, dict[str, Any]]) -> Weights:
        points = {
            subject: {key: Decimal(value) for key, value in mine.items()}
            for subject, mine in kept.items()
            if subject != "ratings"
        }
        return cls(points, {key: int(value) for key, value in kept.get("ratings", {}).items()})


# -- a score and its parts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One raw figure as the breakdown shows it: its name, its value, the rows behind it."""

    name: str
    label: str
    value: int
    link: str


@dataclass(frozen=True)
class Part:
    """One measure of one score: raw figures, weight, attainment (0–1; None: nothing to judge), points."""

    measure: str
    numerator: int
    denominator: int
    counts: dict[str, int]
    weight: Decimal
    attainment: Decimal | None
    points: Decimal
    full_because_empty: bool
    # The lists behind the figures, worked out when a page shows them (a year has thousands of parts).
    rows: Links | None = field(default=None, repr=False, compare=False)

    @property
    def link(self) -> str:
        """The list of the rows behind the measure."""
        return self.rows.of(self.measure, self.counts)[0] if self.rows else ""

    @property
    def links(self) -> dict[str, str]:
        """Each raw figure's own list of rows, where it has one."""
        return self.rows.of(self.measure, self.counts)[1] if self.rows else {}

    @property
    def label(self) -> str:
        return rules.RULES[self.measure].label

    @property
    def definition(self) -> str:
        return str(rules.RULES[self.measure].definition)

    @property
    def text(self) -> str:
        """The raw figures in a sentence; with nothing to judge, that it earns its full points."""
        if self.full_because_empty:
            return str(rules.EMPTY)
        return rules.said(self.measure, rules.Figures(self.numerator, self.denominator, self.counts))

    @property
    def percent(self) -> Decimal | None:
        """The attainment in per cent, to one place."""
        return None if self.attainment is None else (100 * self.attainment).quantize(Decimal("0.1"))

    @property
    def figures(self) -> list[Figure]:
        links = self.links
        return [
            Figure(name, rules.count_label(name), value, links.get(name, "")) for name, value in self.counts.items()
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "counts": self.counts,
            "weight": str(self.weight),
            "attainment": None if self.attainment is None else str(self.attainment),
            "points": str(self.points),
            "full_because_empty": self.full_because_empty,
        }

    @classmethod
    def from_json(cls, kept: dict[str, Any], links: Links) -> Part:
        counts = {name: int(value) for name, value in kept.get("counts", {}).items()}
        return cls(
            measure=kept["measure"],
            numerator=int(kept["numerator"]),
            denominator=int(kept["denominator"]),
            counts=counts,
            weight=Decimal(kept["weight"]),
            attainment=None if kept.get("attainment") is None else Decimal(kept["attainment"]),
            points=Decimal(kept["points"]),
            full_because_empty=bool(kept.get("full_because_empty")),
            rows=links,
        )


@dataclass
class Score:
    """A cadre's or a department's score for a year, its rank among its kind, and its breakdown."""

    year: int
    subject: str
    unit_id: int
    name: str
    score: Decimal
    out_of: Decimal
    rank: int
    items: list[Part]

    def part(self, key: str) -> Part | None:
        return next((part for part in self.items if part.measure == key), None)

    @property
    def url(self) -> str:
        return reverse(f"assessment:{self.subject}", args=[self.year, self.unit_id])

    @property
    def is_cadre(self) -> bool:
        return self.subject == Subject.CADRE


@dataclass(frozen=True)
class Links:
    """The lists behind a subject's figures in a year (the parameters those lists read)."""

    year: int
    subject: str
    unit_id: int
    is_over: bool

    def _ledger(self, measure: str) -> str:
        who = "cadre" if self.subject == Subject.CADRE else "unit"
        params = {
            "measure": measure,
            "from": month_label((self.year, 1)),
            "to": month_label((self.year, 12)),
            who: str(self.unit_id),
        }
        return f"{reverse('issues:ledger')}?{urlencode(params)}"

    def _supervision(self, name: str, dates: tuple[str, str], **more: str) -> str:
        who = "cadre" if self.subject == Subject.CADRE else "department"
        first, last = datetime.date(self.year, 1, 1).isoformat(), datetime.date(self.year, 12, 31).isoformat()
        params = {who: str(self.unit_id), dates[0]: first, dates[1]: last, **more}
        return f"{reverse(name)}?{urlencode(params)}"

    def _visits(self) -> str:
        params = {
            "cadre": str(self.unit_id),
            "visited_after": datetime.date(self.year, 1, 1).isoformat(),
            "visited_before": datetime.date(self.year, 12, 31).isoformat(),
        }
        if self.is_over:
            params["logged_before"] = datetime.date(self.year + 1, 1, 1).isoformat()
        return f"{reverse('visits:visit_list')}?{urlencode(params)}"

    def of(self, key: str, counts: dict[str, int]) -> tuple[str, dict[str, str]]:
        """The measure's main link, and each of its raw figures' own."""
        if key == Measure.COMPLIANCE:
            return self._visits(), {}
        if key == Measure.INSPECTIONS:
            dates = ("date_from", "date_to")
            main = self._supervision("supervision:ledger", dates)
            each = {
                name: self._supervision("supervision:ledger", dates, rating=name)
                for name in counts
                if name != "inspections"
            }
            return main, {"inspections": main, **each}
        if key == Measure.RECTIFICATION:
            dates = ("deadline_from", "deadline_to")
            main = self._supervision("supervision:items", dates)
            on_time = self._supervision("supervision:items", dates, on_time="yes")
            return main, {"items_counted": main, "items_on_time": on_time}
        each = {name: self._ledger(name) for name in counts}
        main = next((each[name] for name in ("reported", "assigned_to_unit") if name in each), "")
        return main or next(iter(each.values()), ""), each


# -- the year --------------------------------------------------------------------------------------------------


class Row(NamedTuple):
    """A ranked cadre or department, light: what ranking, sorting, paging and the boards need.

    A page builds the full `Score` (its breakdown) only for the rows it shows (`Assessment.shown`): a city
    ranks 13,900 cadres, a province 135,000, and a page shows fifty.
    """

    unit_id: int
    name: str
    score: Decimal
    out_of: Decimal
    rank: int
    # Each of the subject's measures' points, in `Weights.measures` order; None while unread (a snapshot's
    # are read only when a table is sorted on a measure).
    points: tuple[Decimal, ...] | None


@dataclass(frozen=True)
class Board:
    """The 红黑榜: the best-ranked and, worst first, the worst-ranked (never the same one twice)."""

    top: list[Score]
    bottom: list[Score]


class _Source(Protocol):
    """Where a year's breakdowns come from: the live count's figures, or a freeze's rows."""

    def parts(self, wanted: Mapping[str, Collection[int]]) -> dict[tuple[str, int], list[Part]]:
        """The breakdowns of the units wanted, by subject (one query at most)."""

    def points(self, subject: str, keys: Sequence[str]) -> dict[int, tuple[Decimal, ...]]:
        """Every unit's points per measure (`keys`' order), where the rows do not have them yet."""


@dataclass(frozen=True)
class Assessment:
    """A year's scores, ranked, as counted now or as frozen (`freeze` set).

    `rows(subject)` is the ranking, light; `shown(subject, rows)` the full scores of those rows, built when a
    page shows them; `cadres`, `departments` and `scores(subject)` every full score (the exports, a freeze).
    """

    year: int
    as_of: datetime.datetime
    is_over: bool
    weights: Weights
    ranked: dict[str, list[Row]]
    source: _Source = field(compare=False, repr=False)
    freeze: Freeze | None = None
    # What is worked out once and kept: the breakdowns built, the first year with data.
    _kept: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def rows(self, subject: str) -> list[Row]:
        return self.ranked.get(subject, [])

    def with_points(self, subject: str) -> list[Row]:
        """The ranking with every row's points per measure (a snapshot reads them then, in one query)."""
        rows = self.rows(subject)
        if any(row.points is None for row in rows):
            found = self.source.points(subject, self.measures(subject))
            rows = [row._replace(points=found.get(row.unit_id, ())) for row in rows]
            self.ranked[subject] = rows
        return rows

    def prepare(self, wanted: Mapping[str, Iterable[Row]]) -> None:
        """Read the breakdowns of the rows a page will show, for every subject at once (one query at most)."""
        built = self._kept.setdefault("parts", {})
        missing = {
            subject: {row.unit_id for row in rows if (subject, row.unit_id) not in built}
            for subject, rows in wanted.items()
        }
        missing = {subject: ids for subject, ids in missing.items() if ids}
        if missing:
            built.update(self.source.parts(missing))

    def shown(self, subject: str, rows: Iterable[Row]) -> list[Score]:
        """The full scores of these rows, with their breakdowns."""
        rows = list(rows)
        self.prepare({subject: rows})
        built = self._kept["parts"]
        return [
            Score(
                self.year,
                subject,
                row.unit_id,
                row.name,
                row.score,
                row.out_of,
                row.rank,
                built.get((subject, row.unit_id), []),
            )
            for row in rows
        ]

    def scores(self, subject: str) -> list[Score]:
        """Every full score of the subject, in rank order."""
        return self.shown(subject, self.rows(subject))

    @property
    def cadres(self) -> list[Score]:
        return self.scores(Subject.CADRE)

    @property
    def departments(self) -> list[Score]:
        return self.scores(Subject.DEPARTMENT)

    def find(self, subject: str, unit_id: int) -> Score | None:
        row = next((row for row in self.rows(subject) if row.unit_id == unit_id), None)
        return self.shown(subject, [row])[0] if row is not None else None

    def measures(self, subject: str) -> list[str]:
        return self.weights.measures(subject)

    def board_rows(self, subject: str, size: int) -> tuple[list[Row], list[Row]]:
        """The best-ranked `size` and, worst first, the worst-ranked `size` (never the same one twice)."""
        ranked = self.rows(subject)
        return ranked[:size], ranked[max(size, len(ranked) - size) :][::-1]

    def board(self, subject: str, size: int) -> Board:
        top, bottom = self.board_rows(subject, size)
        self.prepare({subject: [*top, *bottom]})
        return Board(self.shown(subject, top), self.shown(subject, bottom))

    def years(self, today: datetime.date | None = None) -> list[int]:
        """The years from the first with a pairing, a problem or an inspection to this one, latest first."""
        if "first_year" not in self._kept:
            self._kept["first_year"] = _first_year(_firsts())
        return _years(self._kept["first_year"], today)


def _ranked(found: list[tuple[int, str, int, tuple[Decimal, ...]]], out_of: Decimal) -> list[Row]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4), and are listed by name (then id).

    `found`: (minus the score in cents, name, id, points) per unit, so that the tuples sort as they stand.
    """
    found.sort()
    rows: list[Row] = []
    scores: dict[int, Decimal] = {}
    last, rank = None, 0
    for i, (minus, name, pk, points) in enumerate(found):
        if minus != last:
            last, rank = minus, i + 1
        score = scores.get(minus)
        if score is None:
            score = scores[minus] = Decimal(-minus).scaleb(-2)  # as the points add up: to the cent
        rows.append(Row(pk, name, score, out_of, rank, points))
    return rows


@dataclass(frozen=True)
class _Scale:
    """A subject's measures with their weights, and what its score is out of: worked out once per year's count."""

    weights: list[tuple[str, Decimal]]
    out_of: Decimal

    @classmethod
    def of(cls, weights: Weights, subject: str) -> _Scale:
        return cls([(key, weights.weight(subject, key)) for key in weights.measures(subject)], weights.out_of(subject))


def _parts(scale: _Scale, figures: dict[str, rules.Figures], links: Links) -> list[Part]:
    parts = []
    for key, weight in scale.weights:
        found = figures[key]
        share, earned = rules.measured(key, found.numerator, found.denominator, weight)
        parts.append(
            Part(
                measure=key,
                numerator=found.numerator,
                denominator=found.denominator,
                counts=found.counts,
                weight=weight,
                attainment=share,
                points=earned,
                full_because_empty=found.is_empty,
                rows=links,
            )
        )
    return parts


def _issue_figures(found: dict[str, int] | None) -> dict[str, int]:
    return {key: (found or {}).get(key, 0) for key in rules.ISSUE_FIGURES}


def _problem_figures(subject: str, found: dict[str, int] | None) -> dict[str, rules.Figures]:
    mine = _issue_figures(found)
    figures = rules.rates_figures(mine)
    figures[Measure.RETURNS_REOPENED.value] = rules.returns_figures(subject, mine)
    return figures


# -- what the live count reads -------------------------------------------------------------------------------------

# A union's rows: (kind, key, text, value), every part of it shaped alike.
_FIRST = "first"


def _first_rows(model: type[Model], column: str) -> QuerySet[Any, dict[str, Any]]:
    """The year (local) of the model's earliest row, read at the end of the column's index."""
    return (
        model._default_manager.order_by()
        .values(row_kind=Value(_FIRST), row_key=Value(model._meta.model_name), row_text=Value(""))
        .annotate(row_value=ExtractYear(Min(column)))
    )


def _firsts() -> list[QuerySet[Any, dict[str, Any]]]:
    return [
        _first_rows(Pairing, "started_on"),
        _first_rows(Issue, "created_at"),
        _first_rows(Inspection, "inspected_on"),
    ]


def _first_year(parts: list[QuerySet[Any, dict[str, Any]]]) -> int | None:
    """The first year with a pairing, a problem or an inspection (one query)."""
    found = parts[0].union(*parts[1:], all=True)
    return min((int(row["row_value"]) for row in found if row["row_value"] is not None), default=None)


def _years(first_year: int | None, today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    first = max(first_year if first_year is not None else today.year, rules.FIRST_YEAR)
    return list(range(today.year, first - 1, -1))


def _settings() -> tuple[Weights, int | None]:
    """The weights and rating values in force, and the first year with data, in one query."""
    weights = (
        Weight.objects.order_by()
        .values(row_kind=Value("weight"), row_key=F("subject"), row_text=F("measure"))
        .annotate(row_value=F("points"))
    )
    ratings = (
        RatingValue.objects.order_by()
        .values(row_kind=Value("rating"), row_key=Value(""), row_text=F("rating"))
        .annotate(row_value=F("percent"))
    )
    points: dict[str, dict[str, Decimal]] = {Subject.CADRE.value: {}, Subject.DEPARTMENT.value: {}}
    values: dict[str, int] = {}
    firsts = []
    for row in weights.union(ratings, *_firsts(), all=True):
        kind, value = row["row_kind"], row["row_value"]
        if kind == "weight":
            points.setdefault(row["row_key"], {})[row["row_text"]] = Decimal(value)
        elif kind == "rating":
            values[row["row_text"]] = int(value)
        elif value is not None:
            firsts.append(int(value))
    return Weights(points, values), min(firsts, default=None)


@dataclass(frozen=True)
class _Subjects:
    """Every cadre's and department's name, and the year's supervision figures per subject."""

    cadres: list[tuple[int, str]]
    departments: list[tuple[int, str, bool]]
    inspections: dict[tuple[str, int], dict[str, int]]
    items: dict[tuple[str, int], tuple[int, int]]


def _subjects(window: measures.Window) -> _Subjects:
    """The names, the year's inspections per subject and rating, and its items counted and on time (one query).

    One union, its parts shaped alike: (kind, cadre, department, text, n, m).
    """
    no_id = Value(None, output_field=IntegerField())
    inspections = (
        Inspection.objects.filter(rules.inspections_counted(window))
        .order_by()
        .values(
            row_kind=Value("inspection"), row_cadre=F("cadre_id"), row_unit=F("department_id"), row_text=F("rating")
        )
        .annotate(row_n=Count("pk"), row_m=Value(0))
    )
    items = (
        Rectification.objects.filter(rules.items_counted(window))
        .order_by()
        .values(row_kind=Value("item"), row_cadre=F("cadre_id"), row_unit=F("department_id"), row_text=Value(""))
        .annotate(row_n=Count("pk"), row_m=Count("pk", filter=rules.items_on_time(window)))
    )
    cadres = (
        Cadre.objects.order_by()
        .values(row_kind=Value("cadre"), row_cadre=F("pk"), row_unit=no_id, row_text=F("name"))
        .annotate(row_n=Value(1), row_m=Value(0))
    )
    departments = (
        Department.objects.order_by()
        .values(row_kind=Value("department"), row_cadre=no_id, row_unit=F("pk"), row_text=F("name"))
        .annotate(row_n=Cast("is_active", IntegerField()), row_m=Value(0))
    )
    found = _Subjects([], [], {}, {})
    for row in inspections.union(items, cadres, departments, all=True):
        kind, cadre, unit = row["row_kind"], row["row_cadre"], row["row_unit"]
        if kind == "cadre":
            found.cadres.append((cadre, row["row_text"]))
        elif kind == "department":
            found.departments.append((unit, row["row_text"], bool(row["row_n"])))
        elif kind == "inspection":
            for subject, pk in ((Subject.CADRE.value, cadre), (Subject.DEPARTMENT.value, unit)):
                if pk is not None:
                    mine = found.inspections.setdefault((subject, pk), {})
                    mine[row["row_text"]] = mine.get(row["row_text"], 0) + row["row_n"]
        else:
            key = (Subject.CADRE.value, cadre) if cadre else (Subject.DEPARTMENT.value, unit)
            found.items[key] = (row["row_n"], row["row_m"])
    return found


@dataclass(frozen=True)
class _Live:
    """The figures a live count read, and what turns a unit's figures into its points and its breakdown."""

    year: int
    is_over: bool
    weights: Weights
    months: dict[int, tuple[int, int]]
    problems: dict[str, dict[Any, dict[str, int]]]
    subjects: _Subjects
    scales: dict[str, _Scale]
    # Where each of a subject's measures is in rules.ORDER.
    positions: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for subject, scale in self.scales.items():
            self.positions[subject] = [rules.ORDER.index(key) for key, _weight in scale.weights]

    def figures(self, subject: str, pk: int) -> dict[str, rules.Figures]:
        """A unit's raw figures, each measure's with its counts (what its breakdown shows)."""
        counted, on_time = self.subjects.items.get((subject, pk), (0, 0))
        found = {
            **_problem_figures(subject, self.problems[subject].get(pk)),
            Measure.INSPECTIONS.value: rules.inspection_figures(
                self.subjects.inspections.get((subject, pk), {}), self.weights.ratings
            ),
            Measure.RECTIFICATION.value: rules.rectification_figures(counted, on_time),
        }
        if subject == Subject.CADRE:
            found[Measure.COMPLIANCE.value] = rules.compliance_figures(*self.months.get(pk, (0, 0)))
        return found

    def ratios(self, subject: str, pk: int) -> tuple[tuple[int, int], ...]:
        """A unit's numerator and denominator per measure, in the scale's order: all its points depend on.

        The same parts as `figures` gives (rules.py's, issues/measures.py's), without the counts.
        """
        issue = self.problems[subject].get(pk) or {}
        rates = measures.Rates.parts(issue)
        counted, on_time = self.subjects.items.get((subject, pk), (0, 0))
        by_rating = self.subjects.inspections.get((subject, pk))
        found = (  # in rules.ORDER
            self.months.get(pk, (0, 0)) if subject == Subject.CADRE else (0, 0),
            rates["response"],
            rates["on_time"],
            rates["satisfaction"],
            rules.returns_parts(subject, issue),
            rules.inspection_parts(by_rating, self.weights.ratings) if by_rating else (0, 0),
            (on_time, counted),
        )
        return tuple([found[i] for i in self.positions[subject]])

    def ranked(self, subject: str, units: Iterable[tuple[int, str]]) -> list[Row]:
        """The units' scores and ranks, from their ratios.

        A measure's points for a numerator and denominator are worked out once (`rules.measured`), and kept in
        cents, so a score is a sum of integers: the same as the sum of its parts' points, to the cent.
        """
        scale = self.scales[subject]
        seen: list[dict[tuple[int, int], tuple[int, Decimal]]] = [{} for _ in scale.weights]
        # Units with the same ratios throughout (many: no problem, nothing inspected) share their points.
        alike: dict[tuple[tuple[int, int], ...], tuple[int, tuple[Decimal, ...]]] = {}
        found = []
        for pk, name in units:
            ratios = self.ratios(subject, pk)
            same = alike.get(ratios)
            if same is None:
                cents, points = 0, []
                for memo, (key, weight), ratio in zip(seen, scale.weights, ratios, strict=True):
                    kept = memo.get(ratio)
                    if kept is None:
                        earned = rules.measured(key, ratio[0], ratio[1], weight)[1]
                        kept = memo[ratio] = (int(earned.scaleb(2)), earned)
                    cents += kept[0]
                    points.append(kept[1])
                same = alike[ratios] = (cents, tuple(points))
            found.append((-same[0], name, pk, same[1]))
        return _ranked(found, scale.out_of)

    def parts(self, wanted: Mapping[str, Collection[int]]) -> dict[tuple[str, int], list[Part]]:
        return {
            (subject, pk): _parts(
                self.scales[subject], self.figures(subject, pk), Links(self.year, subject, pk, self.is_over)
            )
            for subject, ids in wanted.items()
            for pk in ids
        }

    def points(self, subject: str, keys: Sequence[str]) -> dict[int, tuple[Decimal, ...]]:
        return {}  # a live row has its points


def live(year: int, now: datetime.datetime | None = None, *, keep_parts: bool = False) -> Assessment:
    """Count the year's scores now (as of its end once it is over), in seven queries.

    `keep_parts` (`kept_live`, which counts as of now): the visits' part (each cadre's months met) and the problems'
    (the figures by reporter and by department) are kept apart, each until its own family changes (core/kept.py),
    so a move counts the problems again and not the two-visit rule, and a visit the rule and not the problems.
    """
    now = now or timezone.now()
    window = rules.year_window(year, now)
    weights, first_year = _settings()
    read = [datetime.date(year, month, 1) for month in range(1, 13)]

    def part(name: str, family: str, count: Callable[[], T]) -> T:
        if not keep_parts:
            return count()
        return kept.remember(f"assessment.{name}", {family: read}, count, judged_on=judged_on(year), parts=(year,))

    # Each cadre's months met and counted, judged in SQL (a city's 13,900 cadres × 12 months, one query).
    months = part(
        "months",
        "visits",
        lambda: compliance.Standings(
            window.period.months,
            window.as_of_date,
            Pairing.objects.all(),
            logged_before=rules.logged_before(window),
        ).months_met(),
    )
    issues = Issue.objects.all()
    problems = part(
        "problems",
        "problems",
        lambda: {
            Subject.CADRE.value: measures.grouped(issues, window, by="reporter", keys=rules.ISSUE_FIGURES),
            Subject.DEPARTMENT.value: measures.by_unit(issues, window, keys=rules.ISSUE_FIGURES),
        },
    )
    subjects = _subjects(window)
    scales = {subject: _Scale.of(weights, subject) for subject in Subject.values}
    source = _Live(year, window.is_over, weights, months, problems, subjects, scales)

    supervised = [*subjects.inspections, *subjects.items]
    cadre_ids = set(months) | {pk for pk in problems[Subject.CADRE] if pk is not None}
    cadre_ids |= {pk for subject, pk in supervised if subject == Subject.CADRE}
    unit_ids = set(problems[Subject.DEPARTMENT]) | {pk for subject, pk in supervised if subject == Subject.DEPARTMENT}
    cadres = source.ranked(Subject.CADRE, ((pk, name) for pk, name in subjects.cadres if pk in cadre_ids))
    departments = source.ranked(
        Subject.DEPARTMENT,
        ((pk, name) for pk, name, active in subjects.departments if active or pk in unit_ids),
    )
    found = Assessment(
        year,
        window.as_of,
        window.is_over,
        weights,
        {Subject.CADRE.value: cadres, Subject.DEPARTMENT.value: departments},
        source,
    )
    found._kept["first_year"] = first_year
    return found


# Above this many breakdowns wanted, a snapshot reads the subject's all (SQLite allows a few hundred parameters).
_BY_ID = 500


@dataclass(frozen=True)
class _Frozen:
    """A freeze's rows: the breakdowns, read for the units a page shows."""

    freeze: Freeze
    is_over: bool

    def parts(self, wanted: Mapping[str, Collection[int]]) -> dict[tuple[str, int], list[Part]]:
        which = Q()
        for subject, ids in wanted.items():
            # A page's few by id; many (an export's every row) by the subject alone, not a long IN list.
            which |= Q(subject=subject, unit_id__in=list(ids)) if len(ids) <= _BY_ID else Q(subject=subject)
        rows = FrozenScore.objects.filter(which, freeze=self.freeze).values_list("subject", "unit_id", "breakdown")
        return {
            (subject, pk): [
                Part.from_json(kept, Links(self.freeze.year, subject, pk, self.is_over)) for kept in breakdown
            ]
            for subject, pk, breakdown in rows
        }

    def points(self, subject: str, keys: Sequence[str]) -> dict[int, tuple[Decimal, ...]]:
        """Each unit's points per measure, read out of the kept breakdowns in SQL (not every breakdown whole)."""
        paths = {
            f"kept_{i}_{name}": KeyTextTransform(name, KeyTransform(str(i), "breakdown"))
            for i in range(len(keys))
            for name in ("measure", "points")
        }
        rows = (
            FrozenScore.objects.filter(freeze=self.freeze, subject=subject)
            .annotate(**paths)
            .values_list("unit_id", *paths)
        )
        found = {}
        for pk, *pairs in rows:
            kept = {pairs[i]: Decimal(pairs[i + 1]) for i in range(0, len(pairs), 2) if pairs[i] is not None}
            found[pk] = tuple(kept.get(key, Decimal(-1)) for key in keys)
        return found


def snapshot(freeze: Freeze) -> Assessment:
    """The year as it was frozen: its scores, ranks and weights (one query); the breakdowns when shown."""
    window = rules.year_window(freeze.year, freeze.frozen_at)
    ranked: dict[str, list[Row]] = {Subject.CADRE.value: [], Subject.DEPARTMENT.value: []}
    rows = (
        FrozenScore.objects.filter(freeze=freeze)
        .order_by("subject", "rank", "name", "unit_id")
        .values_list("subject", "unit_id", "name", "score", "out_of", "rank")
    )
    for subject, pk, name, score, out_of, rank in rows:
        ranked.setdefault(subject, []).append(Row(pk, name, score, out_of, rank, None))
    return Assessment(
        freeze.year,
        window.as_of,
        window.is_over,
        Weights.from_json(freeze.weights),
        ranked,
        _Frozen(freeze, window.is_over),
        freeze,
    )


def in_force(year: int) -> Freeze | None:
    """The year's freeze in force, with who made it (one query)."""
    return Freeze.objects.in_force().filter(year=year).select_related("frozen_by").first()


def for_year(year: int, now: datetime.datetime | None = None, history: Sequence[Freeze] | None = None) -> Assessment:
    """The year as the pages show it: frozen while a freeze is in force, else counted now (kept: `kept_live`).

    `history`: the year's freezes, if the page has read them already (the one in force is among them). `now`
    given, the year is counted as of then, never kept.
    """
    if history is None:
        freeze = in_force(year)
    else:
        freeze = next((f for f in history if f.year == year and f.unfrozen_at is None), None)
    if freeze is not None:
        return snapshot(freeze)
    return live(year, now) if now is not None else kept_live(year)


# -- the live count, kept (core/kept.py) ----------------------------------------------------------------------


def depends(year: int) -> dict[str, list[datetime.date] | None]:
    """What a year's live scores read, for `kept.remember`: the year's months of the problems, the visits (and
    pairings) and the supervision (inspections, items), the weights and rating values (every month), the names
    of the cadres and departments in the ranking (every month)."""
    months = [datetime.date(year, month, 1) for month in range(1, 13)]
    return {"problems": months, "visits": months, "supervision": months, "assessment": None, "names": None}


def judged_on(year: int, today: datetime.date | None = None) -> datetime.date | None:
    """The day a year's live scores are judged against: today while it runs (overdue, the running month's
    two-visit rule), None once it is over (then as of its end, the same every day)."""
    today = today or timezone.localdate()
    return today if year >= today.year else None


def kept_live(year: int) -> Assessment:
    """`live(year)` now, kept until something it counts changes (core/kept.py; one query when kept).

    What is kept (`_KeptYear`) is the ranking in columns of whole cents and the raw figures the breakdowns are
    built from, not the names of every cadre and department not ranked; the first year with data is read
    again when asked (`years`).
    """
    counted: list[Assessment] = []

    def count() -> _KeptYear:
        counted.append(live(year, keep_parts=True))
        return _KeptYear.of(counted[0])

    found = kept.remember(
        "assessment.live", depends(year), count, judged_on=judged_on(year), parts=(year,)
    ).assessment()
    if counted and "first_year" in counted[0]._kept:  # just counted: the first year came with it (not kept)
        found._kept["first_year"] = counted[0]._kept["first_year"]
    return found


@dataclass(frozen=True)
class _Ranking:
    """A subject's ranking as it is kept: plain columns (ids, names, scores in whole cents, ranks, each row's
    points as an index into the few different ones), which pickle in a few milliseconds where 13,900 rows of
    decimals take a few hundred; `rows` makes the rows again, the same as counted."""

    ids: list[int]
    names: list[str]
    cents: list[int]
    ranks: list[int]
    points: list[int]
    table: list[tuple[Decimal, ...]]
    out_of: Decimal

    @classmethod
    def of(cls, rows: Sequence[Row], out_of: Decimal) -> _Ranking:
        index: dict[tuple[Decimal, ...], int] = {}
        table: list[tuple[Decimal, ...]] = []
        points = []
        for row in rows:
            key = row.points or ()
            i = index.get(key)
            if i is None:
                i = index[key] = len(table)
                table.append(key)
            points.append(i)
        return cls(
            [row.unit_id for row in rows],
            [row.name for row in rows],
            [int(row.score.scaleb(2)) for row in rows],
            [row.rank for row in rows],
            points,
            table,
            out_of,
        )

    def rows(self) -> list[Row]:
        decimals: dict[int, Decimal] = {}

        def score(cents: int) -> Decimal:
            found = decimals.get(cents)
            if found is None:
                found = decimals[cents] = Decimal(cents).scaleb(-2)  # as `_ranked` makes it
            return found

        table, out_of = self.table, self.out_of
        return [
            Row(pk, name, score(cents), out_of, rank, table[i])
            for pk, name, cents, rank, i in zip(self.ids, self.names, self.cents, self.ranks, self.points, strict=True)
        ]


@dataclass(frozen=True)
class _KeptYear:
    """A year's live count as `kept_live` keeps it: plain data only (no model instances, no lazy strings)."""

    year: int
    as_of: datetime.datetime
    is_over: bool
    weights: Weights
    rankings: dict[str, _Ranking]
    months: dict[int, tuple[int, int]]
    problems: dict[str, dict[Any, dict[str, int]]]
    inspections: dict[tuple[str, int], dict[str, int]]
    items: dict[tuple[str, int], tuple[int, int]]

    @classmethod
    def of(cls, assessment: Assessment) -> _KeptYear:
        source = assessment.source
        assert isinstance(source, _Live)
        return cls(
            assessment.year,
            assessment.as_of,
            assessment.is_over,
            assessment.weights,
            {
                subject: _Ranking.of(assessment.rows(subject), source.scales[subject].out_of)
                for subject in Subject.values
            },
            source.months,
            source.problems,
            source.subjects.inspections,
            source.subjects.items,
        )

    def assessment(self) -> Assessment:
        """The year's scores again, as `live` gave them."""
        scales = {subject: _Scale.of(self.weights, subject) for subject in Subject.values}
        subjects = _Subjects([], [], self.inspections, self.items)
        source = _Live(self.year, self.is_over, self.weights, self.months, self.problems, subjects, scales)
        ranked = {subject: ranking.rows() for subject, ranking in self.rankings.items()}
        return Assessment(self.year, self.as_of, self.is_over, self.weights, ranked, source)


def frozen_rows(freeze: Freeze, assessment: Assessment) -> list[FrozenScore]:
    """The rows that keep a year's scores in a freeze."""
    return [
        FrozenScore(
            freeze=freeze,
            subject=score.subject,
            unit_id=score.unit_id,
            name=score.name[:150],
            score=score.score,
            out_of=score.out_of,
            rank=score.rank,
            breakdown=[part.as_json() for part in score.items],
        )
        for score in [*assessment.cadres, *assessment.departments]
    ]


# -- comparing a frozen year with now -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A unit's score frozen and now, and the difference (None where it is only in one of them)."""

    year: int
    subject: str
    unit_id: int
    name: str
    frozen: Row | None
    now: Row | None

    @property
    def url(self) -> str:
        """The unit's breakdown now, if it is assessed now."""
        return reverse(f"assessment:{self.subject}", args=[self.year, self.unit_id]) if self.now else ""

    @property
    def difference(self) -> Decimal | None:
        if self.frozen is None or self.now is None:
            return None
        return self.now.score - self.frozen.score

    @property
    def rank_change(self) -> int | None:
        if self.frozen is None or self.now is None:
            return None
        return self.frozen.rank - self.now.rank

    @property
    def changed(self) -> bool:
        return self.difference != 0 or self.rank_change != 0


def compare(frozen: Assessment, now: Assessment, subject: str) -> list[Change]:
    """Each unit in either, those that changed most first (then by the frozen rank)."""
    before = {row.unit_id: row for row in frozen.rows(subject)}
    after = {row.unit_id: row for row in now.rows(subject)}
    changes = [
        Change(now.year, subject, pk, (before.get(pk) or after[pk]).name, before.get(pk), after.get(pk))
        for pk in {*before, *after}
    ]

    def order(change: Change) -> tuple[int, Decimal, int, str]:
        moved = change.difference
        rank = change.frozen.rank if change.frozen else 10**9
        return (0 if moved is None else 1, -abs(moved or Decimal(0)), rank, change.name)

    return sorted(changes, key=order)


def sort_rows(assessment: Assessment, subject: str, key: str, descending: bool) -> list[Row]:
    """The ranking by a measure's points, the score or the name; the rank order for anything else."""
    if key == "name":
        return sorted(assessment.rows(subject), key=lambda r: (r.name, r.unit_id), reverse=descending)
    if key == "score":
        return sorted(assessment.rows(subject), key=lambda r: r.score, reverse=descending)
    if key in rules.RULES:
        keys = assessment.measures(subject)
        if key not in keys:  # not one of the subject's measures: every row alike, the rank order
            return list(assessment.rows(subject))
        i = keys.index(key)
        # Rows are in rank order and sorting is stable: ties keep the rank order whichever way.
        rows = assessment.with_points(subject)
        return sorted(rows, key=lambda r: r.points[i] if r.points else Decimal(-1), reverse=descending)
    return list(assessment.rows(subject))


def sort_scores(scores: Sequence[Score], key: str, descending: bool) -> list[Score]:
    """The scores by a measure's points, the score or the name; the rank order for anything else."""
    if key == "name":
        return sorted(scores, key=lambda s: (s.name, s.unit_id), reverse=descending)
    if key == "score" or key in rules.RULES:

        def value(score: Score) -> Decimal:
            if key == "score":
                return score.score
            part = score.part(key)
            return part.points if part is not None else Decimal(-1)

        # Ties keep the rank order whichever way.
        ordered = sorted(scores, key=lambda s: s.rank)
        return sorted(ordered, key=value, reverse=descending)
    return list(scores)


def years_with_data(today: datetime.date | None = None) -> list[int]:
    """The years from the first with a pairing, a problem or an inspection to this one, latest first (one query)."""
    return _years(_first_year(_firsts()), today)


__all__ = [
    "Assessment",
    "Board",
    "Change",
    "Links",
    "Part",
    "Row",
    "Score",
    "Weights",
    "compare",
    "depends",
    "for_year",
    "in_force",
    "judged_on",
    "kept_live",
    "live",
    "snapshot",
    "sort_rows",
    "sort_scores",
    "years_with_data",
]
