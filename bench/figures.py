"""The raw SQL behind the leading group's dashboard: each figure's query timed on its own, this month.

Each problem figure is `measures.rows(…, key, window).count()` (the problems the figure counts, as the ledger
lists them), beside the one aggregate the dashboard runs (`measures.counts`), the per-department and per-cadre
tables and the service figures (`oversight.scope.visit_figures`). A figure that fails is an error row.

They measure counts, not pages: nothing is kept while they run (KEPT_SECONDS 0, core/kept.py), so a function that
keeps its answer still counts each time here.
"""

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench.querylog import fresh as _fresh
from demo import scale


def _time(work: Callable[[], Any], runs: int) -> dict:
    try:
        work()  # warm-up
        times, queries = [], 0
        for _ in range(runs):
            with _fresh(), CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                work()
                times.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
    except Exception as failed:
        return {"error": f"{type(failed).__name__}: {str(failed)[:160]}"}
    return {"median_ms": statistics.median(times), "p95_ms": max(times), "queries": queries, "runs": runs}


@override_settings(KEPT_SECONDS=0)
def figures(runs: int) -> list[tuple[str, dict]]:
    from core.months import Month
    from core.periods import Period
    from issues import measures
    from issues.models import Issue
    from oversight.scope import Scope, visit_figures

    lead = User.objects.get(username=scale.LEAD)
    scope = Scope(Period.month(Month.of(timezone.localdate())))
    window = scope.window()
    issues = Issue.objects.visible_to(lead)
    rows: list[tuple[str, dict]] = [
        ("every problem figure in one query (`measures.counts`)", _time(lambda: measures.counts(issues, window), runs)),
        ("per department (`measures.by_unit`)", _time(lambda: measures.by_unit(issues, window), runs)),
        ("per cadre (`measures.grouped`)", _time(lambda: measures.grouped(issues, window, "reporter"), runs)),
        ("days to resolve (`measures.resolve_days`)", _time(lambda: measures.resolve_days(issues, window), runs)),
        ("service figures (`visit_figures`)", _time(lambda: visit_figures(lead, scope), runs)),
    ]
    for key in measures.MEASURES:
        rows.append(
            (
                f"figure `{key}` on its own (`rows(…).count()`)",
                _time(lambda k=key: measures.rows(issues, k, window).count(), runs),
            )
        )
    return rows
