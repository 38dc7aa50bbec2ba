"""Where the problems' kept figures are touched (core/kept.py, the family "problems"): every write to a problem or
its timeline says which months of figures it changed, in its own transaction.

How a figure depends on time (issues/measures.py): a period still running reads the problems as they are; a
closed period reads each problem's state from its last event before the period's end, and its moves from the
events dated in it. So:

- a problem saved with only its state changed (a move: status, flow, department, deadline, the supervision, the
  reply…; its `updated_at` with them) changes the running month's figures only;
- a problem made, or changed in what dates or groups it (its enterprise, reporter, category, source, date
  reported: an admin's edit), or a state written without its `updated_at` (a closed period would then read the
  row), changes every month from the one it was reported in to now;
- an event changes the months from its own to now: its month's moves, and the state a closed month reads for
  the problem (now, for an event made now: the running month only). An acceptance also credits an assignment
  made up to CAMPAIGN_ACCEPT_DAYS days before it ("accepted in time"), possibly in the month before;
- a problem or event deleted: every month from its date to now;
- a category saved or deleted: its name, which kept payloads may show (the family "names").

Writers that bypass the signals (bulk inserts, `update()`) call `kept.touch` themselves (demo/scale.py,
demo/seed.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core import kept
from core.kept_receivers import Loaded
from issues.models import Action, Issue, IssueCategory, IssueEvent

FAMILY = "problems"

# What places a problem in past months' figures: a change to any of these reaches every month since it was
# reported. Everything else a save writes is its state, which only the running month reads from the row.
IDENTITY = ("enterprise", "reporter", "visit", "category", "source", "created_at")
# The state fields the moves write; a save of these without `updated_at` leaves a closed period reading the row.
STATE = ("status", "flow", "department", "deadline", "closed_at", "resolved_at", "supervised", "matter")

_identity: Loaded | None = None


def problem_months(issue: Issue, since: datetime.datetime | None = None) -> list[datetime.date]:
    """Every month from the one the problem was reported in (or `since`, when earlier) to now."""
    now = timezone.now()
    first = min(day for day in (issue.created_at, since, now) if day is not None)
    return kept.months_between(kept.month_of(first), kept.month_of(now))


def event_months(event: IssueEvent) -> list[datetime.date]:
    """The months an event's figures reach: from its own (an acceptance: from the assignments it credits) to now."""
    first = event.created_at
    if event.action == Action.ACCEPT:
        first -= datetime.timedelta(days=settings.CAMPAIGN_ACCEPT_DAYS)
    return kept.months_between(kept.month_of(first), kept.month_of(max(timezone.now(), event.created_at)))


def _issue_saved(sender: type[Issue], instance: Issue, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    assert _identity is not None  # connected by `connect`
    before = _identity.before(instance)
    changed = _identity.changed(instance, update_fields)
    written = None if update_fields is None else set(update_fields)
    state_without_stamp = written is not None and "updated_at" not in written and bool(written & set(STATE))
    if created or changed or state_without_stamp:
        was = before.get("created_at")
        kept.touch(FAMILY, problem_months(instance, was if isinstance(was, datetime.datetime) else None))
    else:
        kept.touch(FAMILY, [kept.month_of(timezone.now())])
    _identity.refresh(instance)


def _issue_deleted(sender: type[Issue], instance: Issue, **kwargs: Any) -> None:
    kept.touch(FAMILY, problem_months(instance))


def _event_saved(sender: type[IssueEvent], instance: IssueEvent, **kwargs: Any) -> None:
    kept.touch(FAMILY, event_months(instance))


def _category_changed(sender: type[IssueCategory], instance: IssueCategory, **kwargs: Any) -> None:
    kept.touch("names", None)


def connect() -> None:
    """Connect the receivers (IssuesConfig.ready)."""
    global _identity
    _identity = Loaded(Issue, IDENTITY, "issue")
    post_save.connect(_issue_saved, sender=Issue, dispatch_uid="kept.issue.save")
    post_delete.connect(_issue_deleted, sender=Issue, dispatch_uid="kept.issue.delete")
    post_save.connect(_event_saved, sender=IssueEvent, dispatch_uid="kept.event.save")
    post_delete.connect(_event_saved, sender=IssueEvent, dispatch_uid="kept.event.delete")
    post_save.connect(_category_changed, sender=IssueCategory, dispatch_uid="kept.category.save")
    post_delete.connect(_category_changed, sender=IssueCategory, dispatch_uid="kept.category.delete")


__all__ = ["FAMILY", "IDENTITY", "connect", "event_months", "problem_months"]
