"""The problem ledger's filters (问题台账): one FilterSet for the page and its export."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Origin, Sector
from issues.models import Flow, Issue, IssueCategory, Status
from organisation.models import Department


def _streets(request=None):
    return [
        (s, s)
        for s in Enterprise.objects.exclude(street="").values_list("street", flat=True).distinct().order_by("street")
    ]


class IssueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    flow = django_filters.ChoiceFilter(label=_("Flow"), choices=Flow.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    warning = django_filters.ChoiceFilter(
        label=_("Deadline"),
        choices=[("overdue", _("Overdue")), ("due_soon", _("Due soon"))],
        method="filter_warning",
    )
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=IssueCategory.objects.all())
    sector = django_filters.ChoiceFilter(label=_("Sector"), field_name="enterprise__sector", choices=Sector.choices)
    origin = django_filters.ChoiceFilter(label=_("Origin"), field_name="enterprise__origin", choices=Origin.choices)
    street = django_filters.ChoiceFilter(label=_("Street"), field_name="enterprise__street", choices=_streets)
    reported = django_filters.DateFromToRangeFilter(
        label=_("Reported between"),
        field_name="created_at__date",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Issue
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(enterprise__name__icontains=value)
        )

    def filter_warning(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.overdue(today) if value == "overdue" else queryset.due_soon(today)
