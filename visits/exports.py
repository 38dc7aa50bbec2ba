"""Visits per enterprise per month, as the campaign office checks the two-visits-a-month rule."""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from core.roles import Role, roles_of, sees_everything
from enterprises.importers import HEADERS, ORIGIN_VALUES
from enterprises.models import Enterprise
from organisation.models import Pairing

MONTHS = range(1, 13)


def visit_month_headers(year: int) -> list[str]:
    months = [_("%(year)d-%(month)02d") % {"year": year, "month": m} for m in MONTHS]
    return [
        HEADERS["name"][0],
        HEADERS["uscc"][0],
        HEADERS["origin"][0],
        HEADERS["cadre"][0],
        *months,
        _("Total"),
        _("Months below %(n)d visits") % {"n": settings.CAMPAIGN_VISITS_PER_MONTH},
    ]


def _scoped_enterprises(user):
    """Enterprises whose visits the user may see, and the condition on the visits counted."""
    if sees_everything(user):
        return Enterprise.objects.all(), Q()
    if Role.CADRE in roles_of(user):
        # A cadre sees only the visits of their own pairings, past ones included.
        mine = Q(pairings__cadre__user=user)
        return Enterprise.objects.filter(mine), mine
    return Enterprise.objects.none(), Q()


def visit_month_rows(user, year: int, today: datetime.date) -> Iterator[list]:
    """Yield one row per enterprise: its visits in each month of the year; one query, streamed."""
    enterprises, scope = _scoped_enterprises(user)
    counts = {}
    for month in MONTHS:
        start = datetime.date(year, month, 1)
        end = datetime.date(year + month // 12, month % 12 + 1, 1)
        window = Q(pairings__visits__visited_on__gte=start, pairings__visits__visited_on__lt=end)
        counts[f"m{month}"] = Count("pairings__visits", filter=window & scope, distinct=True)
    active = Pairing.objects.active().filter(enterprise=OuterRef("pk")).order_by("-started_on")
    rows = (
        enterprises.annotate(cadre_name=Subquery(active.values("cadre__name")[:1]), **counts)
        .order_by("origin", "name")
        .values_list("name", "uscc", "origin", "cadre_name", *counts)
    )
    # Only months that have begun can fall short; the current month counts while it runs.
    elapsed = [m for m in MONTHS if datetime.date(year, m, 1) <= today]
    required = settings.CAMPAIGN_VISITS_PER_MONTH
    for name, uscc, origin, cadre_name, *per_month in rows.iterator(chunk_size=500):
        short = sum(1 for m in elapsed if per_month[m - 1] < required)
        yield [name, uscc, ORIGIN_VALUES[origin][0], cadre_name, *per_month, sum(per_month), short]
