"""Kept figures: what a counting page counted, kept until something it counted changes.

A page that counts a whole period (the dashboard, the monthly report, the roll-ups, the grid, the assessment)
reads the same answer again and again while nothing it counts changes. `remember` keeps the answer in the
cache under the versions of the months it depends on, per family of data, and the date it was judged on; a
writer says what it changed with `touch` (the family and the months), in its own transaction, and the next
reader counts again. So a figure is never older than the data: a move, a visit or a pairing change shows at
once, as if nothing were kept.

Where each family is touched is said once, beside its models: `issues/kept.py` (the problems),
`visits/kept.py` (the visits and pairings). Writers that bypass the models' signals (bulk inserts, `update()`)
call `touch` themselves.

What is kept is also keyed by the portal's code (`_code`): after a deploy every figure is counted again by the
new code, whatever the old one kept.

`reading` makes every version read of a block one query: a request (`core.middleware.KeptVersionsMiddleware`)
or the worker's warm-up reads the whole table of versions once, however many kept answers its page asks for.

`warm` counts the default views again in the worker after a change (`KEPT_WARMERS`), so a reader seldom pays
for it: see docs/scale.md, "Kept figures".
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from core.models import FigureVersion

T = TypeVar("T")

# The row whose token changes when a change reaches every month of a family: every figure of the family reads it.
EVERY_MONTH = datetime.date(1, 1, 1)
# The row whose token changes with any touch of the family: what a figure over every month (`None`) reads instead of
# every month's row, so a month's row made by a reader for the first time never looks like a change to it.
ANY_MONTH = datetime.date(1, 1, 2)

# Months a figure depends on: the first days of calendar months. None: every month (the family's all-time figures).
Months = Iterable[datetime.date] | None


def month_of(day: datetime.date | datetime.datetime) -> datetime.date:
    """The first day of the month a date (or a local datetime's date) falls in: how months are named here."""
    if isinstance(day, datetime.datetime):
        from django.utils import timezone

        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from the one `first` is in to the one `last` is in (empty when last is before first)."""
    found: list[datetime.date] = []
    month, end = month_of(first), month_of(last)
    while month <= end:
        found.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return found


# The versions read once for a block (`reading`): (family, month) -> token; None outside one, {} before the first read.
_read_once: ContextVar[dict[tuple[str, datetime.date], str] | None] = ContextVar("kept_versions", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within the block, the versions are read once, all of them, at the first kept answer asked for.

    A page that keeps several answers (its figures, the streets its filters offer) pays one query for their
    versions, not one each. The versions are those of the block's first read: a change another process commits
    later shows at the next request, as it would had it committed a moment later. A touch within the block is
    seen at once (`touch_many` writes its tokens into what was read).
    """
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


# Every family of kept figures: what a writer in bulk of everything touches (`touch_every_family`).
FAMILIES = ("problems", "visits", "names", "assessment", "calendar", "supervision")


def touch(family: str, months: Months) -> None:
    """Say the family's data of these months (None: of every month) changed: their kept figures are counted again.

    In the caller's transaction: a reader sees the new tokens exactly when it sees the change.
    """
    touch_many({family: months})


def touch_many(changed: Mapping[str, Months]) -> None:
    """`touch` for several families at once, in one statement: for a write that reaches several (an import).

    Rows are written in one order (family, month), so two writers touching the same months cannot deadlock.
    """
    rows: set[tuple[str, datetime.date]] = set()
    for family, months in changed.items():
        named = [EVERY_MONTH] if months is None else [month_of(month) for month in months]
        rows.update((family, month) for month in named)
        if named and months is not None:
            rows.add((family, ANY_MONTH))
    if not rows:
        return
    written = [FigureVersion(family=family, month=month, token=uuid.uuid4().hex) for family, month in sorted(rows)]
    FigureVersion.objects.bulk_create(
        written, update_conflicts=True, unique_fields=["family", "month"], update_fields=["token"]
    )
    read = _read_once.get()
    if read:  # the block's later figures see its own change
        read.update({(row.family, row.month): row.token for row in written})
    if settings.KEPT_WARM:
        transaction.on_commit(_schedule_warm)


def touch_every_family() -> None:
    """Every kept figure counted again: for the builders that write a whole district in bulk (demo/)."""
    touch_many(dict.fromkeys(FAMILIES))


def remember(
    name: str,
    depends: Mapping[str, Months],
    count: Callable[[], T],
    *,
    judged_on: datetime.date | None = None,
    parts: Iterable[Any] = (),
) -> T:
    """`count()`, or what it gave last under the same versions of what it depends on.

    `name` and `parts` say what is counted (a page's figures, its period and filters, the viewer's sight);
    `depends` which months of which family it reads (None: every month); `judged_on` the day its figures are
    judged against when they depend on it (overdue, due soon, the running month's rule). One query reads the
    versions. What `count` returns is pickled into the cache: plain data (numbers, strings, dicts, lists,
    dataclasses of them), not lazy translations.
    """
    if not settings.KEPT_SECONDS:
        return count()
    key = _key(name, depends, judged_on, parts)
    found = cache.get(key)
    if found is not None:
        return found
    value = count()
    cache.set(key, value, settings.KEPT_SECONDS)
    return value


class Monthly:
    """Each month's answer of a series (a trend's months), kept under that month's versions alone (`by_month`).

    `found` holds the months kept, `missing` those to count; the caller counts the missing months (best in the
    statement it sends anyway) and hands them to `keep`. A change to one month (a move, a visit: the running
    month) counts that month again, not the eleven before it.
    """

    def __init__(self, found: dict[datetime.date, Any], keys: dict[datetime.date, str]) -> None:
        self.found = found
        self.keys = keys

    @property
    def missing(self) -> list[datetime.date]:
        return [month for month in self.keys if month not in self.found]

    def keep(self, counted: Mapping[datetime.date, Any]) -> None:
        """Keep the months counted (those asked for as missing) and add them to what was found."""
        fresh = {month: value for month, value in counted.items() if month in self.keys}
        self.found.update(fresh)
        if settings.KEPT_SECONDS and fresh:
            cache.set_many({self.keys[month]: value for month, value in fresh.items()}, settings.KEPT_SECONDS)

    def values(self) -> list[Any]:
        """Every month's answer, in the order asked for (after `keep`)."""
        return [self.found[month] for month in self.keys]


def by_month(
    name: str,
    family: str,
    months: Iterable[datetime.date],
    *,
    parts: Iterable[Any] = (),
    apart: bool = True,
    over: Callable[[datetime.date], bool] | None = None,
) -> Monthly:
    """What is kept of a series of months' answers, each under its own month's versions of the family.

    A month's answer must read only that month's data of the family (problems reported in it, visits dated in
    it) and whatever `parts` names; `over` says whether a month is over (a month counted while it ran is counted
    again once it is over, whose rule may differ: visits logged after it). With `apart` False (a viewer whose
    sight a change elsewhere can widen: not everything), every month's answer reads the versions of all the
    months, as one answer over them would. No query beyond the versions' read.
    """
    wanted = [month_of(month) for month in months]
    if not settings.KEPT_SECONDS:
        return Monthly({}, dict.fromkeys(wanted, ""))
    named = list(parts)
    found = _versions({family: sorted(set(wanted))})  # one read (and one write of rows never made) for them all
    keys = {
        month: _key(
            name,
            {family: [month] if apart else wanted},
            None,
            [*named, month, over(month) if over else None],
            found,
        )
        for month in wanted
    }
    kept = cache.get_many(list(keys.values()))
    return Monthly({month: kept[key] for month, key in keys.items() if key in kept}, keys)


def _key(
    name: str,
    depends: Mapping[str, Months],
    judged_on: datetime.date | None,
    parts: Iterable[Any],
    found: dict[tuple[str, datetime.date], str] | None = None,
) -> str:
    """The cache key of an answer; `found`: the versions already read (`_versions`), else they are read here."""
    wanted: dict[str, list[datetime.date] | None] = {
        family: None if months is None else sorted({month_of(month) for month in months})
        for family, months in depends.items()
    }
    tokens = _hashed(wanted, _versions(wanted) if found is None else found)
    text = "|".join(
        [
            _code(),
            name,
            repr(list(parts)),
            judged_on.isoformat() if judged_on else "",
            *(f"{family}:{tokens[family]}" for family in sorted(wanted)),
        ]
    )
    return "kept:" + hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _code() -> str:
    """The portal's own code, as a hash of its Python files: a deploy that changes what a count returns (or how it
    is shaped) never reads what the old code kept. Read once per process."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for app in [*sorted(path.parent for path in root.glob("*/apps.py")), root / "bangqiao_portal"]:
        for source in sorted(app.rglob("*.py")):
            digest.update(str(source.relative_to(root)).encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _rows(months: list[datetime.date] | None) -> list[datetime.date]:
    """The version rows a figure over these months reads: the every-month row, and each month's (None: the
    any-month row, which every touch of the family changes)."""
    return [EVERY_MONTH, ANY_MONTH] if months is None else [EVERY_MONTH, *months]


def _versions(wanted: Mapping[str, list[datetime.date] | None]) -> dict[tuple[str, datetime.date], str]:
    """The version rows the months of each family read (`_rows`), in one query.

    A family and month never touched has no row yet: one is made with a new token (so a database loaded again,
    whose rows are new, never meets a figure kept for the old one), in a second query.
    """
    found = _read(wanted)
    missing = [
        (family, month) for family, months in wanted.items() for month in _rows(months) if (family, month) not in found
    ]
    if missing:
        made = [FigureVersion(family=family, month=month, token=uuid.uuid4().hex) for family, month in missing]
        FigureVersion.objects.bulk_create(made, ignore_conflicts=True)
        # Not read back: where another reader's row won, the figure is kept under a token nobody else asks for,
        # which costs one count later and is never wrong.
        # Within `reading`, `found` is the block's own copy of the versions: the rows made are remembered there too.
        found.update({(row.family, row.month): row.token for row in made})
    return found


def _hashed(
    wanted: Mapping[str, list[datetime.date] | None], found: Mapping[tuple[str, datetime.date], str]
) -> dict[str, str]:
    """Each family's token: a hash of the versions of the rows its months read."""
    return {
        family: hashlib.sha256(repr([(month, found[(family, month)]) for month in _rows(months)]).encode()).hexdigest()
        for family, months in wanted.items()
    }


def _read(wanted: Mapping[str, list[datetime.date] | None]) -> dict[tuple[str, datetime.date], str]:
    """The tokens of the rows wanted: within `reading`, every row of the table, read at the block's first call
    (a few hundred rows: six families, one row per month each has been read or changed in); else only these."""
    read = _read_once.get()
    if read:
        return read
    rows = FigureVersion.objects.values_list("family", "month", "token")
    if read is None:
        condition = Q(pk__in=[])
        for family, months in wanted.items():
            condition |= Q(family=family, month__in=_rows(months))
        rows = rows.filter(condition)
    found = {(family, month): token for family, month, token in rows}
    if read is not None:
        read.update(found)
        return read
    return found


# -- counting the default views again after a change, in the worker --------------------------------------------

WARM_PENDING = "kept:warm:pending"


def _schedule_warm() -> None:
    """Queue one warm-up however many changes commit before the worker takes it."""
    if cache.add(WARM_PENDING, 1, timeout=settings.KEPT_WARM_DELAY_SECONDS * 10):
        from core.tasks import warm_kept

        warm_kept.apply_async(countdown=settings.KEPT_WARM_DELAY_SECONDS)


def warm() -> int:
    """Count each registered default view (`KEPT_WARMERS`, dotted paths of callables), so it is kept for readers."""
    cache.delete(WARM_PENDING)
    for path in settings.KEPT_WARMERS:
        with reading():
            import_string(path)()
    return len(settings.KEPT_WARMERS)
