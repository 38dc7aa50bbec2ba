"""The leading group's default views, counted again in the worker after a change (`settings.KEPT_WARMERS`).

core/kept.py's `warm` calls `warm()` a few seconds after changes commit: it counts what the dashboard shows
unasked (this month, no filter), the overseers' and the campaign office's home figures, and the first page of the
roll-ups by department and by cadre and of the department table in their default order, in the portal's own
language, for a viewer who sees everything, and leaves them kept, so the first overseer to open them reads them
in one query. No request is needed: those who see everything all see the same figures (`keeping.sight` is
`"all"` for each of them).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone, translation

from core.months import Month
from core.periods import Period
from core.roles import Role
from core.sorting import Sort
from enterprises.streets import streets
from oversight import dashboard, panels, tables
from oversight.scope import Scope

# The roll-ups whose first page is counted ahead: those the leading group's menu opens.
ROLLUPS = ("department", "cadre")


def overseer() -> User:
    """A viewer who sees everything, unsaved: what the counts read of a user is their roles only."""
    user = User(username="kept-warm-up")
    setattr(user, "_portal_roles", frozenset({Role.LEADING_GROUP}))  # noqa: B010 (core/roles.py's cache of them)
    return user


def warm() -> None:
    """Count the dashboard's default view, the two homes' figures and the tables' first pages for those who see
    everything, and keep them."""
    now = timezone.now()
    today = timezone.localdate(now)
    viewer = overseer()
    scope = Scope(Period.month(Month.of(today)))
    dashboard.counted(viewer, scope, now)
    dashboard.service_figures(viewer, scope, now)
    panels.overseer_figures(viewer, today)  # the leading group's home
    panels.overseer_figures(viewer, today, office=True)  # the campaign office's
    streets()  # what the dashboard's street filter offers
    # The tables' pages keep their names as shown, so per language: the portal's own, as a new session reads them.
    with translation.override(settings.LANGUAGE_CODE):
        for dimension in ROLLUPS:
            sort = Sort.read("", (column.key for column in tables.rollup_columns(dimension)))
            tables.rollup_page(viewer, scope, dimension, sort, None, tables.ROLLUP_PAGE_SIZE, now)
        sort = Sort.read("", (column.key for column in tables.DEPARTMENT_COLUMNS))
        tables.department_page(viewer, scope, sort, None, tables.DEPARTMENT_PAGE_SIZE, now)
