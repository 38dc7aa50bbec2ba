"""The problem ledger's filters (问题台账): one FilterSet for the page and its export."""

from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.months import Month
from core.periods import Period
from core.pickers import PickerFilterForm
from enterprises.models import Enterprise, Origin, Sector
from enterprises.streets import street_choices
from issues import measures
from issues.models import Flow, Issue, IssueCategory, Source, Status
from issues.pickers import any_department_select
from organisation.models import Cadre, Department


class QuickSelect(forms.Select):
    """A <select> written out at once: Django renders each <option> through a template of its own, which for
    the ledger's two hundred options (a city's departments, streets…) was a third of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


# The shortest text a trigram index can serve (pg_trgm: three characters).
TRIGRAM = 3


def _streets(request=None):
    return street_choices()


def _measures(request=None):
    return [(key, measure.label) for key, measure in measures.MEASURES.items()]


@dataclass(frozen=True)
class Figure:
    """The figure a ledger lists the rows of (?measure=…&from=…&to=…&unit=…), said above the list."""

    measure: measures.Measure
    period: Period
    unit: Department | None
    # What else narrows the rows, as said beside the figure: the cadre, the enterprise's street or sector.
    narrowed_by: tuple[str, ...] = ()


class IssueFilter(django_filters.FilterSet):
    """The ledger's filters; `measure` (with `from`, `to`, `unit`) lists the problems behind a figure.

    The figure's condition is issues/measures.py's, so the list has exactly the rows the figure counted.
    """

    measure = django_filters.ChoiceFilter(label=_("Figure"), choices=_measures, method="keep", widget=forms.HiddenInput)
    unit = django_filters.ModelChoiceFilter(
        label=_("Department's figure"), queryset=Department.objects.all(), method="keep", widget=forms.HiddenInput
    )
    # The problems a cadre reported: the dashboard's and the roll-up's figures per cadre link here (with
    # `measure`). Hidden, as `unit` is: a visible choice would list every cadre on every ledger page.
    cadre = django_filters.ModelChoiceFilter(
        label=_("Reported by"), field_name="reporter", queryset=Cadre.objects.all(), widget=forms.HiddenInput
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # Who put the problem into the portal: a cadre, or the enterprise itself through its link (a request).
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, widget=QuickSelect)
    flow = django_filters.ChoiceFilter(label=_("Flow"), choices=Flow.choices, widget=QuickSelect)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, widget=QuickSelect)
    warning = django_filters.ChoiceFilter(
        label=_("Deadline"),
        choices=[("overdue", _("Overdue")), ("due_soon", _("Due soon"))],
        method="filter_warning",
        widget=QuickSelect,
    )
    # Past a district's few units, a search picker (core/pickers.py): a province's 1,173 listed were 47 KB of the page.
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        widget=any_department_select(),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=IssueCategory.objects.all(), widget=QuickSelect
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), field_name="enterprise__sector", choices=Sector.choices, widget=QuickSelect
    )
    origin = django_filters.ChoiceFilter(
        label=_("Origin"), field_name="enterprise__origin", choices=Origin.choices, widget=QuickSelect
    )
    street = django_filters.ChoiceFilter(
        label=_("Street"), field_name="enterprise__street", choices=_streets, widget=QuickSelect
    )
    reported = django_filters.DateFromToRangeFilter(
        label=_("Reported between"),
        field_name="created_at__date",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Issue
        fields: list[str] = []
        form = PickerFilterForm

    def keep(self, queryset, name, value):
        return queryset  # read together by filter_queryset, once the other filters have applied

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        figure = self.figure
        if figure is None:
            return queryset
        window = measures.Window.of(figure.period)
        return measures.rows(queryset, figure.measure.key, window, unit=figure.unit)

    @property
    def in_use(self) -> bool:
        """Whether a filter of the form is in use (not only a figure's hidden ones): the form is then shown open."""
        return any(self.data.get(field.name) for field in self.form.visible_fields()) or any(
            self.data.get(f"reported_{end}") for end in ("min", "max", "after", "before")
        )

    @property
    def figure(self) -> Figure | None:
        """The figure asked for, once the form is valid; None for the plain ledger."""
        self.form.is_valid()  # each valid field is cleaned, even when another is not
        data: dict[str, Any] = getattr(self.form, "cleaned_data", {})
        key = data.get("measure")
        if not key:
            return None
        default = Month.of(timezone.localdate())
        period = Period.parse(self.data.get("from", ""), self.data.get("to", ""), default=default)
        narrowed_by = tuple(
            str(value)
            for value in (
                data.get("cadre"),
                data.get("street"),
                dict(Sector.choices).get(data.get("sector", "")),
                dict(Origin.choices).get(data.get("origin", "")),
                data.get("category"),
            )
            if value
        )
        return Figure(measures.MEASURES[key], period, data.get("unit"), narrowed_by)

    def search(self, queryset, name, value):
        """Problems whose title, description or enterprise's name holds the text (any case).

        From three characters on, each column is read on its own and the keys put together (UNION): on
        PostgreSQL each `icontains` is then served by its trigram index (migrations issues 0009, enterprises
        0004); ORed across a join, none of them could be. A shorter text has no trigram, so no index can serve
        it: it is one condition on the rows read anyway, the ledger's order and the count (docs/indexes.md).
        """
        if len(value) < TRIGRAM:
            return queryset.filter(
                Q(title__icontains=value) | Q(description__icontains=value) | Q(enterprise__name__icontains=value)
            )
        by_text = Issue.objects.filter(Q(title__icontains=value) | Q(description__icontains=value)).order_by()
        by_name = (
            Issue.objects.filter(enterprise__in=Enterprise.objects.filter(name__icontains=value).values("pk"))
            .order_by()
            .values("pk")
        )
        return queryset.filter(pk__in=by_text.values("pk").union(by_name))

    def filter_warning(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.overdue(today) if value == "overdue" else queryset.due_soon(today)
