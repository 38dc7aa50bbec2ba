"""The supervision ledger and the items list as xlsx: every row the filters keep, streamed (core/spreadsheets.py)."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import xlsx_response
from supervision.models import Inspection, Rectification

CHUNK = 500

INSPECTION_RELATED = ("cadre", "enterprise", "department")
ITEM_RELATED = ("cadre", "department", "inspection")

LEDGER_COLUMNS = (
    gettext_lazy("No."),
    gettext_lazy("Date"),
    gettext_lazy("Kind"),
    gettext_lazy("What was inspected"),
    gettext_lazy("Inspected"),
    gettext_lazy("Cadre"),
    gettext_lazy("Rating"),
    gettext_lazy("Inspectors"),
    gettext_lazy("Findings"),
    gettext_lazy("Items"),
    gettext_lazy("Items open"),
    gettext_lazy("Rectification"),
)

ITEM_COLUMNS = (
    gettext_lazy("No."),
    gettext_lazy("Inspection date"),
    gettext_lazy("Kind of inspection"),
    gettext_lazy("Responsible"),
    gettext_lazy("What must change"),
    gettext_lazy("Deadline"),
    gettext_lazy("Status"),
    gettext_lazy("Warning"),
    gettext_lazy("Accepted answer given at"),
    gettext_lazy("Accepted at"),
    gettext_lazy("On time"),
)


def inspectors_prefetch() -> Prefetch:
    return Prefetch("inspectors", queryset=get_user_model().objects.order_by("first_name", "username"))


def inspector_names(inspection: Inspection) -> str:
    """The inspectors' names, from the prefetched list."""
    return "、".join(person.get_full_name() or person.get_username() for person in inspection.inspectors.all())


def ledger_rows(inspections: QuerySet[Inspection]) -> Iterator[Sequence[Any]]:
    """One row per inspection; the queryset comes filtered, scoped and annotated with its item counts."""
    rows = inspections.select_related(*INSPECTION_RELATED).prefetch_related(inspectors_prefetch())
    for inspection in rows.iterator(chunk_size=CHUNK):
        yield [
            inspection.pk,
            inspection.inspected_on,
            inspection.get_kind_display(),
            inspection.get_target_display(),
            inspection.subject_name,
            inspection.cadre.name if inspection.cadre else "",
            inspection.get_rating_display(),
            inspector_names(inspection),
            inspection.findings,
            inspection.items_total,  # type: ignore[attr-defined]  # annotated: with_item_counts()
            inspection.items_open,  # type: ignore[attr-defined]
            inspection.items_state.label,
        ]


def ledger_xlsx(inspections: QuerySet[Inspection]) -> FileResponse:
    today = timezone.localdate()
    return xlsx_response(
        _("supervision-ledger-%(date)s.xlsx") % {"date": f"{today:%Y%m%d}"},
        [str(title) for title in LEDGER_COLUMNS],
        ledger_rows(inspections),
        sheet_title=_("Supervision ledger"),
    )


def _on_time(item: Rectification) -> str:
    on_time = item.was_on_time
    if on_time is None:
        return ""
    return _("On time") if on_time else _("Late")


def item_rows(items: QuerySet[Rectification]) -> Iterator[Sequence[Any]]:
    """One row per item; the queryset comes filtered and scoped."""
    today = timezone.localdate()
    warnings = {"overdue": _("Overdue"), "due_soon": _("Due soon")}
    for item in items.select_related(*ITEM_RELATED).iterator(chunk_size=CHUNK):
        yield [
            item.pk,
            item.inspection.inspected_on,
            item.inspection.get_kind_display(),
            item.responsible_name,
            item.requirement,
            item.deadline,
            item.get_status_display(),
            warnings.get(item.warning(today), ""),
            item.answered_at,
            item.accepted_at,
            _on_time(item),
        ]


def items_xlsx(items: QuerySet[Rectification]) -> FileResponse:
    today = timezone.localdate()
    return xlsx_response(
        _("rectification-items-%(date)s.xlsx") % {"date": f"{today:%Y%m%d}"},
        [str(title) for title in ITEM_COLUMNS],
        item_rows(items),
        sheet_title=_("Rectification items"),
    )
