"""Where the visits' kept figures are touched (core/kept.py, the family "visits"): every write to a visit, its
enterprise's answer or a pairing says which months of figures it changed, in its own transaction.

How the visit figures depend on time (oversight/scope.py `visit_figures`, visits/compliance.py): a period counts
the visits dated in it, and once it is over only those logged by its end; the two-visit rule judges each month
the pairings in force in it held. So:

- a visit saved or deleted changes the month it is dated in, the month it was logged in, and the running month
  (an old-dated visit logged now is "logged after" its month); a correction to another date or pairing, the
  months it left too;
- the enterprise's answer to a visit (confirmed or denied, saved on the visit) changes the visit's month;
- a pairing saved or deleted changes every month from its start (the earlier of before and after) to now: the
  months it held, the requirement prorated to them, the pairings in force. Its receiver lives with the model,
  in organisation/kept.py (the family is a name: organisation touches it without importing visits), so the
  pairings written in bulk (organisation/services.py) are touched by the same rule.

PolicyReach (the policies explained) is no figure of these pages. Writers that bypass the signals call
`kept.touch` themselves (organisation/services.py's bulk pairings, demo/seed.py, demo/scale.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core import kept
from core.kept_receivers import Loaded
from visits.models import Visit

FAMILY = "visits"

# What dates a visit in months: the months it left count as changed too.
VISIT_DATES = ("visited_on", "created_at", "pairing")

_visit: Loaded | None = None


def _days(values: Iterable[Any]) -> list[datetime.date]:
    return [kept.month_of(value) for value in values if isinstance(value, datetime.date)]


def visit_months(visit: Visit, before: dict[str, Any] | None = None) -> list[datetime.date]:
    """The visit's month, the month it was logged in and the running month (and the months it was in before)."""
    now = timezone.now()
    was = before or {}
    return sorted(set(_days([visit.visited_on, visit.created_at, now, was.get("visited_on"), was.get("created_at")])))


def _visit_saved(sender: type[Visit], instance: Visit, update_fields: Any = None, **kwargs: Any) -> None:
    assert _visit is not None  # connected by `connect`
    written = None if update_fields is None else set(update_fields)
    if written is not None and written <= {"enterprise_answer", "enterprise_remark", "enterprise_answered_at"}:
        kept.touch(FAMILY, [kept.month_of(instance.visited_on)])  # the enterprise's answer: the visit's month
    else:
        before = _visit.before(instance) if _visit.changed(instance, update_fields) else None
        kept.touch(FAMILY, visit_months(instance, before))
    _visit.refresh(instance)


def _visit_deleted(sender: type[Visit], instance: Visit, **kwargs: Any) -> None:
    kept.touch(FAMILY, visit_months(instance))


def connect() -> None:
    """Connect the receivers (VisitsConfig.ready)."""
    global _visit
    _visit = Loaded(Visit, VISIT_DATES, "visit")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="kept.visit.save")
    post_delete.connect(_visit_deleted, sender=Visit, dispatch_uid="kept.visit.delete")


__all__ = ["FAMILY", "connect", "visit_months"]
