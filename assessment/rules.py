"""How a year's assessment score is made (年度目标责任考核): the one home of its rules (docs/assessment.md).

A year is the 12 months of `core.periods.Period`, read through `issues.measures.Window`: while it runs,
as of now; once it is over, as of its end, so a finished year gives the same scores however often it is
read (the visits logged, the answers accepted and the inspections recorded by then).

Each cadre and each department is judged on the measures the office has weighted for it (the `Weight`
rows; 0 leaves a measure out). Each measure gives an attainment between 0 and 1 from raw figures; the
measure earns `weight × attainment` points, rounded half up to two places; the score is the sum of the
points, out of the sum of the subject's weights. A measure with nothing to judge (no month judged, no
problem, no inspection, no item due) earns its full points, and the breakdown says so.

The measures (`RULES`):

- compliance (cadres): the months the two-visit rule judged (visits/compliance.py `Standings.months_met`,
  the rule's one home, in SQL) that met it, of the months counted. A month counts once it is over, or while it
  runs if it is already met (a month still short, not over, is not yet counted either way).
- response, on_time, satisfaction: the campaign's rates of issues/measures.py (`Rates.parts`), over the
  problems the cadre reported (grouped by reporter), or a department's own figures (`by_unit`): answered
  of reported; resolved on time of resolved on time, late and overdue; satisfied of rated.
- returns_reopened: 1 − (returned + rated dissatisfied) / the base, never below 0. The base is the
  problems the cadre reported in the year, or those assigned to the department in it.
- inspections: the mean of the inspections' rating values (`RatingValue`, per cent: good 100, fairly good
  85, average 70, poor 40 by default) over the inspections of the cadre (the inspected cadre, or the
  cadre serving an inspected enterprise that day) or of the department (a street's office for a street),
  dated in the year up to the as-of date and recorded by then. A rating without a value counts as 0.
- rectification: the items of the cadre or department with a deadline in the year, counted once the
  deadline has passed by the as-of date or the item was accepted by then; on time when it was accepted
  by then and its accepted answer was given (local date) on or before the deadline.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessment.models import Measure, Subject
from core.months import Month
from core.periods import Period
from issues import measures
from supervision.models import Rating

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The first year the portal assesses (core/dates.py accepts nothing earlier).
FIRST_YEAR = 2000
CENT = Decimal("0.01")


# -- the year ------------------------------------------------------------------------------------------------


def year_period(year: int) -> Period:
    return Period(Month(year, 1), Month(year, 12))


def year_window(year: int, now: datetime.datetime | None = None) -> measures.Window:
    """The year read as of now while it runs, as of its end once it is over."""
    return measures.Window.of(year_period(year), now)


def may_assess(year: int, today: datetime.date | None = None) -> bool:
    """Whether the year can be assessed: from 2000 to this year (a year to come has nothing yet)."""
    return FIRST_YEAR <= year <= (today or timezone.localdate()).year


def logged_before(window: measures.Window) -> datetime.datetime | None:
    """Once the year is over, its end: visits logged later do not count (as on the leading group's pages)."""
    return window.end_at if window.is_over else None


# -- the measures ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A measure: who it judges and how it is defined, as the pages say it."""

    key: str
    subjects: frozenset[str]
    definition: StrPromise

    @property
    def label(self) -> str:
        return str(Measure(self.key).label)


BOTH = frozenset({Subject.CADRE.value, Subject.DEPARTMENT.value})

RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(
            Measure.COMPLIANCE,
            frozenset({Subject.CADRE.value}),
            gettext_lazy(
                "Months of the year in which the cadre met the two-visit rule, of the months counted: a month"
                " counts once it is over, or while it runs once it is met (a part-month's requirement prorated)."
            ),
        ),
        Rule(
            Measure.RESPONSE,
            BOTH,
            gettext_lazy(
                "Problems answered by the year's end, of those reported in the year: the cadre's own reports,"
                " or those with the department at the year's end."
            ),
        ),
        Rule(
            Measure.ON_TIME,
            BOTH,
            gettext_lazy(
                "Problems resolved on time in the year, of those resolved in it plus those overdue at its end"
                " (the cadre's reports, or the department's own replies and desk)."
            ),
        ),
        Rule(
            Measure.SATISFACTION,
            BOTH,
            gettext_lazy("Problems the enterprise rated satisfied in the year, of all those it rated."),
        ),
        Rule(
            Measure.RETURNS_REOPENED,
            BOTH,
            gettext_lazy(
                "One less the share of problems returned as not the unit's remit or rated dissatisfied (and"
                " so reopened) in the year, of those the cadre reported or the department was assigned in it;"
                " never below 0."
            ),
        ),
        Rule(
            Measure.INSPECTIONS,
            BOTH,
            gettext_lazy(
                "The mean value of the ratings of the year's inspections of the cadre (or of the enterprise"
                " the cadre served that day) or of the department, by the rating values in force."
            ),
        ),
        Rule(
            Measure.RECTIFICATION,
            BOTH,
            gettext_lazy(
                "Rectification items due in the year whose accepted answer came by the deadline, of the items"
                " due that had passed their deadline or were accepted by the year's end (now, while it runs)."
            ),
        ),
    )
}
ORDER: tuple[str, ...] = tuple(RULES)
EMPTY = gettext_lazy("nothing to judge: full points")


# -- raw figures -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What a measure counted for one subject: its named counts, and the numerator and denominator they give."""

    numerator: int
    denominator: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Nothing to judge: the measure earns its full points."""
        return self.denominator == 0


# The problem figures (issues/measures.py) the measures read, for cadres and departments alike.
ISSUE_FIGURES = (
    "reported",
    "answered",
    "resolved_on_time",
    "resolved_late",
    "overdue",
    "satisfied",
    "dissatisfied",
    "returned",
    "assigned_to_unit",
)
RATE_MEASURES = (Measure.RESPONSE.value, Measure.ON_TIME.value, Measure.SATISFACTION.value)


def compliance_figures(met: int, counted: int) -> Figures:
    """The months met, of those counted: over, or running and already met (visits/compliance.py counts them)."""
    return Figures(met, counted, {"months_met": met, "months_counted": counted})


def rates_figures(issue_figures: Mapping[str, int]) -> dict[str, Figures]:
    """Every rate measure's figures at once (`Rates.parts` worked out once, not once per rate)."""
    parts = measures.Rates.parts(dict(issue_figures))
    return {
        key: Figures(*parts[key], {name: issue_figures.get(name, 0) for name in measures.RATE_FIGURES[key]})
        for key in RATE_MEASURES
    }


def rate_figures(key: str, issue_figures: Mapping[str, int]) -> Figures:
    """A rate's numerator and denominator, as issues/measures.py's `Rates` divides them."""
    numerator, denominator = measures.Rates.parts(dict(issue_figures))[key]
    return Figures(numerator, denominator, {name: issue_figures.get(name, 0) for name in measures.RATE_FIGURES[key]})


def returns_figures(subject: str, issue_figures: Mapping[str, int]) -> Figures:
    """Returned and rated dissatisfied, over the problems reported (a cadre) or assigned (a department)."""
    base = "reported" if subject == Subject.CADRE else "assigned_to_unit"
    returned, dissatisfied = issue_figures.get("returned", 0), issue_figures.get("dissatisfied", 0)
    counts = {"returned": returned, "dissatisfied": dissatisfied, base: issue_figures.get(base, 0)}
    return Figures(*returns_parts(subject, issue_figures), counts)


def returns_parts(subject: str, issue_figures: Mapping[str, int]) -> tuple[int, int]:
    """`returns_figures`' numerator and denominator alone (the ranking needs no more)."""
    base = "reported" if subject == Subject.CADRE else "assigned_to_unit"
    return issue_figures.get("returned", 0) + issue_figures.get("dissatisfied", 0), issue_figures.get(base, 0)


def inspection_figures(by_rating: Mapping[str, int], values: Mapping[str, int]) -> Figures:
    """The rating values added up, over 100 per inspection: their mean as a fraction."""
    total = sum(by_rating.values())
    counts = {"inspections": total, **{r.value: by_rating[r.value] for r in Rating if by_rating.get(r.value)}}
    return Figures(*inspection_parts(by_rating, values), counts)


def inspection_parts(by_rating: Mapping[str, int], values: Mapping[str, int]) -> tuple[int, int]:
    """`inspection_figures`' numerator and denominator alone: the rating values added up, 100 per inspection."""
    earned = sum(values.get(rating, 0) * n for rating, n in by_rating.items())
    return earned, 100 * sum(by_rating.values())


def rectification_figures(counted: int, on_time: int) -> Figures:
    return Figures(on_time, counted, {"items_on_time": on_time, "items_counted": counted})


# -- points --------------------------------------------------------------------------------------------------------


def attainment(key: str, figures: Figures) -> Fraction | None:
    """The share of the measure met, from 0 to 1; None when there is nothing to judge."""
    if figures.is_empty:
        return None
    share = Fraction(figures.numerator, figures.denominator)
    if key == Measure.RETURNS_REOPENED:
        return max(Fraction(0), 1 - share)
    return min(Fraction(1), share)


def points(weight: Decimal, share: Fraction | None) -> Decimal:
    """The measure's points: its weight times the attainment (all of it with nothing to judge), to the cent."""
    if share is None:
        return weight.quantize(CENT)
    exact = Fraction(weight) * share
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=4096)
def measured(key: str, numerator: int, denominator: int, weight: Decimal) -> tuple[Decimal | None, Decimal]:
    """A measure's attainment (as shown: `as_decimal`, None with nothing to judge) and its points.

    Remembered: a city's 13,900 cadres share a few hundred different figures, and exact fractions are slow.
    """
    share = attainment(key, Figures(numerator, denominator))
    return as_decimal(share), points(weight, share)


def as_decimal(share: Fraction | None) -> Decimal | None:
    """An attainment as stored and shown: four places (a percentage to two)."""
    if share is None:
        return None
    return (Decimal(share.numerator) / Decimal(share.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


# -- which supervision rows count ---------------------------------------------------------------------------


def inspections_counted(window: measures.Window) -> Q:
    """Inspections dated in the year up to the as-of date, and recorded by then."""
    last = min(window.period.end, window.as_of_date)
    return Q(inspected_on__gte=window.period.start, inspected_on__lte=last, created_at__lt=window.as_of)


def items_counted(window: measures.Window) -> Q:
    """Items due in the year whose deadline has passed by the as-of date, or accepted by then."""
    due = Q(deadline__gte=window.period.start, deadline__lte=window.period.end)
    return due & (Q(deadline__lt=window.as_of_date) | Q(accepted_at__lt=window.as_of))


def items_on_time(window: measures.Window) -> Q:
    """Accepted by the as-of moment, with the accepted answer given (local date) on or before the deadline."""
    return Q(accepted_at__lt=window.as_of, answered_at__date__lte=F("deadline"))


# -- what a measure's figures say --------------------------------------------------------------------------------

COUNT_LABELS: dict[str, StrPromise] = {
    "months_met": gettext_lazy("Months met"),
    "months_counted": gettext_lazy("Months counted"),
    "inspections": gettext_lazy("Inspections"),
    "items_on_time": gettext_lazy("Items rectified on time"),
    "items_counted": gettext_lazy("Items counted"),
}


def count_label(name: str) -> str:
    """The name of a raw figure: a problem figure's, a rating's, or this module's own."""
    if name in COUNT_LABELS:
        return str(COUNT_LABELS[name])
    if name in measures.MEASURES:
        return str(measures.MEASURES[name].label)
    if name in Rating.values:
        return str(Rating(name).label)
    return name


def said(key: str, figures: Figures) -> str:
    """The raw figures in a sentence, in the reader's language."""
    c = figures.counts
    if key == Measure.COMPLIANCE:
        counted = c.get("months_counted", 0)
        return ngettext(
            "%(met)d of %(counted)d month met the two-visit rule",
            "%(met)d of %(counted)d months met the two-visit rule",
            counted,
        ) % {"met": c.get("months_met", 0), "counted": counted}
    if key == Measure.RESPONSE:
        reported = c.get("reported", 0)
        return ngettext(
            "%(answered)d of %(reported)d problem answered", "%(answered)d of %(reported)d problems answered", reported
        ) % {"answered": c.get("answered", 0), "reported": reported}
    if key == Measure.ON_TIME:
        return _("%(on_time)d on time of %(all)d (%(late)d late, %(overdue)d overdue)") % {
            "on_time": c.get("resolved_on_time", 0),
            "all": figures.denominator,
            "late": c.get("resolved_late", 0),
            "overdue": c.get("overdue", 0),
        }
    if key == Measure.SATISFACTION:
        return _("%(satisfied)d satisfied of %(rated)d rated") % {
            "satisfied": c.get("satisfied", 0),
            "rated": figures.denominator,
        }
    if key == Measure.RETURNS_REOPENED:
        values = {"returned": c.get("returned", 0), "dissatisfied": c.get("dissatisfied", 0)}
        if "assigned_to_unit" in c:
            return _("%(returned)d returned, %(dissatisfied)d dissatisfied, of %(base)d assigned") % {
                **values,
                "base": c["assigned_to_unit"],
            }
        return _("%(returned)d returned, %(dissatisfied)d dissatisfied, of %(base)d reported") % {
            **values,
            "base": c.get("reported", 0),
        }
    if key == Measure.INSPECTIONS:
        ratings = ", ".join(f"{Rating(r).label} {c[r]}" for r in Rating.values if c.get(r))
        mean = Decimal(figures.numerator) / Decimal(c["inspections"]) if c.get("inspections") else Decimal(0)
        count = c.get("inspections", 0)
        return ngettext(
            "%(count)d inspection (%(ratings)s), mean value %(mean)s%%",
            "%(count)d inspections (%(ratings)s), mean value %(mean)s%%",
            count,
        ) % {
            "count": count,
            "ratings": ratings or "—",
            "mean": mean.quantize(Decimal("0.1"), ROUND_HALF_UP),
        }
    counted = c.get("items_counted", 0)
    return ngettext(
        "%(on_time)d of %(counted)d item rectified on time",
        "%(on_time)d of %(counted)d items rectified on time",
        counted,
    ) % {"on_time": c.get("items_on_time", 0), "counted": counted}
