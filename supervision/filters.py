"""The supervision ledger's and the items list's filters: one FilterSet each for the page and its export.

The parameters are agreed with the pages that link here (the assessment's breakdown links to the rows
behind a measure): do not rename them. What a state means is the models' (`InspectionQuerySet.in_state`,
`RectificationQuerySet.overdue`, `accepted_on_time`), asked here, never re-derived.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.params import IdModelChoiceField
from core.pickers import PickerFilterForm
from core.roles import PortalUser
from issues.pickers import any_department_select
from organisation.models import Cadre, Department
from supervision.models import Inspection, ItemsState, Kind, Rating, Rectification, Target

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A row chosen by id: anything but an id a key can hold is an invalid choice, never a 500."""

    field_class = IdModelChoiceField


def _date(label: Any, field_name: str, lookup_expr: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(label=label, field_name=field_name, lookup_expr=lookup_expr, widget=DATE_WIDGET)


class _Scoped(django_filters.FilterSet):
    """A FilterSet whose cadre (an id, from a link: a city's cadres are too many for a list) is one the viewer sees.

    The cadre is hidden in the form; the page names the cadre it is filtered to (`_filtered_to.html`), and the
    search (`q`) finds cadres by name.
    """

    def __init__(self, data: Any = None, queryset: Any = None, *, user: PortalUser, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        field: Any = self.form.fields["cadre"]
        field.queryset = Cadre.objects.visible_to(user)

    @property
    def in_use(self) -> bool:
        """Whether a filter of the form is in use: the form is then shown open."""
        return any(self.data.get(field.name) for field in self.form.visible_fields())


class InspectionFilter(_Scoped):
    """The ledger's filters (督查台账)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    rating = django_filters.ChoiceFilter(label=_("Rating"), choices=Rating.choices)
    target = django_filters.ChoiceFilter(label=_("What was inspected"), choices=Target.choices)
    cadre = IdModelChoiceFilter(label=_("Cadre"), queryset=Cadre.objects.none(), widget=forms.HiddenInput)
    # Past a district's few units, a search picker (core/pickers.py): a province's 1,173 units listed were 47 KB
    # of the page and most of its time.
    department = IdModelChoiceFilter(
        label=_("Department or street office"), queryset=Department.objects.all(), widget=any_department_select()
    )
    date_from = _date(_("Inspected from"), "inspected_on", "gte")
    date_to = _date(_("Inspected until"), "inspected_on", "lte")
    status = django_filters.ChoiceFilter(label=_("Rectification"), choices=ItemsState.choices, method="filter_status")

    class Meta:
        model = Inspection
        fields: list[str] = []
        form = PickerFilterForm

    def search(self, queryset: QuerySet[Inspection], name: str, value: str) -> QuerySet[Inspection]:
        return queryset.filter(
            Q(findings__icontains=value)
            | Q(method__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(cadre__name__icontains=value)
            | Q(department__name__icontains=value)
        )

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.in_state(value)


class ItemFilter(_Scoped):
    """The rectification items' filters (整改事项)."""

    OVERDUE = "overdue"

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Rectification.Status.choices, (OVERDUE, _("Overdue"))],
        method="filter_status",
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")
    cadre = IdModelChoiceFilter(label=_("Responsible cadre"), queryset=Cadre.objects.none(), widget=forms.HiddenInput)
    department = IdModelChoiceFilter(
        label=_("Responsible unit"), queryset=Department.objects.all(), widget=any_department_select()
    )
    deadline_from = _date(_("Deadline from"), "deadline", "gte")
    deadline_to = _date(_("Deadline until"), "deadline", "lte")
    kind = django_filters.ChoiceFilter(
        label=_("Kind of inspection"), field_name="inspection__kind", choices=Kind.choices
    )
    on_time = django_filters.ChoiceFilter(
        label=_("Accepted on time"),
        choices=[("yes", _("On time")), ("no", _("Late"))],
        method="filter_on_time",
    )
    # The items of one inspection: its page links here. Hidden, as a choice would list every inspection.
    inspection = IdModelChoiceFilter(label=_("Inspection"), queryset=Inspection.objects.all(), widget=forms.HiddenInput)

    class Meta:
        model = Rectification
        fields: list[str] = []
        form = PickerFilterForm

    def search(self, queryset: QuerySet[Rectification], name: str, value: str) -> QuerySet[Rectification]:
        return queryset.filter(
            Q(requirement__icontains=value) | Q(cadre__name__icontains=value) | Q(department__name__icontains=value)
        )

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        if value == self.OVERDUE:
            return queryset.overdue(timezone.localdate())
        return queryset.filter(status=value)

    def filter_on_time(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.accepted_on_time() if value == "yes" else queryset.accepted_late()
