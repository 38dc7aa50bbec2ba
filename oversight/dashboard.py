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
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.months import Month, last_months, month_label
from core.periods import Period
from core.roles import AuthenticatedRequest, PortalUser, Role, role_required, sees_everything
from enterprises.models import Sector
from issues import measures
from issues.models import Issue, IssueCategory, IssueEvent, Status
from organisation.models import Department, Pairing
from oversight.scope import SERVICE_FIGURES, Scope, ScopeForm, VisitFigures, visit_figures
from visits.models import Visit

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


def dashboard(user: PortalUser, scope: Scope, now: datetime.datetime | None = None) -> Dashboard:
    """Assemble the dashboard for the user's view of the scope, in a fixed number of queries."""
    now = now or timezone.now()
    window = scope.window(now)
    issues = scope.filters.issues(user)
    figures = measures.counts(issues, window, KEYS, unit=scope.filters.unit)

    def figure(key: str) -> Figure:
        return Figure(key, _label(key), figures[key], scope.ledger(key))

    rates = measures.Rates.of(figures)
    departments = _departments(issues, window, scope)
    overdue_departments = _most_overdue(departments)
    cadres, cadre_count = _cadres(issues, window, scope)
    months = last_months(scope.period.last.first, TREND_MONTHS)
    service = visit_figures(user, scope, now, months=months)
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
        departments=overdue_departments[:TOP],
        department_count=len(overdue_departments),
        cadres=cadres,
        cadre_count=cadre_count,
        charts=[
            _trend(issues, scope, months, service.by_month),
            _flow_chart([figure(key) for key in FLOWS]),
            *_breakdowns(issues, window, scope),
            _on_time_chart(departments),
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


def _most_overdue(rows: list[Standing]) -> list[Standing]:
    """Those with a problem at the period's end, the most overdue first (then due soon, then open)."""
    return sorted(
        (row for row in rows if row.open),
        key=lambda row: (-row.overdue.value, -row.due_soon.value, -row.open, row.name),
    )


def _unit_ledger(scope: Scope, unit: int, key: str) -> str:
    return scope.ledger(key, unit=unit)


def _cadre_ledger(scope: Scope, cadre: int, key: str) -> str:
    return scope.ledger(key, cadre=str(cadre))


def _departments(issues: QuerySet[Issue], window: measures.Window, scope: Scope) -> list[Standing]:
    """Every department's red, yellow and green and its on-time rate: three queries whatever the data."""
    table = measures.by_unit(issues, window, RANKED)
    # Every department's name (a city's hundred or so): one query, whichever have figures.
    names = dict(Department.objects.values_list("pk", "name"))
    return [
        _standing(names[pk], found, functools.partial(_unit_ledger, scope, pk))
        for pk, found in table.items()
        if pk in names
    ]


def _cadres(issues: QuerySet[Issue], window: measures.Window, scope: Scope) -> tuple[list[Standing], int]:
    """The TOP reporting cadres with a problem at the period's end, most overdue first, and how many have one.

    One query whatever the data, the cadre's name read with the figures; only the rows shown get their links
    (a city has 13,900 cadres).
    """
    table = measures.grouped(issues, window, "reporter", STANDING, unit=scope.filters.unit, also=("reporter__name",))
    names = {pk: found.pop("reporter__name") for pk, found in table.items()}
    waiting = [(pk, found) for pk, found in table.items() if any(found[key] for key in STANDING)]
    # The order _most_overdue gives, on the counts themselves.
    waiting.sort(
        key=lambda item: (
            -item[1]["overdue"],
            -item[1]["due_soon"],
            -sum(item[1][key] for key in STANDING),
            names[item[0]],
        )
    )
    shown = [_standing(names[pk], found, functools.partial(_cadre_ledger, scope, pk)) for pk, found in waiting[:TOP]]
    return shown, len(waiting)


def _trend(issues: QuerySet[Issue], scope: Scope, months: list[Month], visits: tuple[int, ...]) -> Chart:
    """Visits (counted with the period's, `visit_figures`) and problems reported per month, the 12 months ending
    with the period's: one query for the problems, on the months' range of `issue_ledger_order`."""
    span = measures.Window.of(Period(months[0], months[-1]))
    reported = issues.filter(span.in_period()).aggregate(
        **{f"m{i}": Count("pk", filter=measures.Window.of(Period.month(m)).in_period()) for i, m in enumerate(months)}
    )

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
                [reported[f"m{i}"] for i in range(len(months))],
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


def _breakdowns(issues: QuerySet[Issue], window: measures.Window, scope: Scope) -> list[Chart]:
    """Problems reported in the period by the enterprise's sector and by category: one query each (and the names)."""
    by_sector = measures.grouped(issues, window, "enterprise__sector", ["reported"], unit=scope.filters.unit)
    sectors = [(value, label) for value, label in Sector.choices if by_sector.get(value, {}).get("reported")]
    by_category = measures.grouped(issues, window, "category", ["reported"], unit=scope.filters.unit)
    categories = [
        (pk, name)
        for pk, name in IssueCategory.objects.order_by("sort_order", "name").values_list("pk", "name")
        if by_category.get(pk, {}).get("reported")
    ]
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


def _on_time_chart(departments: list[Standing]) -> Chart:
    """Departments ranked by their on-time resolution rate, the best first (those with nothing to divide left out)."""
    rated = sorted(
        (row for row in departments if row.on_time_rate is not None),
        key=lambda row: (-(row.on_time_rate or 0), row.name),
    )
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


def _version() -> str:
    """What the figures were counted from, in one query: a move, a visit or a pairing made since changes it.

    Every move of a problem writes a timeline event and saves the problem (`updated_at`); a visit or a
    pairing logged adds a row; a pairing ended leaves the active ones fewer. Each is read on an index.
    """
    parts = [
        _latest(IssueEvent._meta.db_table, "id"),
        _latest(Issue._meta.db_table, "updated_at"),
        _latest(Visit._meta.db_table, "id"),
        _latest(Pairing._meta.db_table, "id"),
        f"(SELECT COUNT(*) FROM {Pairing._meta.db_table} WHERE ended_on IS NULL)",  # nosec B608 # a model's table
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))  # nosec B608 # the models' own tables
        return ":".join(str(value) for value in cursor.fetchone())


def _latest(table: str, column: str) -> str:
    """The column's greatest value in the table, as a scalar subquery (read at the end of its index)."""
    return f"(SELECT MAX({column}) FROM {table})"  # nosec B608 # a model's own table and column


def _figures(request: AuthenticatedRequest, scope: Scope) -> str:
    """The page's figures, rendered; kept for OVERSIGHT_CACHE_SECONDS when the setting allows (docs/oversight.md).

    Kept under the viewer's sight (all, or the user's own), the period and filters, the language, the day
    and `_version()`: a move, a visit or a pairing made since is counted at once. What the version does not
    see (a visit edited or answered by the enterprise, a name changed) shows within the setting's seconds.
    """
    seconds = settings.OVERSIGHT_CACHE_SECONDS
    key = ""
    if seconds:
        viewer = "all" if sees_everything(request.user) else f"user{request.user.pk}"
        parts = (viewer, urlencode(scope.params), get_language(), timezone.localdate().isoformat(), _version())
        key = "oversight:dashboard:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
        found = cache.get(key)
        if found is not None:
            return found
    html = render_to_string(
        "oversight/_dashboard_figures.html", {"dashboard": dashboard(request.user, scope)}, request=request
    )
    if key:
        cache.set(key, html, seconds)
    return html


@login_required
@role_required(Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)
@require_GET
def view(request: AuthenticatedRequest) -> HttpResponse:
    """The leading group's dashboard for the period and filters asked (this month, all, by default)."""
    # Unasked, the form shows the period it defaults to (this month), so its months are never blank.
    this_month = month_label(Month.of(timezone.localdate()))
    form = ScopeForm(request.GET or None, initial={"start": this_month, "end": this_month})
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
            "figures": mark_safe(_figures(request, scope)),  # nosec B308 B703 # our own template, rendered
            "period_unread": bool(form.errors),
            "report_month": month_label(report_month),
        },
    )
