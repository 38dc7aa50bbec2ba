"""Visits per cadre per month of a year, judged by the two-visit rule, as the campaign office checks it."""

import datetime
from collections.abc import Iterator

from django.utils.translation import gettext as _

from core.months import months_of_year
from core.roles import PortalUser
from organisation.models import Pairing
from visits import compliance

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
    for row in compliance.judge(months_of_year(year), today, Pairing.objects.visible_to(user)):
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
