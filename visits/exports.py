"""The visits exports: per cadre per month of a year, judged by the two-visit rule, as the campaign office
checks it; and one row per visit of the visit list (its filters), with when it was logged, the
enterprise's answer through its link and how many photos and files prove it."""

import datetime
from collections.abc import Iterator

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import Sheet
from core.months import months_of_year
from core.roles import PortalUser
from organisation.models import Pairing
from visits import compliance
from visits.models import Visit, VisitFile

Row = list[str | int]


def visit_month_headers(year: int) -> list[str]:
    months = [_("%(year)d-%(month)02d") % {"year": m.year, "month": m.month} for m in months_of_year(year)]
    return [
        _("Cadre"),
        _("Unit"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Origin"),
        *months,
        _("Total"),
        str(compliance.SHORT_HEADING),
    ]


def visit_month_rows(user: PortalUser, year: int, today: datetime.date) -> Iterator[Row]:
    """Yield one row per cadre the user may see: visits in each month of the year, their total, the months short.

    The enterprise is the one of the cadre's latest pairing in the year; the visits and the
    months below the rule are the rule module's, as on the grid.
    """
    # Judged 1,000 cadres at a time: a city's 13,900 rows never sit in memory at once.
    for row in compliance.judge_in_batches(months_of_year(year), today, Pairing.objects.visible_to(user)):
        visits = [cell.visits for cell in row.cells]
        enterprise = row.enterprise
        yield [
            row.cadre.name,
            row.cadre.unit.name if row.cadre.unit else "",
            enterprise.name,
            enterprise.uscc or "",
            enterprise.get_origin_display(),
            *visits,
            sum(visits),
            row.short,
        ]


def visit_month_sheet(user: PortalUser, params: QueryDict) -> Sheet:
    """Each cadre's visits per month of `?year=` (this year by default), as the user may see them."""
    today = timezone.localdate()
    asked = params.get("year", "")
    year = int(asked) if asked.isdigit() and 2000 <= int(asked) <= today.year + 1 else today.year
    pairings = Pairing.objects.visible_to(user)
    overlapping = pairings.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=datetime.date(year, 1, 1)),
        started_on__lte=datetime.date(year, 12, 31),
    )
    return Sheet(
        filename=_("visits-%(year)d.xlsx") % {"year": year},
        title=_("Visits per month"),
        headers=visit_month_headers(year),
        rows=lambda: visit_month_rows(user, year, today),
        # One row per cadre with a pairing in the year (compliance.judge's rows).
        count=lambda: overlapping.order_by().values("cadre_id").distinct().count(),
    )


def with_file_count(visits: "QuerySet[Visit]") -> "QuerySet[Visit]":
    """Annotate each visit's number of photos and files (`file_count`) in the same query.

    A subquery, not a join with GROUP BY: the list's count of a city's visits then reads no file rows
    (Django leaves an unused annotation out of `count()`).
    """
    per_visit = VisitFile.objects.filter(visit=OuterRef("pk")).values("visit").annotate(n=Count("pk")).values("n")
    return visits.annotate(file_count=Coalesce(Subquery(per_visit, output_field=IntegerField()), 0))


def visit_headers() -> list[str]:
    return [
        _("Visited on"),
        _("Logged at"),
        _("Mode"),
        _("Cadre"),
        _("Unit"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Summary"),
        _("Enterprise's confirmation"),
        _("Enterprise's remark"),
        _("Enterprise answered at"),
        _("Photos and files"),
    ]


def visit_rows(visits: "QuerySet[Visit]") -> Iterator[Row | list[object]]:
    """Yield one row per visit, in one query however many there are (the file count is annotated)."""
    rows = with_file_count(visits.select_related("pairing__enterprise", "pairing__cadre__unit")).order_by(
        "-visited_on", "-pk"
    )
    for visit in rows.iterator(chunk_size=2000):
        cadre, enterprise = visit.pairing.cadre, visit.pairing.enterprise
        yield [
            visit.visited_on,
            visit.created_at.replace(microsecond=0),  # to the second, as the pages say it
            visit.get_mode_display(),
            cadre.name,
            cadre.unit.name if cadre.unit else "",
            enterprise.name,
            enterprise.uscc or "",
            visit.summary,
            visit.get_enterprise_answer_display() if visit.enterprise_answer else _("Not yet confirmed"),
            visit.enterprise_remark,
            visit.enterprise_answered_at.replace(microsecond=0) if visit.enterprise_answered_at else None,
            visit.file_count,  # type: ignore[attr-defined]  # annotated above
        ]
