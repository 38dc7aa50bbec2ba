"""What the leading group's pages are looking at: a period, the filters, and the links to the rows behind a figure.

The dashboard, the roll-ups, the department table and the monthly report all read their figures through
this module, so a filter means the same on each, and every figure links to the list that shows its rows:

- a problem figure to the ledger (`/issues/?measure=<key>&from=…&to=…`, with the filters and, for a
  department's figure, `unit`), whose rows are issues/measures.py's condition for that figure;
- the visits of the period to the visit list, filtered by the same dates and the enterprise's filters;
- the share of cadres meeting the two-visit rule to the compliance grid, filtered the same way.

The figures themselves are defined in issues/measures.py (problems) and visits/compliance.py (the two-visit
rule), and nowhere here.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import kept
from core.months import Month, month_label
from core.periods import Period, parse_month
from core.pickers import PickerFormMixin, SearchSelect
from core.roles import PortalUser, sees_everything
from enterprises.models import Origin, Sector
from enterprises.streets import street_choices
from issues import measures
from issues.models import Issue, IssueCategory
from issues.pickers import any_department_select
from organisation.models import Department, Pairing, PairingQuerySet
from visits import compliance
from visits.models import EnterpriseAnswer, Visit


@dataclass(frozen=True)
class Filters:
    """The enterprise's origin, sector and street, the department, the problem's category (all optional)."""

    origin: str = ""
    sector: str = ""
    street: str = ""
    department: Department | None = None
    category: IssueCategory | None = None

    def issues(self, user: PortalUser) -> QuerySet[Issue]:
        """The problems the user may see, narrowed by the enterprise's filters and the category.

        The department is not a filter here but the figures' `unit` (issues/measures.py): a department's
        figures count its own moves and the problems with it at the period's end.
        """
        found = Issue.objects.visible_to(user)
        found = found.filter(**self._enterprise("enterprise__"))
        return found.filter(category=self.category) if self.category else found

    def pairings(self, user: PortalUser) -> PairingQuerySet:
        """The pairings the user may see, narrowed by the enterprise's filters (and the cadre's unit)."""
        found = Pairing.objects.visible_to(user).filter(**self._enterprise("enterprise__"))
        return found.filter(cadre__unit=self.department) if self.department else found

    def visits(self, user: PortalUser) -> QuerySet[Visit]:
        found = Visit.objects.visible_to(user).filter(**self._enterprise("pairing__enterprise__"))
        return found.filter(pairing__cadre__unit=self.department) if self.department else found

    @property
    def unit(self) -> Department | None:
        return self.department

    def _enterprise(self, prefix: str) -> dict[str, str]:
        chosen = {"origin": self.origin, "sector": self.sector, "street": self.street}
        return {f"{prefix}{name}": value for name, value in chosen.items() if value}

    @property
    def params(self) -> dict[str, str]:
        """The filters as the ledger reads them (the department as the figure's `unit`)."""
        found = {
            name: value
            for name, value in (("origin", self.origin), ("sector", self.sector), ("street", self.street))
            if value
        }
        if self.category:
            found["category"] = str(self.category.pk)
        if self.department:
            found["unit"] = str(self.department.pk)
        return found

    @property
    def enterprise_params(self) -> dict[str, str]:
        """The filters the visit list and the compliance grid read (the grid's `department` is the cadre's unit)."""
        found = {
            name: value
            for name, value in (("origin", self.origin), ("sector", self.sector), ("street", self.street))
            if value
        }
        if self.department:
            found["department"] = str(self.department.pk)
        return found


def _streets() -> list[tuple[str, str]]:
    return street_choices(blank=True)


class ScopeForm(PickerFormMixin, forms.Form):
    """The period (from, to: months) and the filters, as the dashboard, roll-ups and department table read them."""

    read_while_searching = True

    start = forms.CharField(label=_("From month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    end = forms.CharField(label=_("To month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    origin = forms.ChoiceField(label=_("Origin"), choices=[("", "---------"), *Origin.choices], required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "---------"), *Sector.choices], required=False)
    street = forms.ChoiceField(label=_("Street"), required=False)
    # A province's 1,173 departments are searched (core/pickers.py; issues/pickers.py `any-department`), a
    # district's few listed; a search without JavaScript keeps the period and the other filters applied.
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        widget=any_department_select(),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=IssueCategory.objects.all(), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The period travels as ?from=YYYY-MM&to=YYYY-MM, as the ledger's links carry it.
        if data is not None:
            data = data.copy()
            data.setdefault("start", data.get("from", ""))
            data.setdefault("end", data.get("to", ""))
        super().__init__(data, **kwargs)
        self.fields["street"].choices = _streets()  # type: ignore[attr-defined]

    def offer(
        self, *, departments: Iterable[tuple[int, str]], categories: Iterable[tuple[int, str]] | None = None
    ) -> None:
        """Offer the departments (and categories) a page has already read, as (id, name), in the fields' order.

        The choices are the same rows the fields' querysets give, so nothing is read twice to show the form; a
        chosen one is still checked against the field's queryset when the form is read.
        """
        # The department's picker lists them up to PLAIN_UP_TO, else finds the chosen one's name among them.
        cast(SearchSelect, self.fields["department"].widget).offer(departments)
        if categories is not None:
            field = cast(forms.ModelChoiceField, self.fields["category"])
            field.choices = [("", field.empty_label), *categories]

    def clean_start(self) -> str:
        return _month_field(self.cleaned_data.get("start", ""))

    def clean_end(self) -> str:
        return _month_field(self.cleaned_data.get("end", ""))

    def scope(self, today: datetime.date | None = None) -> Scope:
        """The period and filters chosen, each field on its own: this month and no filter where none (valid) was."""
        # Each field that reads well is kept when another does not (that one's error is shown beside it).
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        this_month = Month.of(today or timezone.localdate())
        period = Period.parse(data.get("start", ""), data.get("end", ""), default=this_month)
        filters = Filters(
            origin=data.get("origin", ""),
            sector=data.get("sector", ""),
            street=data.get("street", ""),
            department=data.get("department"),
            category=data.get("category"),
        )
        return Scope(period, filters)


def _month_field(value: str) -> str:
    if value and parse_month(value) is None:
        raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-11."))
    return value


@dataclass(frozen=True)
class Scope:
    """A period and the filters: what a page of figures is about."""

    period: Period
    filters: Filters = field(default_factory=Filters)

    def window(self, now: datetime.datetime | None = None) -> measures.Window:
        return measures.Window.of(self.period, now)

    @property
    def params(self) -> dict[str, str]:
        """The period and the filters as this module's pages read them back (?from=…&to=…&origin=…)."""
        found = {**self.period.params, **self.filters.params}
        if "unit" in found:
            found["department"] = found.pop("unit")
        return found

    def ledger(self, measure: str, *, unit: Department | int | None = None, **more: str) -> str:
        """The ledger listing the problems behind a figure (a department's, when `unit` is given)."""
        params: dict[str, str] = {"measure": measure, **self.period.params, **self.filters.params, **more}
        if unit is not None:
            params["unit"] = str(unit.pk if isinstance(unit, Department) else unit)
        return f"{reverse('issues:ledger')}?{urlencode(params)}"

    def visit_list(self, **more: str) -> str:
        """The visit list over the period's dates, with the enterprise's filters: the visits `visits_in` counts."""
        params = {
            "visited_after": self.period.start.isoformat(),
            "visited_before": self.period.end.isoformat(),
            **self.filters.enterprise_params,
            **more,
        }
        if self.period.is_over(timezone.now()):
            params["logged_before"] = (self.period.end + datetime.timedelta(days=1)).isoformat()
        return f"{reverse('visits:visit_list')}?{urlencode(params)}"

    def grid(self, **more: str) -> str:
        """The compliance grid with the enterprise's filters (it shows the last 12 months, ending with this one)."""
        return f"{reverse('visits:compliance')}?{urlencode({**self.filters.enterprise_params, **more})}"


@dataclass(frozen=True)
class Named:
    """A figure's name and its definition, as every page that shows it says them."""

    label: Any
    definition: Any


# The service work's figures (`visit_figures`, `service`): what each page calls them and how it defines them.
SERVICE_FIGURES: dict[str, Named] = {
    "pairings": Named(
        _("Pairings in force"),
        _("Pairings of a cadre with an enterprise in force on the period's last day (today, while it runs)."),
    ),
    "visits": Named(
        _("Visits to enterprises"),
        _("Service visits dated in the period; once it is over, those logged by its end."),
    ),
    "confirmed": Named(
        _("Visits the enterprise confirmed"),
        _("Visits counted in the period that the enterprise confirmed took place, through its link."),
    ),
    "denied": Named(
        _("Visits the enterprise denied"),
        _("Visits counted in the period that the enterprise said did not take place, through its link."),
    ),
    "judged": Named(
        _("Cadre-months judged"),
        _("Months of the period in which a cadre was paired and so judged by the two-visit rule."),
    ),
    "compliant": Named(
        _("Cadre-months compliant"),
        _("Months judged in which the cadre made the visits the two-visit rule requires (prorated for a part-month)."),
    ),
    "compliance": Named(
        _("Two-visit rule compliance"),
        _(
            "Cadre-months of the period that met the two-visit rule, of all those the rule judged (a part-month's"
            " requirement prorated; a month still running counts as not met until it is)."
        ),
    ),
}


@dataclass(frozen=True)
class VisitFigures:
    """The period's service work: pairings in force at its end, visits made in it, cadres meeting the rule."""

    pairings: int
    visits: int
    judged: int  # cadre-months judged by the two-visit rule in the period
    compliant: int
    # Of the visits, those the enterprise confirmed or denied through its link (issue 15); the rest unanswered.
    confirmed: int = 0
    denied: int = 0
    # The visits each of the months asked for counts (`visit_figures(..., months=…)`), in their order.
    by_month: tuple[int, ...] = ()

    @property
    def compliance_rate(self) -> float | None:
        return round(100 * self.compliant / self.judged, 1) if self.judged else None


def visits_in(period: Period, now: datetime.datetime) -> Q:
    """The visits a period counts: dated in it, and once it is over, logged by its end."""
    dated = Q(visited_on__range=(period.start, period.end))
    return dated & Q(created_at__lt=period.end_at) if period.is_over(now) else dated


@dataclass(frozen=True)
class Service:
    """The period's service work, as its figures count it (the one place that says which rows)."""

    pairings: QuerySet[Pairing]  # in force on the period's last day (today while it runs)
    visits: QuerySet[Visit]  # dated in the period; once it is over, logged by its end
    held: QuerySet[Pairing]  # every pairing the filters keep, for the two-visit rule to judge
    months: list[Month]
    today: datetime.date
    logged_before: datetime.datetime | None  # once the period is over, its end: visits logged later do not count

    def summaries(self) -> list[compliance.MonthSummary]:
        """The rule's counts month by month, without a row per cadre (two queries)."""
        return compliance.month_summaries(self.months, self.today, self.held, logged_before=self.logged_before)


def service(user: PortalUser, scope: Scope, now: datetime.datetime | None = None) -> Service:
    """Pairings in force, visits and the two-visit rule's inputs for the period and filters (no query yet).

    Once the period is over, visits count as they were logged by its end, so a past month reads the
    same later (a visit logged afterwards for one of its days shows in the grid, not in the month's figures).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    held = scope.filters.pairings(user)
    return Service(
        pairings=held.in_force_on(min(scope.period.end, today)),
        visits=scope.filters.visits(user).filter(visits_in(scope.period, now)),
        held=held,
        months=scope.period.months,
        today=today,
        logged_before=scope.period.end_at if scope.period.is_over(now) else None,
    )


def visit_figures(
    user: PortalUser,
    scope: Scope,
    now: datetime.datetime | None = None,
    months: Sequence[Month] = (),
    trend: kept.Monthly | None = None,
) -> VisitFigures:
    """Count the period's pairings in force, visits (and those the enterprise confirmed or denied) and compliance,
    in four queries whatever the data (and the roles); kept (core/kept.py) until a visit, an answer or a pairing
    of those months changes: a kept read is one query.

    Compliance: each cadre-month of the period judged by the two-visit rule's one home
    (visits/compliance.py), summed over the months. `months`: also count the visits of each of these
    months as `visits_in` counts them (the dashboard's trend), in the same reading of the visits; with `trend`
    (`kept.by_month` of those months), each month's count is kept on its own and only the months it misses are
    counted (with the period's figures when they are counted too).
    """
    now = now or timezone.now()
    read = [*scope.period.months, *([] if trend else months)]
    running = any(not Period.month(month).is_over(now) for month in read)
    filters = scope.filters
    missing = [Month.of(month) for month in trend.missing] if trend else list(months)
    fresh: list[tuple[int, ...]] = []

    def count() -> VisitFigures:
        found = count_visit_figures(user, scope, now, missing)
        fresh.append(found.by_month)
        return dataclasses.replace(found, by_month=()) if trend else found

    found = kept.remember(
        "oversight.visit_figures",
        # A pairing, a visit or its answer, and what the filters select by (the enterprise's sector and street, the
        # cadre's unit: organisation/kept.py) touch the months they reach: "visits".
        {"visits": [month.first for month in read]},
        count,
        # While a month read runs, the rule's standing, the pairings in force and a month's end depend on the day.
        judged_on=timezone.localdate(now) if running else None,
        parts=(
            scope.period.start,
            scope.period.end,
            () if trend else tuple(months),
            filters.origin,
            filters.sector,
            filters.street,
            filters.department.pk if filters.department else None,
            "all" if sees_everything(user) else user.pk,
        ),
    )
    if trend is None:
        return found
    if missing and not fresh:  # the period's figures were kept, a month of the trend was not
        fresh.append(_visits_by_month(user, scope, now, missing))
    trend.keep(dict(zip(trend.missing, fresh[0] if missing else (), strict=True)))
    return dataclasses.replace(found, by_month=tuple(trend.values()))


def _visits_by_month(
    user: PortalUser, scope: Scope, now: datetime.datetime, months: Sequence[Month]
) -> tuple[int, ...]:
    """The visits each of the months counts (`visits_in`), in one query on their days' range."""
    days = (min(month.first for month in months), max(month.last for month in months))
    found = scope.filters.visits(user).filter(visited_on__range=days).aggregate(**_per_month(months, now))
    return tuple(found[f"m{i}"] for i in range(len(months)))


def _per_month(months: Sequence[Month], now: datetime.datetime) -> dict[str, Count]:
    """The visits each month counts (`visits_in`), as `m0`, `m1`, … of one aggregate."""
    return {f"m{i}": Count("pk", filter=visits_in(Period.month(month), now)) for i, month in enumerate(months)}


def count_visit_figures(
    user: PortalUser, scope: Scope, now: datetime.datetime, months: Sequence[Month]
) -> VisitFigures:
    """`visit_figures` counted, nothing kept (four queries): for a page that keeps its whole answer itself, whose
    kept read would otherwise read the versions twice on a miss."""
    found = service(user, scope, now)
    summaries = found.summaries()
    counted = visits_in(scope.period, now)
    # Every figure counts visits dated in the period or one of the months: read those days only (an index range),
    # not every visit since the campaign began.
    first = min([scope.period.start, *(month.first for month in months)])
    last = max([scope.period.end, *(month.last for month in months)])
    visits = (
        scope.filters.visits(user)
        .filter(visited_on__range=(first, last))
        .aggregate(
            visits=Count("pk", filter=counted),
            confirmed=Count("pk", filter=counted & Q(enterprise_answer=EnterpriseAnswer.CONFIRMED)),
            denied=Count("pk", filter=counted & Q(enterprise_answer=EnterpriseAnswer.DENIED)),
            **_per_month(months, now),
        )
    )
    return VisitFigures(
        pairings=found.pairings.count(),
        visits=visits["visits"],
        judged=sum(s.judged for s in summaries),
        compliant=sum(s.compliant for s in summaries),
        confirmed=visits["confirmed"],
        denied=visits["denied"],
        by_month=tuple(visits[f"m{i}"] for i in range(len(months))),
    )


__all__ = [
    "Filters",
    "Scope",
    "ScopeForm",
    "Service",
    "VisitFigures",
    "count_visit_figures",
    "month_label",
    "service",
    "visit_figures",
    "visits_in",
]
