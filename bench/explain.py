"""EXPLAIN ANALYZE the slowest query of a few pages (PostgreSQL), keeping the lines that say how rows are read.

Each page is read right after a change (bench/timing.py's `changed`), so its counts run rather than its kept
figures being read.
"""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.timing import changed

LABELS = ("ledger page 1", "ledger last page", "ledger search", "inbox: new", "review desk", "home", "dashboard")
KEEP = ("Scan", "Join", "Sort", "Limit", "Aggregate", "Execution Time")


def plans(pages: list, limit_lines: int = 14) -> list[dict]:
    if connection.vendor != "postgresql":
        return []
    out = []
    for page in pages:
        if page.label not in LABELS or not page.url or page.error:
            continue
        try:
            client = Client()
            client.force_login(get_user_model().objects.get(username=page.username))
            changed()
            with CaptureQueriesContext(connection) as captured:
                client.get(page.url)
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])  # nosec B608 - the page's own query
                lines = [row[0] for row in cursor.fetchall()]
        except Exception as failed:
            out.append({"label": f"{page.role}: {page.label}", "ms": 0.0, "lines": [f"no plan: {failed}"[:200]]})
            continue
        kept = [line for line in lines if any(word in line for word in KEEP)][:limit_lines]
        out.append({"label": f"{page.role}: {page.label}", "ms": float(slowest["time"]) * 1000, "lines": kept})
    return out
