"""Helpers for the tests of who sees which rows (`visible_to(user)`), with the `everyone` personas."""

from collections.abc import Callable, Iterable

OVERSEERS = ("leader", "office", "superuser")


def seen_by(everyone: dict, rows: Callable[[object], Iterable]) -> dict[str, list]:
    """Return each persona's visible rows as a sorted list (not a set: a row listed twice would show)."""
    return {name: sorted(rows(user)) for name, user in everyone.items()}


def expected(every: Iterable, **seen: Iterable) -> dict[str, list]:
    """Return what `seen_by` should give: overseers see `every` row, an account without a role nothing."""
    rows = {**seen, **dict.fromkeys(OVERSEERS, every), "nobody": (), "anonymous": ()}
    return {name: sorted(names) for name, names in rows.items()}
