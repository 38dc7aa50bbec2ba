"""The heavy jobs beside the pages: the reminder scan, a 10,000-row import, a 100,000-row ledger export.

Each runs in a transaction rolled back afterwards, so it can run again on the same data. Time is wall-clock;
peak memory is Python's (tracemalloc), measured in a run of its own so that tracing does not slow the timed one.
A job that fails, or runs past its time limit, is reported as such.
"""

import contextlib
import datetime
import signal
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.querylog import fresh as _fresh


class TooLong(BaseException):  # not an Exception: the work's own handlers must not swallow it
    pass


@contextlib.contextmanager
def limit(seconds: int) -> Iterator[None]:
    """Raise TooLong in the work after `seconds` (the scan at main's size can run for hours)."""

    def stop(_signum: int, _frame: Any) -> None:
        raise TooLong(f"stopped after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class _Undo(Exception):
    pass


def _rolled_back(work: Callable[[], Any]) -> Any:
    """Run work in a transaction and roll it back; return what it returned."""
    box: list[Any] = []
    with contextlib.suppress(_Undo), transaction.atomic():
        box.append(work())
        raise _Undo
    return box[0]


def run(work: Callable[[], Any], runs: int = 1, seconds: int = 600, memory: bool = False) -> dict:
    """Time `work` (rolled back each time) `runs` times, count its queries, and optionally its peak memory."""
    times: list[float] = []
    queries = 0
    found: Any = None
    try:
        with limit(seconds):
            for _ in range(runs):
                with _fresh(), CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    found = _rolled_back(work)
                    times.append(time.perf_counter() - started)
                queries = len(captured)
            peak = None
            if memory:
                tracemalloc.start()
                try:
                    _rolled_back(work)
                    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
                finally:
                    tracemalloc.stop()
    except TooLong as stopped:
        return {"error": f"did not finish: {stopped}"}
    except Exception as failed:
        return {"error": f"{type(failed).__name__}: {str(failed)[:200]}"}
    result = {"seconds": statistics.median(times), "runs": runs, "queries": queries, "found": found}
    if peak is not None:
        result["peak_mib"] = peak
    return result


def scan(runs: int, seconds: int) -> dict:
    """The reminder scan, recording included (deliveries are not sent: the hand-over runs after a commit)."""
    from notifications.services import reminders_send

    now = timezone.now()

    def work() -> int:
        return reminders_send(now=now).total

    return run(work, runs=runs, seconds=seconds)


def import_list(rows: int, seconds: int, cadres: bool) -> dict:
    """Preview then import a list of `rows` new enterprises (the services), each with a new cadre paired to it
    if `cadres` (a cadre holds one pairing at a time, so the list's cadres are new ones)."""
    from enterprises.uscc import check_character
    from organisation.imports import enterprise_import, enterprise_import_table
    from tests.organisation.helpers import HEADER, xlsx_bytes

    paired_on = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    table = [HEADER]
    for i in range(rows):
        body = f"92610111{i:09d}"
        name, title = (f"导入干部{i:05d}", "科长") if cadres else ("", "")
        uscc = body + check_character(body)
        table.append(
            [
                f"导入基准企业{i:06d}有限公司",
                uscc,
                "企业",
                "市级确定",
                "工业",
                "纺织城街道",
                name,
                title,
                paired_on if cadres else "",
            ]
        )
    data = xlsx_bytes(table)

    def work() -> str:
        preview = enterprise_import(data=data, dry_run=True, filename="名单.xlsx")
        if not preview.ok or preview.table is None:
            return f"refused: {[e.code for e in preview.errors][:3]}"
        done = enterprise_import_table(table=preview.table, dry_run=False)
        return "imported" if done.ok else f"refused: {[e.code for e in done.errors][:3]}"

    return run(work, runs=1, seconds=seconds, memory=True)


def export_ledger(seconds: int) -> dict:
    """The ledger's xlsx export of every problem, as the leading group downloads it."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from demo import scale
    from issues.models import Issue

    client = Client()
    client.force_login(User.objects.get(username=scale.LEAD))
    url = reverse("issues:ledger_export")

    def work() -> str:
        # Above CAMPAIGN_EXPORT_INLINE_MAX_ROWS the page queues a job and redirects to "my exports"; the
        # worker's part (core.exports.export_run) is timed here too, in this process, so the figure is the
        # request and the file together.
        from core.exports import export_run
        from core.models import ExportJob

        response = client.get(url)
        if response.status_code == 302:
            job = ExportJob.objects.filter(user__username=scale.LEAD).latest("pk")
            done = export_run(job_id=job.pk)
            if done is None or done.status != ExportJob.Status.DONE:
                return f"background job {job.pk} failed"
            size = done.file.size if done.file else 0
            done.file.delete(save=False)  # the rows are rolled back; the file on disk goes too
            return f"{size / 1024 / 1024:.1f} MiB xlsx, written in the background"
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return f"{len(body) / 1024 / 1024:.1f} MiB xlsx, streamed"

    result = run(work, runs=1, seconds=seconds, memory=True)
    result["rows"] = Issue.objects.count()
    return result
