"""The monthly report (月报): one month's figures in the office's format, as a page to print and a Word file.

Nothing is counted here. The problem figures are issues/measures.py's, read over the month's `Window`
(so a month that is over reads back the same figures whenever it is read: events carry their own dates);
the visits, pairings and the two-visit rule are oversight/scope.py's `visit_figures`. This module puts them
in the order the office circulates them (title, narrative, key figures, flow and status, departments,
overdue by department, definitions), says the narrative in the reader's language (with who spoke for the
enterprise: its own requests and ratings beside the cadres', the visits it confirmed or denied), and links
every figure to the list of rows behind it. oversight/docx.py writes the same report as a .docx. Where the
departments are many (a city's, a province's 1,173: `REPORT_FULL_LIST`), the page shows the best and worst
and links to the department table for the month; the Word file lists every one.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import kept
from core.months import Month, month_label
from core.periods import Period, parse_month
from core.roles import AuthenticatedRequest, PortalUser, Role, role_required
from issues import measures
from issues.models import Status
from oversight import keeping, tables
from oversight.docx import DOCX_CONTENT_TYPE, report_docx
from oversight.scope import SERVICE_FIGURES, Scope, VisitFigures, visit_figures

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The department table's figures (issue 13, item 3), each a measure of issues/measures.py.
DEPARTMENT_KEYS = (
    "assigned_to_unit",
    "resolved_on_time",
    "resolved_late",
    "overdue",
    "returned",
    "extension_asked",
    "extension_granted",
    "dissatisfied",
)
# The problems by flow (the three ways, after all of them) and by their state at the month's end.
FLOW_KEYS = ("reported", "on_the_spot", "assigned", "escalated")
STATUS_KEYS = tuple(f"status_{status.value}" for status in Status)
# The other measures the report shows, in the order their definitions are listed.
DEFINED_KEYS = (
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
    "assigned_to_unit",
)

# A district's departments (a few dozen) are listed whole on the page. Past REPORT_FULL_LIST (a city's, a
# province's 1,173) the page shows the REPORT_TOP with the lowest on-time rate and the REPORT_TOP with the
# highest, and the REPORT_TOP most overdue, each with a link to the department table for the month; the Word
# file lists them all.
REPORT_FULL_LIST = 40
REPORT_TOP = 10

# What the visit figures and the rates are called; their definitions beside them (the rule's homes:
# oversight/scope.py's `visit_figures`, visits/compliance.py, issues/measures.py's RATE_DEFINITIONS).
VISITS = SERVICE_FIGURES["visits"].label
CONFIRMED = SERVICE_FIGURES["confirmed"].label
DENIED = SERVICE_FIGURES["denied"].label
PAIRINGS = SERVICE_FIGURES["pairings"].label
COMPLIANCE = SERVICE_FIGURES["compliance"].label
AVERAGE_DAYS = gettext_lazy("Average days to resolve")
RATE_LABELS = measures.RATE_LABELS
VISIT_DEFINITIONS = tuple(
    (SERVICE_FIGURES[key].label, SERVICE_FIGURES[key].definition)
    for key in ("visits", "confirmed", "denied", "pairings", "compliance")
)


@dataclass(frozen=True)
class Figure:
    """One figure as the report shows it: its name, its value, and the list of rows behind it."""

    label: StrOrPromise
    value: int | float | None
    url: str = ""
    rate: bool = False

    @property
    def shown(self) -> str:
        """The value as printed: a count, days or a rate in per cent to one decimal; "—" when there is none."""
        if self.value is None:
            return "—"
        if self.rate:
            return f"{self.value:.1f}%"
        return f"{self.value:.1f}" if isinstance(self.value, float) else str(self.value)


@dataclass(frozen=True)
class DepartmentRow:
    """A department's figures for the month (the department table's columns)."""

    department_id: int
    name: str
    assigned_to_unit: int
    resolved_on_time: int
    resolved_late: int
    overdue: int
    returned: int
    extension_asked: int
    extension_granted: int
    dissatisfied: int
    avg_days: float | None
    on_time_rate: float | None


def _department_rows(user: PortalUser, scope: Scope, now: datetime.datetime | None = None) -> list[DepartmentRow]:
    """The department table's rows (oversight/tables.py's `department_table`) that have any figure this month,
    counted (not read from what the table keeps: the report keeps them with its own figures)."""
    counts = tables.count_departments(user, scope, now, total=False)
    return [
        DepartmentRow(
            department_id=row.department_id,
            name=row.name,
            **{key: row.figures[key] for key in DEPARTMENT_KEYS},
            avg_days=row.resolve_days,
            on_time_rate=row.on_time_rate,
        )
        for row in tables.department_table(user, scope, now, counts=counts)
        if row.department_id is not None and any(row.figures[key] for key in DEPARTMENT_KEYS)
    ]


@dataclass(frozen=True)
class DepartmentLine:
    """A department's row with the link to the ledger behind each of its counts."""

    row: DepartmentRow
    scope: Scope

    @property
    def cells(self) -> list[Figure]:
        """The row's figures after its name, in the order of `department_headings`."""
        row, unit = self.row, self.row.department_id
        return [
            *(
                Figure(measures.MEASURES[key].label, getattr(row, key), self.scope.ledger(key, unit=unit))
                for key in DEPARTMENT_KEYS
            ),
            Figure(AVERAGE_DAYS, row.avg_days),
            Figure(RATE_LABELS["on_time"], row.on_time_rate, rate=True),
        ]

    @property
    def overdue(self) -> Figure:
        return Figure(
            measures.MEASURES["overdue"].label,
            self.row.overdue,
            self.scope.ledger("overdue", unit=self.row.department_id),
        )


@dataclass(frozen=True)
class MonthlyReport:
    """A month's report as read at `now`: the figures, and what the page and the Word file print of them."""

    month: Month
    scope: Scope
    now: datetime.datetime
    visits: VisitFigures
    figures: dict[str, int]
    departments: list[DepartmentLine] = field(default_factory=list)

    # -- when ----------------------------------------------------------------------------------------------

    @property
    def is_over(self) -> bool:
        return self.scope.period.is_over(self.now)

    @property
    def as_of(self) -> datetime.date:
        """The day the figures stand at: the month's last, or today while it runs."""
        return self.month.last if self.is_over else timezone.localdate(self.now)

    @property
    def generated_on(self) -> datetime.date:
        return timezone.localdate(self.now)

    # -- words ---------------------------------------------------------------------------------------------

    @property
    def month_name(self) -> str:
        return month_name(self.month)

    @property
    def title(self) -> str:
        return _("Baqiao District Pro-Business Campaign Monthly Report (%(month)s)") % {"month": self.month_name}

    @property
    def dates_line(self) -> str:
        """When it was generated and what day its figures stand at, in one line under the title."""
        values = {"generated": date_name(self.generated_on), "as_of": date_name(self.as_of)}
        if self.is_over:
            return _("Generated on %(generated)s; figures as at the month's end, %(as_of)s.") % values
        return _("Generated on %(generated)s; the month is not over: figures as at %(as_of)s.") % values

    @property
    def filename(self) -> str:
        return _("Baqiao-pro-business-monthly-report-%(month)s") % {"month": self.month_name} + ".docx"

    @property
    def narrative(self) -> list[str]:
        """The office's summary of the month, as paragraphs in the reader's language."""
        return [self._month_sentence(), self._overdue_sentence(), self._voice_sentence()]

    def _month_sentence(self) -> str:
        f, rates = self.figures, self.rates
        return _(
            "Visits to enterprises this month: %(visits)s; pairings in force: %(pairings)s; share of cadres meeting"
            " the two-visit rule: %(compliance)s. Problems collected: %(reported)s, of which %(on_the_spot)s solved"
            " on the spot, %(assigned)s assigned to departments and %(escalated)s referred to the leading group."
            " Response rate %(response)s, on-time resolution rate %(on_time)s, satisfaction rate %(satisfaction)s."
            " Returned by departments: %(returned)s; extensions asked: %(extension_asked)s, granted:"
            " %(extension_granted)s; reopened as the enterprise was dissatisfied: %(dissatisfied)s."
        ) % {
            "visits": self.visits.visits,
            "pairings": self.visits.pairings,
            "compliance": _said(self.visits.compliance_rate),
            **{key: f[key] for key in ("reported", "on_the_spot", "assigned", "escalated")},
            "response": _said(rates.response),
            "on_time": _said(rates.on_time),
            "satisfaction": _said(rates.satisfaction),
            **{key: f[key] for key in ("returned", "extension_asked", "extension_granted", "dissatisfied")},
        }

    def _voice_sentence(self) -> str:
        """Who spoke for the enterprise (issue 15): its own requests and ratings, the cadres' on its behalf."""
        return _(
            "Of the problems collected, %(raised_by_enterprise)s were raised by the enterprises themselves through"
            " their links (%(raised_by_enterprise_answered)s of them answered) and %(reported_by_cadre)s reported"
            " by cadres. Of the problems rated, %(rated_by_enterprise)s were rated by the enterprises themselves"
            " and %(rated_by_cadre)s had their rating recorded by a cadre on the enterprise's behalf. Visits the"
            " enterprises confirmed: %(confirmed)s; said did not take place: %(denied)s."
        ) % {
            **{key: self.figures[key] for key in sum(measures.RATE_SPLITS.values(), ())},
            "confirmed": self.visits.confirmed,
            "denied": self.visits.denied,
        }

    def _overdue_sentence(self) -> str:
        overdue, where = self.figures["overdue"], self.overdue_departments[:3]
        values = {"overdue": overdue, "date": date_name(self.as_of), "departments": _listed(where)}
        if not overdue or not where:
            if self.is_over:
                return _("At the month's end no problem was overdue.")
            return _("As at %(date)s no problem is overdue.") % values
        if self.is_over:
            return _("Overdue and unresolved at the month's end: %(overdue)s, mainly at %(departments)s.") % values
        return _("Overdue and unresolved as at %(date)s: %(overdue)s, mainly at %(departments)s.") % values

    # -- tables --------------------------------------------------------------------------------------------

    @property
    def rates(self) -> measures.Rates:
        return measures.Rates.of(self.figures)

    def figure(self, key: str) -> Figure:
        """A problem measure's figure, linked to the ledger's rows behind it."""
        return Figure(measures.MEASURES[key].label, self.figures[key], self.scope.ledger(key))

    def _rate(self, key: str) -> Figure:
        return Figure(RATE_LABELS[key], getattr(self.rates, key), rate=True)

    @property
    def key_figures(self) -> list[Figure]:
        grid = self.scope.grid()
        return [
            Figure(VISITS, self.visits.visits, self.scope.visit_list()),
            # The visit list's `confirmation` filter lists them.
            Figure(CONFIRMED, self.visits.confirmed, self.scope.visit_list(confirmation="confirmed")),
            Figure(DENIED, self.visits.denied, self.scope.visit_list(confirmation="denied")),
            Figure(PAIRINGS, self.visits.pairings, grid),
            Figure(COMPLIANCE, self.visits.compliance_rate, grid, rate=True),
            self.figure("reported"),
            self.figure("answered"),
            self._rate("response"),
            *(self.figure(key) for key in measures.RATE_SPLITS["response"]),
            self.figure("resolved_on_time"),
            self.figure("resolved_late"),
            self.figure("overdue"),
            self._rate("on_time"),
            self.figure("satisfied"),
            self.figure("dissatisfied"),
            self._rate("satisfaction"),
            *(self.figure(key) for key in measures.RATE_SPLITS["satisfaction"]),
            self.figure("returned"),
            self.figure("extension_asked"),
            self.figure("extension_granted"),
        ]

    @property
    def by_flow(self) -> list[Figure]:
        return [self.figure(key) for key in FLOW_KEYS]

    @property
    def by_status(self) -> list[Figure]:
        return [self.figure(key) for key in STATUS_KEYS]

    @property
    def overdue_figure(self) -> Figure:
        return self.figure("overdue")

    @property
    def department_headings(self) -> list[str]:
        """The department table's column headings: the name, then each of a line's `cells`."""
        return [
            _("Department"),
            *(str(measures.MEASURES[key].label) for key in DEPARTMENT_KEYS),
            str(AVERAGE_DAYS),
            str(RATE_LABELS["on_time"]),
        ]

    @property
    def overdue_departments(self) -> list[DepartmentLine]:
        """The departments with problems overdue at the month's end, most first."""
        lines = [line for line in self.departments if line.row.overdue]
        return sorted(lines, key=lambda line: (-line.row.overdue, line.row.name))

    # -- the page, when the departments are many ------------------------------------------------------

    @property
    def lists_every_department(self) -> bool:
        """Whether the page lists every department (a district's few dozen), or the best and worst of them."""
        return len(self.departments) <= REPORT_FULL_LIST

    @property
    def lowest_on_time(self) -> list[DepartmentLine]:
        """The REPORT_TOP departments with the lowest on-time rate (none of `highest_on_time`), lowest first."""
        best = {id(line) for line in self.highest_on_time}
        rest = [line for line in self._rated if id(line) not in best]
        return sorted(rest, key=lambda line: (line.row.on_time_rate, -line.row.overdue, line.row.name))[:REPORT_TOP]

    @property
    def highest_on_time(self) -> list[DepartmentLine]:
        """The REPORT_TOP departments with the highest on-time rate, highest first (the most resolved on time
        first among equals)."""
        return self._rated[:REPORT_TOP]

    @property
    def _rated(self) -> list[DepartmentLine]:
        """The departments with an on-time rate (something resolved or overdue), highest first."""
        rated = [line for line in self.departments if line.row.on_time_rate is not None]
        return sorted(
            rated, key=lambda line: (-(line.row.on_time_rate or 0), -line.row.resolved_on_time, line.row.name)
        )

    @property
    def overdue_shown(self) -> list[DepartmentLine]:
        """The overdue departments the page lists: all of a district's, else the REPORT_TOP most overdue."""
        found = self.overdue_departments
        return found if self.lists_every_department else found[:REPORT_TOP]

    def department_table(self, sort: str) -> str:
        """The department table for the report's month, sorted (`?sort=`): every department, a page at a time."""
        return f"{reverse('oversight:departments')}?{urlencode({**self.scope.params, 'sort': sort})}"

    @property
    def every_department(self) -> str:
        """The department table for the month, the lowest on-time rate first."""
        return self.department_table("on_time_rate")

    @property
    def every_overdue_department(self) -> str:
        """The department table for the month, the most overdue first."""
        return self.department_table("-overdue")

    @property
    def definitions(self) -> list[tuple[str, str]]:
        """Each figure's name and its definition (issues/measures.py's own words), once per definition."""
        entries: list[tuple[StrOrPromise, StrOrPromise]] = [*VISIT_DEFINITIONS]
        keys = [*FLOW_KEYS, *STATUS_KEYS, *DEFINED_KEYS]
        entries += [(measures.MEASURES[key].label, measures.MEASURES[key].definition) for key in keys]
        entries += [(RATE_LABELS[key], text) for key, text in measures.RATE_DEFINITIONS.items()]
        # The states share one definition: said once, after all their names.
        merged: dict[str, list[str]] = {}
        for label, definition in entries:
            merged.setdefault(str(definition), []).append(str(label))
        return [(_joined(labels), definition) for definition, labels in merged.items()]


def _said(rate: float | None) -> str:
    """A rate in the narrative: in per cent, or "n/a" in words when there was nothing to divide."""
    return _("n/a") if rate is None else Figure("", rate, rate=True).shown


def _listed(lines: list[DepartmentLine]) -> str:
    items = [_("%(name)s (%(count)s)") % {"name": line.row.name, "count": line.row.overdue} for line in lines]
    return _joined(items)


def _joined(items: list[str]) -> str:
    """Items in a list as the reader's language writes one: 甲、乙、丙; A, B, C."""
    join = _("%(items)s, %(item)s")
    return functools.reduce(lambda done, item: join % {"items": done, "item": item}, items) if items else ""


def month_name(month: Month) -> str:
    """The month as the reader's language writes it: 2026年10月, October 2026."""
    return formats.date_format(month.first, "YEAR_MONTH_FORMAT")


def date_name(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@dataclass(frozen=True)
class ReportCounts:
    """What the monthly report counts, as plain data (core/kept.py keeps it): the page and the Word file are built
    from it. The departments' rows carry their names as stored."""

    visits: VisitFigures
    figures: dict[str, int]
    departments: list[DepartmentRow]


def count_report(user: PortalUser, month: Month, now: datetime.datetime) -> ReportCounts:
    """Count the month's figures (the visit figures kept on their own: `visit_figures`), in a number of queries that
    does not grow with the data."""
    scope = Scope(Period.month(month))
    return ReportCounts(
        visits=visit_figures(user, scope, now),
        figures=dict(measures.counts(scope.filters.issues(user), scope.window(now))),
        departments=_department_rows(user, scope, now),
    )


def report_counts(user: PortalUser, month: Month, now: datetime.datetime) -> ReportCounts:
    """The month's figures for the user's sight, kept until a problem, visit or pairing of the month, a name or the
    calendar changes; judged on today while the month runs, for good once it is over."""
    scope = Scope(Period.month(month))
    return kept.remember(
        "oversight.report",
        keeping.depends(scope, names=True, calendar=True),
        lambda: count_report(user, month, now),
        judged_on=keeping.judged_on(scope, now),
        parts=keeping.parts(user, scope),
    )


def monthly_report(user: PortalUser, month: Month, now: datetime.datetime | None = None) -> MonthlyReport:
    """Read the month's figures as the user may see them (kept: `report_counts`); the page and the Word file alike."""
    now = now or timezone.now()
    scope = Scope(Period.month(month))
    found = report_counts(user, month, now)
    return MonthlyReport(
        month=month,
        scope=scope,
        now=now,
        visits=found.visits,
        figures=dict(found.figures),
        departments=[DepartmentLine(row, scope) for row in found.departments],
    )


# -- the page ------------------------------------------------------------------------------------------------


class MonthForm(forms.Form):
    """The month picker: another month's report, up to this one."""

    month = forms.CharField(label=gettext_lazy("Month"), widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, data: QueryDict | None, *, latest: Month, shown: Month) -> None:
        super().__init__(data, initial={"month": month_label(shown)})
        self.latest = latest
        self.fields["month"].widget.attrs["max"] = month_label(latest)

    def clean_month(self) -> Month:
        chosen = parse_month(self.cleaned_data["month"])
        if chosen is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-11."), code="invalid")
        if chosen > self.latest:
            raise forms.ValidationError(
                _("That month has not begun: choose this month or an earlier one."), code="future"
            )
        return chosen


@login_required
@role_required(Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)
@require_GET
def view(request: AuthenticatedRequest, month: str) -> HttpResponseBase:
    """Show the month's report (?format=docx: download it as a Word file); ?month= opens another month."""
    this_month = Month.of(timezone.localdate())
    chosen = parse_month(month)
    if chosen is None or chosen > this_month:
        raise Http404
    picker = MonthForm(request.GET if "month" in request.GET else None, latest=this_month, shown=chosen)
    if picker.is_bound and picker.is_valid():
        return redirect(reverse("oversight:report", args=[month_label(picker.cleaned_data["month"])]))
    report = monthly_report(request.user, chosen)
    if request.GET.get("format") == "docx" and not picker.is_bound:
        # Whole, not streamed: a few tens of kilobytes, made before the first byte is sent.
        response = HttpResponse(report_docx(report), content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, report.filename) or "attachment"
        return response
    return render(
        request,
        "oversight/report.html",
        {"report": report, "picker": picker},
        status=400 if picker.is_bound else 200,
    )
