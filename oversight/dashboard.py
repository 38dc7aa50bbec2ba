"""The leading group's dashboard (/oversight/): a period's figures, each a link to the rows behind it.

Nothing is counted here that is not defined elsewhere: the problem figures are issues/measures.py's
(`counts`, `by_unit`, `grouped`, `Rates`), the service work oversight/scope.py's `visit_figures` (the
two-visit rule through visits/compliance.py). This module picks the figures, puts each beside the URL of
the list of its rows (`Scope.ledger`, `Scope.visit_list`, `Scope.grid`) and its definition, orders the
departments and cadres, and shapes the charts; in a number of queries that does not grow with the data.

The department filter is the figures' `unit` (a department's own figures), as on the ledger, and the
breakdowns by sector, category and cadre take it too. The 12 months' chart counts every department's
problems, under the other filters, and the page says so when a department is chosen.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core import kept
from core.months import Month, last_months, month_label
from core.periods import Period
from core.roles import AuthenticatedRequest, PortalUser, Role, role_required
from enterprises.models import Sector
from issues import measures
from issues.models import IssueCategory, Status
from organisation.models import Department
from oversight import keeping
from oversight.scope import SERVICE_FIGURES, Scope, ScopeForm, VisitFigures, visit_figures

# How many departments and cadres the dashboard lists, the most overdue first; the roll-ups list them all.
TOP = 10
# The trend chart's months, ending with the period's last.
TREND_MONTHS = 12

FLOWS = ("on_the_spot", "assigned", "escalated")
STATUSES = tuple(f"status_{status.value}" for status in Status)
STANDING = ("overdue", "due_soon", "on_track")
# A department's row: its standing and what its on-time rate divides.
RANKED = (*STANDING, "resolved_on_time", "resolved_late")
# Reopened on dissatisfaction is the `dissatisfied` figure: reopening is how the rating is recorded.
MOVES = ("returned", "extension_asked", "extension_granted", "dissatisfied")
RATE_PARTS = {
    "response": ("answered", "reported"),
    "on_time": ("resolved_on_time", "resolved_late", "overdue"),
    "satisfaction": ("satisfied", "dissatisfied"),
}
# Beside a rate, who spoke for the enterprise (issue 15): the enterprise itself, or a cadre on its behalf.
RATE_SPLITS = measures.RATE_SPLITS
KEYS = tuple(
    dict.fromkeys(
        (
            "reported",
            *FLOWS,
            *STATUSES,
            *STANDING,
            *MOVES,
            *sum(RATE_PARTS.values(), ()),
            *sum(RATE_SPLITS.values(), ()),
        )
    )
)

# The service work's figures and the rates, named and defined in their homes.
VISIT_LABELS = {key: SERVICE_FIGURES[key].label for key in ("pairings", "visits", "confirmed", "denied", "compliance")}
VISIT_DEFINITIONS = {key: SERVICE_FIGURES[key].definition for key in VISIT_LABELS}
RATE_LABELS = measures.RATE_LABELS


@dataclass(frozen=True)
class Figure:
    """A number, what it is called, what it means, and the list of the rows it counts."""

    key: str
    label: Any  # a lazy string, said in the reader's language
    value: int
    url: str

    @property
    def definition(self) -> Any:
        return _definition(self.key)


@dataclass(frozen=True)
class Rate:
    """A share in per cent (None: nothing to divide), with the figures it divides, each a link.

    `split`: beside the satisfaction and response rates, how many of their problems the enterprise rated or
    raised itself and how many a cadre recorded or reported on its behalf, each a link too.
    """

    key: str
    label: Any
    value: float | None
    parts: tuple[Figure, ...]
    split: tuple[Figure, ...] = ()

    @property
    def definition(self) -> Any:
        return measures.RATE_DEFINITIONS.get(self.key) or VISIT_DEFINITIONS[self.key]


@dataclass(frozen=True)
class Standing:
    """A department's or a cadre's problems at the period's end: overdue (red), due soon (yellow), on track (green).

    A department's also has what its on-time rate divides: resolved on time and late in the period.
    """

    name: str
    figures: dict[str, Figure]
    on_time_rate: float | None = None

    @property
    def overdue(self) -> Figure:
        return self.figures["overdue"]

    @property
    def due_soon(self) -> Figure:
        return self.figures["due_soon"]

    @property
    def on_track(self) -> Figure:
        return self.figures["on_track"]

    @property
    def open(self) -> int:
        return self.overdue.value + self.due_soon.value + self.on_track.value


@dataclass(frozen=True)
class Series:
    """A chart's dataset: a value per label, and the list behind each."""

    label: Any
    values: list[Any]
    urls: list[str]
    percent: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart's numbers, and per segment the list behind it; its table repeats them as links."""

    key: str
    title: Any
    kind: str  # Chart.js's type: "bar" or "doughnut"
    labels: list[str]
    series: list[Series]
    horizontal: bool = False
    percent: bool = False
    table: list[Series] | None = None  # the table's columns, when they are more than the chart's
    # When the chart shows only some of its rows (the best and worst departments): how many there are, and
    # the list of them all.
    total: int = 0
    every: str = ""

    @property
    def data(self) -> dict[str, Any]:
        """What static/js/dashboard-charts.js draws (json_script)."""
        return {
            "type": self.kind,
            "horizontal": self.horizontal,
            "percent": self.percent,
            "labels": [str(label) for label in self.labels],
            "datasets": [{"label": str(s.label), "data": s.values, "urls": s.urls} for s in self.series],
        }

    @property
    def script_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def columns(self) -> list[Series]:
        return self.table or self.series

    @property
    def rows(self) -> list[tuple[str, list[tuple[Any, str, bool]]]]:
        """The table under the chart: per label, each column's value, its list, and whether it is a per cent."""
        return [
            (label, [(column.values[i], column.urls[i], column.percent) for column in self.columns])
            for i, label in enumerate(self.labels)
        ]


@dataclass(frozen=True)
class Definition:
    """A footnote: a definition and the names of the figures it defines."""

    labels: list[str]
    text: Any


@dataclass(frozen=True)
class Dashboard:
    """Everything the page shows, in its order."""

    scope: Scope
    service: tuple[Figure, Figure]  # pairings in force, visits
    answers: tuple[Figure, Figure]  # of the visits, those the enterprise confirmed, denied
    compliance: Rate
    reported: Figure
    flows: list[Figure]
    statuses: list[Figure]
    rates: list[Rate]
    moves: list[Figure]
    departments: list[Standing]  # the TOP most overdue
    department_count: int
    cadres: list[Standing]  # the TOP most overdue
    cadre_count: int
    charts: list[Chart]
    definitions: list[Definition]
    breakdowns_district_wide: bool  # a department is chosen, which the 12 months' chart does not narrow to

    @property
    def query(self) -> str:
        """The period and filters, for the links to the roll-ups (read back by ScopeForm)."""
        return urlencode(self.scope.params)


def _definition(key: str) -> Any:
    return measures.MEASURES[key].definition if key in measures.MEASURES else VISIT_DEFINITIONS[key]


def _label(key: str) -> Any:
    return _("Reopened (dissatisfied)") if key == "dissatisfied" else measures.MEASURES[key].label


@dataclass(frozen=True)
class Names:
    """The departments' and categories' names, read once for the figures and the form's choices alike."""

    departments: dict[int, str]  # in the form's order (kind, name)
    categories: list[tuple[int, str]]  # in the chart's order (sort order, name)
    category_choices: list[tuple[int, str]]  # in the form's order (sort order, id)

    @classmethod
    def read(cls) -> Names:
        """Two queries (a province's 1,173 departments included)."""
        departments = dict(Department.objects.values_list("pk", "name"))
        found = list(IssueCategory.objects.values_list("pk", "name", "sort_order"))
        choices = [(pk, name) for pk, name, _order in found]  # the form's order: its model's
        found.sort(key=lambda row: (row[2], row[1]))
        return cls(departments, [(pk, name) for pk, name, _order in found], choices)

    def fill(self, form: ScopeForm) -> None:
        """Give the form these names as its department and category choices, instead of its own queries."""
        form.offer(departments=self.departments.items(), categories=self.category_choices)


@dataclass(frozen=True)
class Counted:
    """What the dashboard counts, as plain data (core/kept.py keeps it): the figures and links are built from it.

    The problem figures as `measures.read` gave them (each department's by its id, each cadre's with the name
    read beside it, the sectors' and categories' by value and id) and `visit_figures`' result.
    """

    figures: dict[str, int]
    table: dict[Any, dict[str, int]]  # per department id: RANKED
    cadres: list[tuple[Any, str, dict[str, int]]]  # the TOP cadres waiting (id, name, STANDING), most overdue first
    cadre_count: int  # how many cadres have a problem at the period's end
    by_sector: dict[Any, dict[str, Any]]
    by_category: dict[Any, dict[str, Any]]
    reported: list[int]  # per month of the trend


def count(user: PortalUser, scope: Scope, now: datetime.datetime) -> Counted:
    """Count the dashboard's figures, the trend's every month included (nothing kept): one statement."""
    months = [month.first for month in _trend_months(scope)]
    found, reported = _count(user, scope, now, months)
    return dataclasses.replace(found, reported=[reported[month] for month in months])


def _count(
    user: PortalUser, scope: Scope, now: datetime.datetime, trend: list[datetime.date]
) -> tuple[Counted, dict[datetime.date, int]]:
    """The period's figures, and the problems reported in each month of `trend` (first days: those not kept), in
    one statement. The figures' `reported` (the trend) is left empty: `counted` fills it."""
    window = scope.window(now)
    issues = scope.filters.issues(user)
    unit = scope.filters.unit
    asks = [
        measures.counting(issues, window, KEYS, unit=unit),
        measures.units(issues, window, RANKED),
        measures.grouping(
            issues, window, "reporter", STANDING, unit=unit, also=("reporter__name",), types={"reporter__name": str}
        ),
        measures.grouping(
            issues, window, "enterprise__sector", ["reported"], unit=unit, types={"enterprise__sector": str}
        ),
        measures.grouping(issues, window, "category", ["reported"], unit=unit),
    ]
    if trend:
        asks.append(measures.reported_by_month(issues, [Month.of(month) for month in trend]))
    figures, table, by_cadre, by_sector, by_category, *reported = measures.read(*asks)
    cadres, cadre_count = _waiting_cadres(by_cadre)
    found = Counted(
        figures=dict(figures),
        table={pk: dict(found) for pk, found in table.items()},
        cadres=cadres,
        cadre_count=cadre_count,
        by_sector={value: dict(found) for value, found in by_sector.items()},
        by_category={pk: dict(found) for pk, found in by_category.items()},
        reported=[],
    )
    return found, dict(zip(trend, reported[0] if reported else [], strict=True))


def _trend_months(scope: Scope) -> list[Month]:
    return last_months(scope.period.last.first, TREND_MONTHS)


def counted(user: PortalUser, scope: Scope, now: datetime.datetime | None = None) -> Counted:
    """The dashboard's problem figures for the user's sight of the scope, kept until something they count changes.

    They read the period's months of the problems, the cadres' names (kept with their figures) and the calendar
    (due soon); judged on today while the period runs. The trend keeps each month's problems reported under that
    month's versions (`kept.by_month`): a move counts the period again and the running month of the trend, not
    the eleven before it. The service work is kept on its own (`visit_figures`): a move counts the problems again,
    not the visits, and a visit the visits, not the problems. A read that misses both the figures and months of
    the trend counts them in one statement.
    """
    now = now or timezone.now()
    trend = _kept_trend("oversight.dashboard.reported", "problems", user, scope, now)
    fresh: dict[datetime.date, int] = {}

    def count_now() -> Counted:
        found, reported = _count(user, scope, now, trend.missing)
        fresh.update(reported)
        return found

    found = kept.remember(
        "oversight.dashboard",
        keeping.depends(scope, names=True, calendar=True, visits=False),
        count_now,
        judged_on=keeping.judged_on(scope, now),
        parts=keeping.parts(user, scope),
    )
    if trend.missing and not fresh:  # the figures were kept, a month of the trend was not
        months = [Month.of(month) for month in trend.missing]
        (reported,) = measures.read(measures.reported_by_month(scope.filters.issues(user), months))
        fresh.update(zip(trend.missing, reported, strict=True))
    trend.keep(fresh)
    return dataclasses.replace(found, reported=trend.values())


def _kept_trend(name: str, family: str, user: PortalUser, scope: Scope, now: datetime.datetime) -> kept.Monthly:
    """What is kept of the trend's months of a family for the viewer and the filters the trend reads.

    Apart, month by month, for those who see everything: a month's problems reported (visits made) change only
    with a write that touches that month. A narrower sight can widen with a move of any month, so its months are
    kept together, under the versions of all of them.
    """
    months = _trend_months(scope)
    filters = scope.filters
    return kept.by_month(
        name,
        family,
        [month.first for month in months],
        parts=(
            keeping.sight(user),
            filters.origin,
            filters.sector,
            filters.street,
            filters.category.pk if filters.category else None,
            filters.department.pk if filters.department and family == "visits" else None,
        ),
        apart=keeping.sight(user) == keeping.ALL,
        over=lambda month: Period.month(Month.of(month)).is_over(now),
    )


def service_figures(user: PortalUser, scope: Scope, now: datetime.datetime) -> VisitFigures:
    """The dashboard's service work, with the visits of each month of its trend (kept on the visits alone)."""
    months = _trend_months(scope)
    return visit_figures(
        user, scope, now, months, trend=_kept_trend("oversight.dashboard.visits", "visits", user, scope, now)
    )


def dashboard(
    user: PortalUser, scope: Scope, now: datetime.datetime | None = None, names: Names | None = None
) -> Dashboard:
    """Assemble the dashboard for the user's view of the scope, in a fixed number of queries.

    Every problem figure (the period's counts, the 12 months, each department's and cadre's standing, the
    breakdowns by sector and category) is read in one statement (`measures.read`, kept: `counted`), the service
    work in `visit_figures`' own (kept on its own), so a page read again while nothing it counts changed costs one
    query for them (the versions, read once a request). The names of the departments and categories are read
    live, in two queries (shared with the form when the view gives them).
    """
    now = now or timezone.now()
    names = names or Names.read()
    found = counted(user, scope, now)
    figures = found.figures
    months = _trend_months(scope)

    def figure(key: str) -> Figure:
        return Figure(key, _label(key), figures[key], scope.ledger(key))

    rates = measures.Rates.of(figures)
    departments = _departments(found.table, names)
    overdue_departments = _most_overdue(departments)
    cadres, cadre_count = _cadres(found.cadres, scope), found.cadre_count
    service = service_figures(user, scope, now)
    return Dashboard(
        scope=scope,
        **_service(service, scope),
        reported=figure("reported"),
        flows=[figure(key) for key in FLOWS],
        statuses=[figure(key) for key in STATUSES],
        rates=[
            Rate(
                key,
                RATE_LABELS[key],
                getattr(rates, key),
                tuple(figure(part) for part in parts),
                tuple(figure(part) for part in RATE_SPLITS.get(key, ())),
            )
            for key, parts in RATE_PARTS.items()
        ],
        moves=[figure(key) for key in MOVES],
        departments=[unit.standing(scope) for unit in overdue_departments[:TOP]],
        department_count=len(overdue_departments),
        cadres=cadres,
        cadre_count=cadre_count,
        charts=[
            _trend(found.reported, scope, months, service.by_month),
            _flow_chart([figure(key) for key in FLOWS]),
            *_breakdowns(found.by_sector, found.by_category, names, scope),
            _on_time_chart(departments, scope),
        ],
        definitions=_definitions(),
        breakdowns_district_wide=scope.filters.department is not None,
    )


def _district(scope: Scope) -> Scope:
    """The scope without its department: what the breakdowns count and link to."""
    return dataclasses.replace(scope, filters=dataclasses.replace(scope.filters, department=None))


def _service(found: VisitFigures, scope: Scope) -> dict[str, Any]:
    grid = scope.grid()
    return {
        "service": (
            Figure("pairings", VISIT_LABELS["pairings"], found.pairings, grid),
            Figure("visits", VISIT_LABELS["visits"], found.visits, scope.visit_list()),
        ),
        # The visit list's `confirmation` filter lists them (visits/filters.py).
        "answers": (
            Figure("confirmed", VISIT_LABELS["confirmed"], found.confirmed, scope.visit_list(confirmation="confirmed")),
            Figure("denied", VISIT_LABELS["denied"], found.denied, scope.visit_list(confirmation="denied")),
        ),
        "compliance": Rate(
            "compliance",
            VISIT_LABELS["compliance"],
            found.compliance_rate,
            (
                Figure("compliance", _("Cadre-months meeting the rule"), found.compliant, grid),
                Figure("compliance", _("Cadre-months judged"), found.judged, grid),
            ),
        ),
    }


def _standing(name: str, found: dict[str, int], link: Callable[[str], str]) -> Standing:
    figures = {key: Figure(key, measures.MEASURES[key].label, value, link(key)) for key, value in found.items()}
    return Standing(name, figures, on_time_rate=measures.Rates.of(found).on_time)


@dataclass(frozen=True)
class Unit:
    """A department's counts (`measures.units` over RANKED) before its links are made: only the rows shown get
    them (a city's departments are some hundreds, each figure a link to the ledger)."""

    pk: int
    name: str
    found: dict[str, int]

    @property
    def overdue(self) -> int:
        return self.found["overdue"]

    @property
    def due_soon(self) -> int:
        return self.found["due_soon"]

    @property
    def open(self) -> int:
        return sum(self.found[key] for key in STANDING)

    @functools.cached_property
    def on_time_rate(self) -> float | None:
        return measures.Rates.of(self.found).on_time

    def standing(self, scope: Scope) -> Standing:
        return _standing(self.name, self.found, functools.partial(_unit_ledger, scope, self.pk))


def _most_overdue(rows: list[Unit]) -> list[Unit]:
    """Those with a problem at the period's end, the most overdue first (then due soon, then open)."""
    return sorted(
        (row for row in rows if row.open),
        key=lambda row: (-row.overdue, -row.due_soon, -row.open, row.name),
    )


def _unit_ledger(scope: Scope, unit: int, key: str) -> str:
    return scope.ledger(key, unit=unit)


def _cadre_ledger(scope: Scope, cadre: int, key: str) -> str:
    return scope.ledger(key, cadre=str(cadre))


def _departments(table: dict[Any, dict[str, int]], names: Names) -> list[Unit]:
    """Every department's red, yellow and green and what its on-time rate divides, named (their links unmade)."""
    return [Unit(pk, names.departments[pk], found) for pk, found in table.items() if pk in names.departments]


def _waiting_cadres(table: dict[Any, dict[str, Any]]) -> tuple[list[tuple[Any, str, dict[str, int]]], int]:
    """The TOP reporting cadres with a problem at the period's end, most overdue first (each id, name and counts),
    and how many have one: what is kept of the cadres (a city has 13,900 of them; the page shows TOP).

    From `measures.grouping` by reporter, the cadre's name read with the figures.
    """
    names = {pk: found["reporter__name"] for pk, found in table.items()}
    counts = {pk: {key: found[key] for key in STANDING} for pk, found in table.items()}
    waiting = [(pk, found) for pk, found in counts.items() if any(found[key] for key in STANDING)]
    # The order _most_overdue gives, on the counts themselves.
    waiting.sort(
        key=lambda item: (
            -item[1]["overdue"],
            -item[1]["due_soon"],
            -sum(item[1][key] for key in STANDING),
            names[item[0]],
        )
    )
    return [(pk, names[pk], found) for pk, found in waiting[:TOP]], len(waiting)


def _cadres(top: list[tuple[Any, str, dict[str, int]]], scope: Scope) -> list[Standing]:
    """The kept TOP cadres with their links to the ledger."""
    return [_standing(name, found, functools.partial(_cadre_ledger, scope, pk)) for pk, name, found in top]


def _trend(reported: list[int], scope: Scope, months: list[Month], visits: tuple[int, ...]) -> Chart:
    """Visits (counted with the period's, `visit_figures`) and problems reported per month, the 12 months ending
    with the period's (`measures.reported_by_month`, on the months' range of `issue_ledger_order`)."""

    def within(month: Month, scope: Scope) -> Scope:
        return dataclasses.replace(scope, period=Period.month(month))

    district = _district(scope)
    return Chart(
        "trend",
        _("Visits and problems reported, by month"),
        "bar",
        [month_label(m) for m in months],
        [
            Series(
                VISIT_LABELS["visits"],
                list(visits),
                [within(m, scope).visit_list() for m in months],
            ),
            Series(
                measures.MEASURES["reported"].label,
                reported,
                [within(m, district).ledger("reported") for m in months],
            ),
        ],
    )


def _flow_chart(flows: list[Figure]) -> Chart:
    return Chart(
        "flows",
        _("Problems by flow"),
        "doughnut",
        [str(f.label) for f in flows],
        [Series(_("Problems"), [f.value for f in flows], [f.url for f in flows])],
    )


def _breakdowns(
    by_sector: dict[Any, dict[str, Any]], by_category: dict[Any, dict[str, Any]], names: Names, scope: Scope
) -> list[Chart]:
    """Problems reported in the period by the enterprise's sector and by category (`measures.grouping`)."""
    sectors = [(value, label) for value, label in Sector.choices if by_sector.get(value, {}).get("reported")]
    categories = [(pk, name) for pk, name in names.categories if by_category.get(pk, {}).get("reported")]
    return [
        Chart(
            "sectors",
            _("Problems reported, by sector"),
            "bar",
            [str(label) for _value, label in sectors],
            [
                Series(
                    measures.MEASURES["reported"].label,
                    [by_sector[value]["reported"] for value, _label in sectors],
                    [scope.ledger("reported", sector=value) for value, _label in sectors],
                )
            ],
        ),
        Chart(
            "categories",
            _("Problems reported, by category"),
            "bar",
            [name for _pk, name in categories],
            [
                Series(
                    measures.MEASURES["reported"].label,
                    [by_category[pk]["reported"] for pk, _name in categories],
                    [scope.ledger("reported", category=str(pk)) for pk, _name in categories],
                )
            ],
        ),
    ]


def _on_time_chart(units: list[Unit], scope: Scope) -> Chart:
    """Departments ranked by their on-time resolution rate, the best first (those with nothing to divide left out).

    Past 2 × TOP departments only the TOP best and the TOP worst are shown, with a link to the department
    table that lists them all: the page stays the same size at a province's 1,173 departments.
    """
    ranked = sorted(
        (unit for unit in units if unit.on_time_rate is not None),
        key=lambda unit: (-(unit.on_time_rate or 0), unit.name),
    )
    total = len(ranked)
    if total > 2 * TOP:
        ranked = [*ranked[:TOP], *ranked[-TOP:]]
    rated = [unit.standing(scope) for unit in ranked]
    rates = Series(
        RATE_LABELS["on_time"],
        [row.on_time_rate for row in rated],
        [row.figures["resolved_on_time"].url for row in rated],
        percent=True,
    )
    # The table also names what the rate divides, each a link: on time, of on time, late and overdue.
    parts = [
        Series(
            measures.MEASURES[key].label,
            [row.figures[key].value for row in rated],
            [row.figures[key].url for row in rated],
        )
        for key in RATE_PARTS["on_time"]
    ]
    return Chart(
        "on-time",
        _("Departments by on-time resolution rate (%)"),
        "bar",
        [row.name for row in rated],
        [rates],
        horizontal=True,
        percent=True,
        table=[rates, *parts],
        total=total,
        every=f"{reverse('oversight:departments')}?{urlencode(scope.params)}" if total > len(rated) else "",
    )


def _definitions() -> list[Definition]:
    """Each figure's definition once, with the names of the figures it defines (the page's footnotes)."""
    found: dict[str, Definition] = {}
    entries = [
        *((VISIT_LABELS[key], VISIT_DEFINITIONS[key]) for key in VISIT_LABELS),
        *((_label(key), measures.MEASURES[key].definition) for key in KEYS),
        *((RATE_LABELS[key], text) for key, text in measures.RATE_DEFINITIONS.items()),
    ]
    for label, text in entries:
        found.setdefault(str(text), Definition([], text)).labels.append(str(label))
    return list(found.values())


def _figures(request: AuthenticatedRequest, scope: Scope, names: Names) -> str:
    """The page's figures, rendered from the kept counts (`counted`) in the reader's language."""
    return render_to_string(
        "oversight/_dashboard_figures.html",
        {"dashboard": dashboard(request.user, scope, names=names)},
        request=request,
    )


@login_required
@role_required(Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)
@require_GET
def view(request: AuthenticatedRequest) -> HttpResponse:
    """The leading group's dashboard for the period and filters asked (this month, all, by default)."""
    # Unasked, the form shows the period it defaults to (this month), so its months are never blank.
    this_month = month_label(Month.of(timezone.localdate()))
    form = ScopeForm(request.GET or None, initial={"start": this_month, "end": this_month})
    names = Names.read()
    names.fill(form)
    scope = form.scope()
    # The monthly report of the period's last month once it is over, else of the month before this one.
    last = scope.period.last
    report_month = last if last < Month.of(timezone.localdate()) else last_months(timezone.localdate(), 2)[0]
    return render(
        request,
        "oversight/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "query": urlencode(scope.params),
            "figures": mark_safe(_figures(request, scope, names)),  # nosec B308 B703 # our own template, rendered
            "period_unread": bool(form.errors),
            "report_month": month_label(report_month),
        },
    )
