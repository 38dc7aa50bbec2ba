"""The problem ledger's export (问题台账): the ledger page's filtered rows, one per problem, as a sheet.

Registered as "ledger" with core/exports.py (IssuesConfig.ready): streamed at once when small, written in
the background when large, its rows read with the same `visible_to(user)` and `IssueFilter` as the page.
"""

from collections.abc import Iterator

from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import Sheet
from core.roles import PortalUser
from enterprises.models import Origin, Sector
from issues.filters import IssueFilter
from issues.models import ROW_RELATED, Flow, Issue, Status

# The ledger export's columns, headed in the reader's language.
LEDGER_COLUMNS = [
    ("pk", gettext_lazy("No.")),
    ("created", gettext_lazy("Reported at")),
    ("enterprise", gettext_lazy("Enterprise (project)")),
    ("origin", gettext_lazy("Origin")),
    ("sector", gettext_lazy("Sector")),
    ("street", gettext_lazy("Street")),
    ("title", gettext_lazy("Problem")),
    ("category", gettext_lazy("Category")),
    ("flow", gettext_lazy("Flow")),
    ("status", gettext_lazy("Status")),
    ("department", gettext_lazy("Responsible department")),
    ("person", gettext_lazy("Responsible person")),
    ("deadline", gettext_lazy("Deadline")),
    ("warning", gettext_lazy("Warning")),
    ("supervised", gettext_lazy("Supervised")),
    ("resolution", gettext_lazy("Result")),
]


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each value's label in the active language, as get_FOO_display() says it."""
    return {value: str(label) for value, label in choices.choices}


def ledger_sheet(user: PortalUser, params: QueryDict) -> Sheet:
    """The problems the user may see, filtered as the ledger page is by `params`, newest first."""
    filterset = IssueFilter(params, queryset=Issue.objects.visible_to(user).select_related(*ROW_RELATED))
    today = timezone.localdate()
    warnings = {"overdue": _("Overdue"), "due_soon": _("Due soon")}
    supervised = _("Yes")
    # Each choice's label said once for the file: get_FOO_display() rebuilds its table of translated labels
    # on every call, four times a row, which was a third of a city ledger's export time.
    origins, sectors, flows, statuses = (_labels(choices) for choices in (Origin, Sector, Flow, Status))

    def rows() -> Iterator[list[object]]:
        for i in filterset.qs.order_by("-created_at", "-pk").iterator(chunk_size=2000):
            enterprise = i.enterprise
            yield [
                i.pk,
                i.created_at,
                enterprise.name,
                origins.get(enterprise.origin, enterprise.origin),
                sectors.get(enterprise.sector, enterprise.sector),
                enterprise.street,
                i.title,
                i.category.name,
                flows.get(i.flow, i.flow),
                statuses.get(i.status, i.status),
                i.department.name if i.department else "",
                i.responsible_person,
                i.deadline,
                warnings.get(i.warning(today), ""),
                supervised if i.supervised else "",
                i.resolution,
            ]

    return Sheet(
        filename=_("problem-ledger-%(date)s.xlsx") % {"date": f"{today:%Y%m%d}"},
        title=_("Problem ledger"),
        headers=[str(title) for _key, title in LEDGER_COLUMNS],
        rows=rows,
        count=lambda: filterset.qs.order_by().count(),
    )
