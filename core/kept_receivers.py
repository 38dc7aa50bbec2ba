"""What the receivers that touch kept figures share (core/kept.py), and core's own: the working-days calendar.

`Loaded` remembers, for a model, some fields' values as each row was read (from `post_init`, out of the
instance's `__dict__`, so a deferred field is never fetched), so a receiver of `post_save` can tell which of
them the save changed without another query: a move saves the whole problem, yet changes none of what dates it
in past months.

The calendar (`CalendarDay`): "due soon" counts working days, so every figure judged against a horizon reads
it; a day saved or deleted touches the family "calendar", every month.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_init, post_save

from core import kept
from core.models import CalendarDay

# A field that was not loaded with the row (deferred): whatever it is at the save, it counts as changed.
UNREAD = object()


class Loaded:
    """The values some fields of a model had when each instance was read or made."""

    def __init__(self, model: type[models.Model], fields: Iterable[str], uid: str) -> None:
        self.model = model
        # Attribute names as they sit in `__dict__`: a foreign key's `<name>_id`.
        self.attnames = tuple(model._meta.get_field(name).attname for name in fields)  # type: ignore[union-attr]
        self.slot = f"_kept_loaded_{uid}"
        post_init.connect(self._remember, sender=model, dispatch_uid=f"kept.loaded.{uid}", weak=False)

    def _remember(self, sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        values = instance.__dict__
        instance.__dict__[self.slot] = tuple(values.get(name, UNREAD) for name in self.attnames)

    def before(self, instance: models.Model) -> dict[str, Any]:
        """Each field's value as read (UNREAD for a field not read, or an instance made before the receiver)."""
        found = instance.__dict__.get(self.slot) or (UNREAD,) * len(self.attnames)
        return dict(zip(self.attnames, found, strict=True))

    def changed(self, instance: models.Model, update_fields: Iterable[str] | None = None) -> set[str]:
        """The fields the save just wrote with another value than read (of those written, when `update_fields`)."""
        written = None if update_fields is None else {self.model._meta.get_field(f).attname for f in update_fields}  # type: ignore[union-attr]
        return {
            name
            for name, value in self.before(instance).items()
            if (written is None or name in written) and (value is UNREAD or instance.__dict__.get(name) != value)
        }

    def refresh(self, instance: models.Model) -> None:
        """Take the values now saved as the ones read: a second save of the same instance compares with these."""
        self._remember(self.model, instance)


# Every family of kept figures (docs/scale.md, "Kept figures"): what a writer in bulk of everything touches.
FAMILIES = ("problems", "visits", "names", "assessment", "calendar", "supervision")


def touch_every_family() -> None:
    """Every kept figure counted again: for the builders that write a whole district in bulk (demo/)."""
    for family in FAMILIES:
        kept.touch(family, None)


def _calendar_changed(sender: type[CalendarDay], instance: CalendarDay, **kwargs: Any) -> None:
    kept.touch("calendar", None)


def connect() -> None:
    """Connect core's receivers (CoreConfig.ready)."""
    post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="kept.calendar.save")
    post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="kept.calendar.delete")
