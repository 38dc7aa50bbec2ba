"""Time the reminder scan (`send_reminders`) on a city's data, and on a stress set of open problems.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city_scan REDIS_URL=redis://127.0.0.1:6379/4 \\
        DEBUG=false .venv/bin/python bench/stress_scan.py [--stress 1000000 --due-share 0.05] [--runs 3] [--drop]

On an existing database (a city: `manage.py bench_data --tier city`) it times, at the same `now`,
`send_reminders --dry-run` and a real run that records and queues (`--enqueue`): wall time, queries,
reminders due or recorded, and the process's peak memory (ru_maxrss). Between real runs it deletes what the
run recorded and purges the queue, so each run records the same reminders afresh; one more run at the end
checks that a second scan records nothing. `--stress N` first adds N open problems with `--due-share` of
them due, by the one stress builder (demo/scale.py `build_stress`, PostgreSQL only; `manage.py bench_data
--stress` and `make bench` use it too): here half of the due ones due soon, half overdue, so that every kind
of problem reminder is in the scan's phases (reading, recording, queueing); `--overdue-only` builds
`make bench`'s set (all overdue). `--drop` removes the stress problems (`drop_stress`) and exits.
"""

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")


def _forget(now: datetime.datetime) -> None:
    """Delete what a real run at `now` recorded, and the tasks it queued, so the next run records it afresh."""
    from django.db import connection

    from bangqiao_portal.celery import app

    with connection.cursor() as cursor:
        # Fresh statistics first: planned as if the tables were still empty, the delete walks the
        # deliveries once per reminder (minutes for 160,000 reminders).
        cursor.execute("ANALYZE notifications_reminder, notifications_delivery")
        cursor.execute(
            "DELETE FROM notifications_delivery AS d USING notifications_reminder AS r "
            "WHERE d.reminder_id = r.id AND r.created_at = %s",
            [now],
        )
        cursor.execute("DELETE FROM notifications_reminder WHERE created_at = %s", [now])
    app.control.purge()


PHASES: dict[str, float] = {}


def _timing_phases() -> None:
    """Wrap the scan's reads, its recording and its hand-over so that each run notes how long each took."""
    from notifications import reminders, services

    def timed(module, name: str, phase: str) -> None:
        work = getattr(module, name)

        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return work(*args, **kwargs)
            finally:
                PHASES[phase] = PHASES.get(phase, 0) + time.perf_counter() - began

        setattr(module, name, wrapper)

    timed(reminders, "scan", "reads")
    try:
        from notifications import recording
    except ImportError:  # timing the code before the set-based recording: its writes count under "total" only
        pass
    else:
        timed(recording, "record", "record")
        timed(recording, "untaken", "recorded already?")
    timed(services, "deliveries_enqueue", "queue")


def _run(now: datetime.datetime, *, dry_run: bool):
    """Run the scan as `send_reminders [--dry-run] --enqueue` does; return (seconds, queries, result, phases)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.services import reminders_send

    PHASES.clear()
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        result = reminders_send(now=now, dry_run=dry_run, inline=False)
        took = time.perf_counter() - began
    return took, len(captured), result, dict(PHASES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stress", type=int, default=0, help="first add this many open problems")
    parser.add_argument("--due-share", type=float, default=0.05)
    parser.add_argument("--overdue-only", action="store_true", help="no problem due soon: make bench's stress set")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--drop", action="store_true", help="remove the stress problems and exit")
    parser.add_argument("--dry-only", action="store_true", help="time the dry run only")
    parser.add_argument("--real-only", action="store_true", help="time the real run only")
    args = parser.parse_args()

    import django

    django.setup()
    from django.utils import timezone

    from demo import scale
    from issues.models import Issue
    from notifications.models import Reminder

    _timing_phases()
    if args.drop:
        print(f"Dropped {scale.drop_stress():,} stress problems.")
        return
    if args.stress:
        began = time.perf_counter()
        due = scale.build_stress(args.stress, args.due_share, due_soon=not args.overdue_only)
        print(f"Added {args.stress:,} open problems ({due:,} due) in {time.perf_counter() - began:.0f} s.")
    now = timezone.now().replace(microsecond=0)
    print(
        f"{Issue.objects.count():,} problems, {Issue.objects.open().count():,} open; "
        f"{Reminder.objects.count():,} reminders recorded before; now {timezone.localtime(now):%Y-%m-%d %H:%M}."
    )
    modes = [True] if args.dry_only else [False] if args.real_only else [True, False]
    for dry_run in modes:
        _run(now, dry_run=dry_run)  # warm-up
        if not dry_run:
            _forget(now)
        runs = []
        for _n in range(args.runs):
            runs.append(_run(now, dry_run=dry_run))
            if not dry_run:
                _forget(now)
        seconds = [run[0] for run in runs]
        took, queries, result, phases = runs[-1]
        label = "dry run" if dry_run else "real run (record, queue per person)"
        print(
            f"{label}: median {statistics.median(seconds):.2f} s (runs {', '.join(f'{s:.2f}' for s in seconds)}), "
            f"{queries} queries, {result.total:,} reminders {'due' if dry_run else 'recorded'}, "
            f"{len(result.recipients):,} people queued; last run: "
            + ", ".join(f"{phase} {spent:.2f} s" for phase, spent in phases.items())
        )
    if not args.dry_only:
        _run(now, dry_run=False)
        took, queries, again, _phases = _run(now, dry_run=False)
        print(f"second real run at the same moment: {again.total} recorded, {took:.2f} s, {queries} queries")
        if not args.real_only:
            took, queries, dry, _phases = _run(now, dry_run=True)
            print(f"dry run after it: {dry.total} would be recorded, {took:.2f} s, {queries} queries")
        _forget(now)
    print(f"peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
