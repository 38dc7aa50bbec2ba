"""The problem ledger's export (问题台账): the ledger page's filtered rows, one per problem, as a sheet.

Registered as "ledger" with core/exports.py (IssuesConfig.ready): streamed at once when small, written in
the background when large, its rows read with the same `visible_to(user)` and `IssueFilter` as the page.
"""

from collections.abc import Iterator

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import Sheet
from core.roles import PortalUser
from issues.filters import IssueFilter
from issues.models import ROW_RELATED, Issue

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


def ledger_sheet(user: PortalUser, params: QueryDict) -> Sheet:
    """The problems the user may see, filtered as the ledger page is by `params`, newest first."""
    filterset = IssueFilter(params, queryset=Issue.objects.visible_to(user).select_related(*ROW_RELATED))
    today = timezone.localdate()
    warnings = {"overdue": _("Overdue"), "due_soon": _("Due soon")}
    supervised = _("Yes")

    def rows() -> Iterator[list[object]]:
        for i in filterset.qs.order_by("-created_at", "-pk").iterator(chunk_size=2000):
            yield [
                i.pk,
                i.created_at,
                i.enterprise.name,
                i.enterprise.get_origin_display(),
                i.enterprise.get_sector_display(),
                i.enterprise.street,
                i.title,
                i.category.name,
                i.get_flow_display(),
                i.get_status_display(),
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
