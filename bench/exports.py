"""Time a big export streamed at once and written in the background: wall and CPU time, peak memory, queries.

DATABASE_URL=postgres://…/bangqiao_city_… DEBUG=false .venv/bin/python bench/exports.py [--export ledger]
    [--user city-office] [--params ""] [--runs 3]

Each measurement runs in a fresh process, so its `ru_maxrss` is the peak of that export alone:
- `inline`: the export's URL through Django's test client with the threshold raised above its rows,
  the whole streamed body read (what every export did before issue 16);
- `request`: the same URL at the default threshold, the task not queued: what the user waits for;
- `job`: that request, then `core.exports.export_run` on the job it made (what the worker does), in one
  process: its figures include the request's.
Peak Python memory (tracemalloc) is measured in one more run of each, as tracing slows the work. The jobs
it makes are deleted, with their files and notifications. Read-only otherwise: safe on a city copy.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

URLS = {
    "ledger": "/issues/export.xlsx",
    "visits_per_month": "/cadres/exports/visits.xlsx",
    "enterprises": "/enterprises/exports/enterprises.xlsx",
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _one(mode: str, export: str, username: str, params: str, trace: bool) -> str:
    """Measure one mode in this process; return a line of figures."""
    import tracemalloc

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core import tasks
    from core.exports import export_run
    from core.models import ExportJob
    from notifications.models import Notification

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    url = f"{URLS[export]}?{params}" if params else URLS[export]
    queued: list[int] = []
    tasks.run_export.delay = queued.append  # type: ignore[method-assign]
    if mode == "inline":
        settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 10**9
    if trace:
        tracemalloc.start()
    cpu, started = _cpu(), time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else 0
        rows = None
        if mode == "job":
            job = export_run(job_id=queued[0])
            assert job is not None and job.status == ExportJob.Status.DONE, job and job.error
            size, rows = job.file.size, job.row_count
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for job in ExportJob.objects.filter(pk__in=queued):
        job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=queued).delete()
    Notification.objects.filter(recipient=user, kind__in=["export_ready", "export_failed"]).delete()
    return f"{wall:.2f} {cpu:.2f} {len(captured)} {size} {rows} {peak:.1f} {maxrss:.0f} {response.status_code}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", default="ledger", choices=sorted(URLS))
    parser.add_argument("--user", default="city-office")
    parser.add_argument("--params", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(_one(args.one, args.export, args.user, args.params, args.trace))
        return
    print(f"{args.export} as {args.user} ({args.params or 'no filters'}); medians of {args.runs} runs\n")
    print("| mode | wall s | CPU s | queries | bytes | status | peak Python MiB | process max RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for mode in ("inline", "request", "job"):
        runs = [_child(args, mode, trace=False) for _ in range(args.runs)]
        traced = _child(args, mode, trace=True)
        wall, cpu = (statistics.median(float(r[i]) for r in runs) for i in (0, 1))
        queries, size, status, maxrss = runs[-1][2], runs[-1][3], runs[-1][7], max(int(r[6]) for r in runs)
        print(f"| {mode} | {wall:.1f} | {cpu:.1f} | {queries} | {int(size):,} | {status} | {traced[5]} | {maxrss} |")


def _child(args: argparse.Namespace, mode: str, *, trace: bool) -> list[str]:
    command = [sys.executable, __file__, "--one", mode, "--export", args.export, "--user", args.user]
    command += ["--params", args.params] + (["--trace"] if trace else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1].split()


if __name__ == "__main__":
    main()
