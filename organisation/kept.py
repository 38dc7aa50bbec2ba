"""Where the organisation's and the enterprises' writes touch kept figures (core/kept.py).

- A pairing saved or deleted touches the family "visits" (its figures: visits/kept.py) every month from its
  start, before or after the change, to now (or to its start or end, when later): the months it held, the
  two-visit rule's prorated requirement, the pairings in force. `touch_pairings` does the same, once, for
  pairings written in bulk (organisation/services.py `PairingBook`), which send no signal.
- A department, a cadre, a department's staff member or an enterprise whose name changes touches "names"
  (kept payloads may show names), every month.
- What groups or selects the figures touches the families that group by it, every month: an enterprise's
  sector, street, kind or being active (the problems' and the visits' breakdowns and filters, the enterprises
  counted), a cadre's unit or being active (the grid's units, the unpaired cadres, a cadre's problems by
  unit), a department's kind or being active (the departments table). A new enterprise, cadre or
  department counts in the same figures. `touch_enterprises` and `touch_cadres` are for bulk writers.

The family is only a name: this module touches "visits" and "problems" without importing the apps above.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core import kept
from core.kept_receivers import Loaded
from enterprises.models import Enterprise
from organisation.models import Cadre, Department, DepartmentStaff, Pairing

# What dates a pairing in months: the months it left count as changed too.
PAIRING_DATES = ("started_on", "ended_on", "cadre", "enterprise")
# For each model: the fields shown by name, and those that group or select figures (with the families they reach).
NAMES: dict[type[models.Model], tuple[str, ...]] = {
    Enterprise: ("name",),
    Cadre: ("name",),
    Department: ("name",),
    DepartmentStaff: ("name",),
}
GROUPS: dict[type[models.Model], tuple[str, ...]] = {
    Enterprise: ("sector", "street", "kind", "is_active"),
    Cadre: ("unit", "is_active", "user"),
    Department: ("kind", "is_active"),
    DepartmentStaff: ("department", "user"),
}
GROUPED = ("problems", "visits")

_pairing: Loaded | None = None
_loaded: dict[type[models.Model], Loaded] = {}


def _months(values: Iterable[Any]) -> list[datetime.date]:
    return [kept.month_of(value) for value in values if isinstance(value, datetime.date)]


def pairing_months(pairing: Pairing, before: dict[str, Any] | None = None) -> list[datetime.date]:
    """Every month from the pairing's start (before or after the change) to now, or to its start or end if later."""
    was = before or {}
    starts = _months([pairing.started_on, was.get("started_on")])
    ends = _months([timezone.localdate(), pairing.started_on, pairing.ended_on, was.get("ended_on")])
    return kept.months_between(min(starts), max(ends))


def touch_pairings(pairings: Iterable[Pairing]) -> None:
    """One touch for pairings written in bulk: the months each reaches (as read and as written), together."""
    months: set[datetime.date] = set()
    for pairing in pairings:
        months.update(pairing_months(pairing, _pairing.before(pairing) if _pairing is not None else None))
        if _pairing is not None:
            _pairing.refresh(pairing)
    kept.touch("visits", months)


def touch_grouped() -> None:
    """What a bulk write of enterprises, cadres or departments changes: names and groups, every month."""
    for family in ("names", *GROUPED):
        kept.touch(family, None)


def _pairing_saved(sender: type[Pairing], instance: Pairing, **kwargs: Any) -> None:
    assert _pairing is not None  # connected by `connect`
    kept.touch("visits", pairing_months(instance, _pairing.before(instance)))
    _pairing.refresh(instance)


def _pairing_deleted(sender: type[Pairing], instance: Pairing, **kwargs: Any) -> None:
    kept.touch("visits", pairing_months(instance))


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    loaded = _loaded[sender]
    changed = loaded.changed(instance, update_fields)
    if created or changed & {sender._meta.get_field(name).attname for name in GROUPS[sender]}:  # type: ignore[union-attr]
        touch_grouped()
    elif changed:
        kept.touch("names", None)
    loaded.refresh(instance)


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    touch_grouped()


def connect() -> None:
    """Connect the receivers (OrganisationConfig.ready)."""
    global _pairing
    _pairing = Loaded(Pairing, PAIRING_DATES, "pairing")
    post_save.connect(_pairing_saved, sender=Pairing, dispatch_uid="kept.pairing.save")
    post_delete.connect(_pairing_deleted, sender=Pairing, dispatch_uid="kept.pairing.delete")
    for model, names in NAMES.items():
        label = model._meta.label_lower
        _loaded[model] = Loaded(model, (*names, *GROUPS[model]), label)
        post_save.connect(_saved, sender=model, dispatch_uid=f"kept.{label}.save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"kept.{label}.delete")


__all__ = ["connect", "pairing_months", "touch_grouped", "touch_pairings"]
