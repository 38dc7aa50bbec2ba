"""Every cadre's and department's score for a year, with the breakdown behind it, in a fixed number of queries.

`live(year)` counts the year now (assessment/rules.py says how); `snapshot(freeze)` reads a frozen year
back from its `FrozenScore` rows; `for_year(year)` is the one the pages show: the snapshot while a freeze is
in force, else the live count. Each `Score` carries its `Part`s: a measure's raw figures, weight,
attainment and points, and the links to the rows behind them (the problem ledger, the visit list, the
supervision ledger and its items), so a page never works a number out itself.

Whatever the data, `live` runs eleven queries: the weights and rating values (two), every cadre's months
met and counted under the two-visit rule (one, in SQL: visits/compliance.py `Standings.months_met`), the
problem figures grouped by reporter (one) and by department (three), the inspections and the items grouped
by cadre and department (one each), the names (two).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from assessment import rules
from assessment.models import Freeze, FrozenScore, Measure, RatingValue, Subject, Weight
from core.months import month_label
from issues import measures
from issues.models import Issue
from organisation.models import Cadre, Department, Pairing
from supervision.models import Inspection, Rectification
from visits import compliance

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


@dataclass(frozen=True)
class Board:
    """The 红黑榜: the best-ranked and, worst first, the worst-ranked (never the same one twice)."""

    top: list[Score]
    bottom: list[Score]


@dataclass(frozen=True)
class Assessment:
    """A year's scores, ranked, as counted now or as frozen (`freeze` set)."""

    year: int
    as_of: datetime.datetime
    is_over: bool
    weights: Weights
    cadres: list[Score]
    departments: list[Score]
    freeze: Freeze | None = None

    def scores(self, subject: str) -> list[Score]:
        return self.cadres if subject == Subject.CADRE else self.departments

    def find(self, subject: str, unit_id: int) -> Score | None:
        return next((score for score in self.scores(subject) if score.unit_id == unit_id), None)

    def measures(self, subject: str) -> list[str]:
        return self.weights.measures(subject)

    def board(self, subject: str, size: int) -> Board:
        ranked = self.scores(subject)
        top = ranked[:size]
        bottom = ranked[max(size, len(ranked) - size) :]
        return Board(top, bottom[::-1])


def _ranked(scores: list[Score]) -> list[Score]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4), and are listed by name."""
    scores.sort(key=lambda s: (-s.score, s.name, s.unit_id))
    for i, score in enumerate(scores):
        score.rank = scores[i - 1].rank if i and scores[i - 1].score == score.score else i + 1
    return scores


@dataclass(frozen=True)
class _Scale:
    """A subject's measures with their weights, and what its score is out of: worked out once per year's count."""

    weights: list[tuple[str, Decimal]]
    out_of: Decimal

    @classmethod
    def of(cls, weights: Weights, subject: str) -> _Scale:
        return cls([(key, weights.weight(subject, key)) for key in weights.measures(subject)], weights.out_of(subject))


def _score(
    year: int,
    subject: str,
    unit_id: int,
    name: str,
    scale: _Scale,
    figures: dict[str, rules.Figures],
    links: Links,
) -> Score:
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
    total = sum((part.points for part in parts), Decimal(0)).quantize(rules.CENT)
    return Score(year, subject, unit_id, name, total, scale.out_of, 0, parts)


def _issue_figures(found: dict[str, int] | None) -> dict[str, int]:
    return {key: (found or {}).get(key, 0) for key in rules.ISSUE_FIGURES}


def _problem_figures(subject: str, found: dict[str, int] | None) -> dict[str, rules.Figures]:
    mine = _issue_figures(found)
    figures = rules.rates_figures(mine)
    figures[Measure.RETURNS_REOPENED.value] = rules.returns_figures(subject, mine)
    return figures


def _supervision(
    window: measures.Window,
) -> tuple[dict[tuple[str, int], dict[str, int]], dict[tuple[str, int], tuple[int, int]]]:
    """The year's inspections per subject and rating, and its items counted and on time per subject (two queries)."""
    inspections: dict[tuple[str, int], dict[str, int]] = {}
    rows = (
        Inspection.objects.filter(rules.inspections_counted(window))
        .order_by()
        .values("cadre_id", "department_id", "rating")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        for subject, column in ((Subject.CADRE.value, "cadre_id"), (Subject.DEPARTMENT.value, "department_id")):
            if row[column] is not None:
                mine = inspections.setdefault((subject, row[column]), {})
                mine[row["rating"]] = mine.get(row["rating"], 0) + row["n"]
    items: dict[tuple[str, int], tuple[int, int]] = {}
    counted = rules.items_counted(window)
    item_rows = (
        Rectification.objects.filter(counted)
        .order_by()
        .values("cadre_id", "department_id")
        .annotate(counted=Count("pk"), on_time=Count("pk", filter=rules.items_on_time(window)))
    )
    for row in item_rows:
        key = (
            (Subject.CADRE.value, row["cadre_id"])
            if row["cadre_id"]
            else (Subject.DEPARTMENT.value, row["department_id"])
        )
        items[key] = (row["counted"], row["on_time"])
    return inspections, items


def live(year: int, now: datetime.datetime | None = None) -> Assessment:
    """Count the year's scores now (as of its end once it is over), in eleven queries."""
    now = now or timezone.now()
    window = rules.year_window(year, now)
    weights = Weights.in_force()
    # Each cadre's months met and counted, judged in SQL (a city's 13,900 cadres × 12 months, one query).
    months = compliance.Standings(
        window.period.months,
        window.as_of_date,
        Pairing.objects.all(),
        logged_before=rules.logged_before(window),
    ).months_met()
    is_over = window.is_over  # asked once: each call works the year's end out again
    issues = Issue.objects.all()
    by_reporter = measures.grouped(issues, window, by="reporter", keys=rules.ISSUE_FIGURES)
    by_unit = measures.by_unit(issues, window, keys=rules.ISSUE_FIGURES)
    inspections, items = _supervision(window)

    def supervision_figures(subject: str, unit_id: int) -> dict[str, rules.Figures]:
        counted, on_time = items.get((subject, unit_id), (0, 0))
        return {
            Measure.INSPECTIONS.value: rules.inspection_figures(
                inspections.get((subject, unit_id), {}), weights.ratings
            ),
            Measure.RECTIFICATION.value: rules.rectification_figures(counted, on_time),
        }

    cadre_scale, department_scale = _Scale.of(weights, Subject.CADRE), _Scale.of(weights, Subject.DEPARTMENT)
    cadre_ids = set(months) | {pk for pk in by_reporter if pk is not None}
    cadre_ids |= {pk for subject, pk in [*inspections, *items] if subject == Subject.CADRE}
    cadres = []
    for pk, name in Cadre.objects.order_by().values_list("pk", "name"):
        if pk not in cadre_ids:
            continue
        links = Links(year, Subject.CADRE, pk, is_over)
        figures = {
            Measure.COMPLIANCE.value: rules.compliance_figures(*months.get(pk, (0, 0))),
            **_problem_figures(Subject.CADRE, by_reporter.get(pk)),
            **supervision_figures(Subject.CADRE, pk),
        }
        cadres.append(_score(year, Subject.CADRE, pk, name, cadre_scale, figures, links))

    unit_ids = set(by_unit) | {pk for subject, pk in [*inspections, *items] if subject == Subject.DEPARTMENT}
    departments = []
    for pk, name, active in Department.objects.order_by().values_list("pk", "name", "is_active"):
        if not (active or pk in unit_ids):
            continue
        links = Links(year, Subject.DEPARTMENT, pk, is_over)
        figures = {
            **_problem_figures(Subject.DEPARTMENT, by_unit.get(pk)),
            **supervision_figures(Subject.DEPARTMENT, pk),
        }
        departments.append(_score(year, Subject.DEPARTMENT, pk, name, department_scale, figures, links))
    return Assessment(year, window.as_of, is_over, weights, _ranked(cadres), _ranked(departments))


def snapshot(freeze: Freeze) -> Assessment:
    """The year as it was frozen: its scores, ranks, breakdowns and weights (one query)."""
    window = rules.year_window(freeze.year, freeze.frozen_at)
    found: dict[str, list[Score]] = {Subject.CADRE.value: [], Subject.DEPARTMENT.value: []}
    is_over = window.is_over
    for row in FrozenScore.objects.filter(freeze=freeze).order_by("subject", "rank", "name", "unit_id"):
        links = Links(freeze.year, row.subject, row.unit_id, is_over)
        parts = [Part.from_json(kept, links) for kept in row.breakdown]
        score = Score(freeze.year, row.subject, row.unit_id, row.name, row.score, row.out_of, row.rank, parts)
        found.setdefault(row.subject, []).append(score)
    return Assessment(
        freeze.year,
        window.as_of,
        is_over,
        Weights.from_json(freeze.weights),
        found[Subject.CADRE.value],
        found[Subject.DEPARTMENT.value],
        freeze,
    )


def in_force(year: int) -> Freeze | None:
    """The year's freeze in force, with who made it (one query)."""
    return Freeze.objects.in_force().filter(year=year).select_related("frozen_by").first()


def for_year(year: int, now: datetime.datetime | None = None) -> Assessment:
    """The year as the pages show it: frozen while a freeze is in force, else counted now."""
    freeze = in_force(year)
    return snapshot(freeze) if freeze is not None else live(year, now)


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

    subject: str
    unit_id: int
    name: str
    frozen: Score | None
    now: Score | None

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
    before = {score.unit_id: score for score in frozen.scores(subject)}
    after = {score.unit_id: score for score in now.scores(subject)}
    changes = [
        Change(subject, pk, (before.get(pk) or after[pk]).name, before.get(pk), after.get(pk))
        for pk in {*before, *after}
    ]

    def order(change: Change) -> tuple[int, Decimal, int, str]:
        moved = change.difference
        rank = change.frozen.rank if change.frozen else 10**9
        return (0 if moved is None else 1, -abs(moved or Decimal(0)), rank, change.name)

    return sorted(changes, key=order)


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
    """The years from the first with a pairing, a problem or an inspection to this one, latest first (three queries)."""
    today = today or timezone.localdate()
    firsts: Iterable[datetime.date | None] = (
        Pairing.objects.order_by("started_on").values_list("started_on", flat=True).first(),
        _first_day(Issue.objects.order_by("created_at").values_list("created_at", flat=True).first()),
        Inspection.objects.order_by("inspected_on").values_list("inspected_on", flat=True).first(),
    )
    first = min((day.year for day in firsts if day is not None), default=today.year)
    first = max(first, rules.FIRST_YEAR)
    return list(range(today.year, first - 1, -1))


def _first_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


__all__ = [
    "Assessment",
    "Board",
    "Change",
    "Links",
    "Part",
    "Score",
    "Weights",
    "compare",
    "for_year",
    "in_force",
    "live",
    "snapshot",
    "sort_scores",
    "years_with_data",
]
