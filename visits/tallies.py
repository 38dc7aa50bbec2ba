"""The visit tally (`VisitTally`): visits per pairing per calendar month, kept in step with the visits.

Every service that writes a visit (visits/services.py: logging, correcting, the admin's save and delete)
changes the tally in the same transaction, through `count` and `move`: an atomic `INSERT … ON CONFLICT DO
UPDATE SET visits = visits + n`, so two visits logged at once for the same pairing-month both count. Bulk
writers (the demo seed, bench_data) call `rebuild` after their visits instead.

`rebuild` recounts from the visits, set-based (DELETE, then INSERT … SELECT grouped by pairing and month);
`drift` lists where the tally and the visits disagree (`manage.py rebuild_tallies --check`), and `repair`
rebuilds only those pairings (the nightly beat job). The two-visit rule (visits/compliance.py) reads it.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Count, DateField, QuerySet
from django.db.models.functions import Cast, TruncMonth

from core import summaries
from core.kept import touch
from organisation.models import Pairing
from visits.models import Visit, VisitTally

# A visit as the tally counts it: its pairing's id and its date.
Counted = tuple[int, datetime.date]


def month_of(day: datetime.date) -> datetime.date:
    """Return the first day of the (local, calendar) month of a visit's date: the tally's `month`."""
    return day.replace(day=1)


def count(visits: Iterable[Counted], by: int = 1) -> None:
    """Add `by` (negative: take away) to the tally for each visit, in the caller's transaction.

    Keys are written in one order, so that two transactions touching the same months cannot deadlock.
    """
    changes: Counter[tuple[int, datetime.date]] = Counter()
    for pairing_id, visited_on in visits:
        changes[(pairing_id, month_of(visited_on))] += by
    _apply(changes)


def move(before: Counted | None, after: Counted | None) -> None:
    """A visit's pairing or date changed (None: it did not exist before, or no longer does)."""
    changes: Counter[tuple[int, datetime.date]] = Counter()
    if before is not None:
        changes[(before[0], month_of(before[1]))] -= 1
    if after is not None:
        changes[(after[0], month_of(after[1]))] += 1
    _apply(changes)


def _apply(changes: Counter[tuple[int, datetime.date]]) -> None:
    table = connection.ops.quote_name(VisitTally._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for (pairing_id, month), by in sorted(changes.items()):
            if by > 0:
                # One statement, atomic on both databases: the row is created or added to under its lock.
                cursor.execute(
                    f"INSERT INTO {table} (pairing_id, month, visits) VALUES (%s, %s, %s) "  # nosec B608
                    f"ON CONFLICT (pairing_id, month) DO UPDATE SET visits = {table}.visits + excluded.visits",
                    [pairing_id, adapt(month), by],
                )
            elif by < 0:
                # A row short of what it loses has drifted: left for `repair`, never taken below zero.
                cursor.execute(
                    f"UPDATE {table} SET visits = visits - %s "  # nosec B608
                    "WHERE pairing_id = %s AND month = %s AND visits >= %s",
                    [-by, pairing_id, adapt(month), -by],
                )
                cursor.execute(
                    f"DELETE FROM {table} WHERE pairing_id = %s AND month = %s AND visits = 0",  # nosec B608
                    [pairing_id, adapt(month)],
                )


def _counted(visit_model: Any, pairing_ids: QuerySet[Any] | None) -> QuerySet[Any, dict[str, Any]]:
    """The visits grouped as the tally keeps them: `pairing_id`, `month`, `visits`."""
    visits = visit_model.objects.all()
    if pairing_ids is not None:
        visits = visits.filter(pairing_id__in=pairing_ids)
    return (
        visits.order_by()
        .annotate(tally_month=Cast(TruncMonth("visited_on"), DateField()))
        .values("pairing_id", "tally_month")
        .annotate(tally_visits=Count("pk"))
        .values_list("pairing_id", "tally_month", "tally_visits")
    )


def recount(
    tally_model: type[models.Model], visit_model: type[models.Model], pairing_ids: QuerySet[Any] | None = None
) -> int:
    """`rebuild` over the given models (the data migration passes its historical ones); return the rows written."""
    kept = tally_model._default_manager.all()
    if pairing_ids is not None:
        kept = kept.filter(pairing_id__in=pairing_ids)
    return summaries.replace(kept, ("pairing_id", "month", "visits"), _counted(visit_model, pairing_ids))


def rebuild(pairings: QuerySet[Pairing] | None = None) -> int:
    """Recount the tally from the visits (of the pairings given, else all), set-based; return the rows written.

    A tally that had drifted (or visits written in bulk, outside the services) changes what the two-visit rule
    counts: the visits' kept figures of every month are counted again (core/kept.py).
    """
    ids = None if pairings is None else pairings.order_by().values("pk")
    rows = recount(VisitTally, Visit, ids)
    touch("visits", None)
    return rows


@dataclass(frozen=True)
class Drift:
    """A pairing-month where the tally says `kept` visits and the visits count `counted`."""

    pairing_id: int
    month: datetime.date
    kept: int
    counted: int


def drift(pairings: QuerySet[Pairing] | None = None) -> list[Drift]:
    """Where the tally and the visits disagree, in one query (each side EXCEPT the other), by pairing and month."""
    ids = None if pairings is None else pairings.order_by().values("pk")
    kept = VisitTally.objects.filter(visits__gt=0)
    if ids is not None:
        kept = kept.filter(pairing_id__in=ids)
    kept_sql, kept_params = kept.order_by().values_list("pairing_id", "month", "visits").query.sql_with_params()
    counted_sql, counted_params = _counted(Visit, ids).query.sql_with_params()
    sql = (
        f"SELECT 0, * FROM ({kept_sql} EXCEPT {counted_sql}) AS k "  # nosec B608
        f"UNION ALL SELECT 1, * FROM ({counted_sql} EXCEPT {kept_sql}) AS c"
    )
    found: dict[tuple[int, datetime.date], list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*kept_params, *counted_params, *counted_params, *kept_params])
        for side, pairing_id, month, visits in cursor.fetchall():
            if isinstance(month, str):  # SQLite hands a computed date back as text
                month = datetime.date.fromisoformat(month)
            found.setdefault((pairing_id, month), [0, 0])[side] = visits
    return [Drift(pairing_id, month, said, counted) for (pairing_id, month), (said, counted) in sorted(found.items())]


def repair() -> list[Drift]:
    """Rebuild the pairings whose tally has drifted (the nightly job); return the drift found."""
    found = drift()
    if found:
        rebuild(Pairing.objects.filter(pk__in=sorted({d.pairing_id for d in found})))
    return found
