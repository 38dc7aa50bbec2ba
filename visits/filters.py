"""The visit list's filters: the dates and where the enterprise and the cadre belong.

The names are those oversight/scope.py's `Scope.visit_list()` writes, so the dashboard's count of a
period's visits links to a list of exactly those visits: `visited_after` and `visited_before` are the
period's first and last days (both included), `department` is the cadre's unit, as the compliance grid
and `Filters.visits` read it; `logged_before` is the day after a period that is over (its visits are those
logged by its end). `cadre` is one cadre's visits: the annual assessment links a cadre's compliance there.
`confirmation` is the enterprise's answer through its link: confirmed, denied, or `none` yet.
"""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.params import IdModelChoiceField
from core.pickers import PickerFilterForm
from enterprises.models import Origin, Sector
from enterprises.streets import street_choices
from issues.filters import QuickSelect
from issues.forms import DATE_INPUT
from issues.pickers import any_department_select
from organisation.models import Cadre, Department
from visits.models import EnterpriseAnswer, Visit

# The enterprise's answer on a visit, as the list filters it: its two answers, or none yet.
NOT_YET = "none"
CONFIRMATION_CHOICES = [*EnterpriseAnswer.choices, (NOT_YET, _("Not yet confirmed"))]


def _streets(request=None):
    return street_choices()


class IdModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A model choice whose value must be an id first (core/params.py): ?cadre=10**30 is no 500."""

    field_class = IdModelChoiceField


class VisitFilter(django_filters.FilterSet):
    """Visits dated between two days (both included), by the enterprise's origin, sector, street, the cadre's unit."""

    visited_after = django_filters.DateFilter(
        label=_("Visited from"), field_name="visited_on", lookup_expr="gte", widget=DATE_INPUT
    )
    visited_before = django_filters.DateFilter(
        label=_("Visited until"), field_name="visited_on", lookup_expr="lte", widget=DATE_INPUT
    )
    # A past period counts the visits logged by its end (oversight/scope.py's `visits_in`): its link says so.
    logged_before = django_filters.DateFilter(label=_("Logged before"), method="logged", widget=DATE_INPUT)
    # The selects are written out at once (issues/filters.py `QuickSelect`): a province's streets, an option
    # template each, were most of a cadre's visit list's time.
    origin = django_filters.ChoiceFilter(
        label=_("Origin"), field_name="pairing__enterprise__origin", choices=Origin.choices, widget=QuickSelect
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), field_name="pairing__enterprise__sector", choices=Sector.choices, widget=QuickSelect
    )
    street = django_filters.ChoiceFilter(
        label=_("Street"), field_name="pairing__enterprise__street", choices=_streets, widget=QuickSelect
    )
    # Past a district's few units, a search picker (core/pickers.py), as on the ledgers: a province's 1,173 units
    # listed were most of the page's HTML.
    department = IdModelChoiceFilter(
        label=_("Cadre's unit"),
        field_name="pairing__cadre__unit",
        queryset=Department.objects.all(),
        widget=any_department_select(),
    )
    # One cadre's visits: the annual assessment's visit compliance links here (with the year's dates). Hidden,
    # as the ledger's `cadre` is: a visible choice would list every cadre on every page.
    cadre = IdModelChoiceFilter(
        label=_("Cadre"), field_name="pairing__cadre", queryset=Cadre.objects.all(), widget=forms.HiddenInput
    )

    # What the enterprise said of the visit through its link (`voice/`), or that it has not answered.
    confirmation = django_filters.ChoiceFilter(
        label=_("Enterprise's confirmation"), choices=CONFIRMATION_CHOICES, method="confirmed"
    )

    # Folded away under "More filters" (open when one of them is in use), as on the compliance grid.
    MORE = ("confirmation", "logged_before", "origin", "sector", "street", "department")

    class Meta:
        model = Visit
        fields: list[str] = []
        form = PickerFilterForm

    def logged(self, queryset, name, value):
        """Logged before the day began (local midnight)."""
        midnight = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
        return queryset.filter(created_at__lt=midnight)

    def confirmed(self, queryset, name, value):
        return queryset.filter(enterprise_answer="" if value == NOT_YET else value)

    @property
    def more(self):
        return [self.form[name] for name in self.MORE]

    @property
    def more_in_use(self) -> bool:
        return any(self.data.get(name) for name in self.MORE)
