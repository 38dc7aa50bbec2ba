"""The leading group's default views, counted again in the worker after a change (`settings.KEPT_WARMERS`).

core/kept.py's `warm` calls `warm()` a few seconds after changes commit: it counts what the dashboard shows
unasked (this month, no filter) and the overseers' and the campaign office's home figures, for a viewer who
sees everything, and leaves them kept, so the first overseer to open them reads them in one query. No request
is needed: those who see everything all see the same figures (`keeping.sight` is `"all"` for each of them).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from core.months import Month
from core.periods import Period
from core.roles import Role
from enterprises.streets import streets
from oversight import dashboard, panels
from oversight.scope import Scope


def overseer() -> User:
    """A viewer who sees everything, unsaved: what the counts read of a user is their roles only."""
    user = User(username="kept-warm-up")
    setattr(user, "_portal_roles", frozenset({Role.LEADING_GROUP}))  # noqa: B010 (core/roles.py's cache of them)
    return user


def warm() -> None:
    """Count the dashboard's default view and the two homes' figures for those who see everything, and keep them."""
    now = timezone.now()
    today = timezone.localdate(now)
    viewer = overseer()
    scope = Scope(Period.month(Month.of(today)))
    dashboard.counted(viewer, scope, now)
    dashboard.service_figures(viewer, scope, now)
    panels.overseer_figures(viewer, today)  # the leading group's home
    panels.overseer_figures(viewer, today, office=True)  # the campaign office's
    streets()  # what the dashboard's street filter offers
