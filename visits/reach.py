"""Policy reach (`PolicyReach`): the enterprises each policy has been explained to, kept in step with the links.

A visit explains policies (`Visit.policies`); the enterprise is its pairing's. Every service that writes a
visit or its policies (visits/services.py: logging, correcting, the admin's save and delete) wraps the
change in `kept(visit_ids)`: the visits' links before and after, each (policy, enterprise) pair changed by
the difference in the same transaction — an addition in one `INSERT … ON CONFLICT DO UPDATE` (two visits
logged at once both count), a removal never below zero, a pair whose last link goes deleted. A pair that
lost a link has its latest date recounted from its links. Bulk writers (the demo seed) call `rebuild`.

`rebuild` recounts from the links, set-based; `drift` lists where the summary and the links disagree
(`manage.py rebuild_tallies --check`), and `repair` rebuilds only the policies that drifted (the nightly job,
beside the visit tally's).
"""

import datetime
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Count, Max, QuerySet

from core import summaries
from visits.models import Policy, PolicyReach, Visit

# A link as the summary counts it: the policy's id, the enterprise's id, the visit's date.
Link = tuple[int, int, datetime.date]
Pair = tuple[int, int]


def links_of(visit_ids: Sequence[int]) -> list[Link]:
    """The visits' policy links with the enterprise and date each counts for, in one query."""
    if not visit_ids:
        return []
    rows = Visit.policies.through.objects.filter(visit_id__in=list(visit_ids)).order_by()
    return list(rows.values_list("policy_id", "visit__pairing__enterprise_id", "visit__visited_on"))


@contextmanager
def kept(visit_ids: Sequence[int]) -> Iterator[None]:
    """Count the change the block makes to these visits' links (their policies, pairing, date, existence)."""
    before = links_of(visit_ids)
    yield
    change(before, links_of(visit_ids))


def change(before: Sequence[Link], after: Sequence[Link]) -> None:
    """Move the summary from the links `before` to those `after`, in the caller's transaction.

    Pairs are written in one order, so that two transactions touching the same pairs cannot deadlock.
    """
    lost = Counter(before)
    lost.subtract(Counter(after))
    net: Counter[Pair] = Counter()
    latest: dict[Pair, datetime.date] = {}
    lowered: set[Pair] = set()
    for (policy_id, enterprise_id, day), n in lost.items():
        pair = (policy_id, enterprise_id)
        net[pair] -= n
        if n > 0:
            lowered.add(pair)  # a link (or its date) went: the latest date may have gone with it
        elif n < 0:
            latest[pair] = max(day, latest.get(pair, day))
    table = connection.ops.quote_name(PolicyReach._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for pair in sorted(set(net) | set(latest)):
            policy_id, enterprise_id = pair
            by = net[pair]
            if by > 0:
                cursor.execute(
                    f"INSERT INTO {table} (policy_id, enterprise_id, visits, last_on) VALUES (%s, %s, %s, %s) "  # nosec B608
                    f"ON CONFLICT (policy_id, enterprise_id) DO UPDATE SET visits = {table}.visits + excluded.visits, "
                    f"last_on = {greatest}({table}.last_on, excluded.last_on)",
                    [policy_id, enterprise_id, by, adapt(latest[pair])],
                )
            elif by < 0:
                # A row short of what it loses has drifted: left for `repair`, never taken below zero.
                cursor.execute(
                    f"UPDATE {table} SET visits = visits - %s "  # nosec B608
                    "WHERE policy_id = %s AND enterprise_id = %s AND visits >= %s",
                    [-by, policy_id, enterprise_id, -by],
                )
                cursor.execute(
                    f"DELETE FROM {table} WHERE policy_id = %s AND enterprise_id = %s AND visits = 0",  # nosec B608
                    [policy_id, enterprise_id],
                )
            elif pair in latest:  # as many links as before, one of them dated later
                cursor.execute(
                    f"UPDATE {table} SET last_on = {greatest}(last_on, %s) "  # nosec B608
                    "WHERE policy_id = %s AND enterprise_id = %s",
                    [adapt(latest[pair]), policy_id, enterprise_id],
                )
    for policy_id, enterprise_id in sorted(lowered):
        newest = _links(Visit).filter(policy_id=policy_id, visit__pairing__enterprise_id=enterprise_id)
        newest_on = newest.aggregate(on=Max("visit__visited_on"))["on"]
        if newest_on is not None:
            PolicyReach.objects.filter(policy_id=policy_id, enterprise_id=enterprise_id).update(last_on=newest_on)


def _links(visit_model: Any) -> QuerySet[Any]:
    return visit_model.policies.through.objects.order_by()


def _counted(visit_model: Any, policy_ids: Sequence[int] | None) -> QuerySet[Any, tuple[Any, ...]]:
    """The links grouped as the summary keeps them: policy, enterprise, visits, the latest date."""
    links = _links(visit_model)
    if policy_ids is not None:
        links = links.filter(policy_id__in=list(policy_ids))
    return (
        links.values("policy_id", "visit__pairing__enterprise_id")
        .annotate(reach_visits=Count("pk"), reach_last=Max("visit__visited_on"))
        .values_list("policy_id", "visit__pairing__enterprise_id", "reach_visits", "reach_last")
    )


def recount(
    reach_model: type[models.Model], visit_model: type[models.Model], policy_ids: Sequence[int] | None = None
) -> int:
    """`rebuild` over the given models (the data migration passes its historical ones); return the rows written."""
    kept = reach_model._default_manager.all()
    if policy_ids is not None:
        kept = kept.filter(policy_id__in=list(policy_ids))
    columns = ("policy_id", "enterprise_id", "visits", "last_on")
    return summaries.replace(kept, columns, _counted(visit_model, policy_ids))


def rebuild(policies: Sequence[Policy] | None = None) -> int:
    """Recount the summary from the links (of the policies given, else all), set-based; return the rows written."""
    return recount(PolicyReach, Visit, None if policies is None else [p.pk for p in policies])


@dataclass(frozen=True)
class Drift:
    """A policy and enterprise where the summary says (`kept`) and the links count (`counted`) differ."""

    policy_id: int
    enterprise_id: int
    kept: tuple[int, datetime.date | None]
    counted: tuple[int, datetime.date | None]


def drift() -> list[Drift]:
    """Where the summary and the links disagree (visits or latest date), in one query, by policy and enterprise."""
    kept_rows = PolicyReach.objects.filter(visits__gt=0).order_by()
    kept_sql, kept_params = kept_rows.values_list(
        "policy_id", "enterprise_id", "visits", "last_on"
    ).query.sql_with_params()
    counted_sql, counted_params = _counted(Visit, None).query.sql_with_params()
    sql = (
        f"SELECT 0, * FROM ({kept_sql} EXCEPT {counted_sql}) AS k "  # nosec B608
        f"UNION ALL SELECT 1, * FROM ({counted_sql} EXCEPT {kept_sql}) AS c"
    )
    found: dict[Pair, list[tuple[int, datetime.date | None]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*kept_params, *counted_params, *counted_params, *kept_params])
        for side, policy_id, enterprise_id, visits, last_on in cursor.fetchall():
            if isinstance(last_on, str):  # SQLite hands a computed date back as text
                last_on = datetime.date.fromisoformat(last_on)
            found.setdefault((policy_id, enterprise_id), [(0, None), (0, None)])[side] = (visits, last_on)
    return [Drift(p, e, said, counted) for (p, e), (said, counted) in sorted(found.items())]


def repair() -> list[Drift]:
    """Rebuild the policies whose summary has drifted (the nightly job); return the drift found."""
    found = drift()
    if found:
        recount(PolicyReach, Visit, sorted({d.policy_id for d in found}))
    return found


def reached(policy_ids: Sequence[int]) -> dict[int, int]:
    """How many enterprises have had each policy explained, by policy id: one count on the summary's index."""
    counts = dict.fromkeys(policy_ids, 0)
    rows = PolicyReach.objects.filter(policy_id__in=list(policy_ids)).order_by()
    counts.update(rows.values_list("policy_id").annotate(n=Count("*")).values_list("policy_id", "n"))
    return counts
