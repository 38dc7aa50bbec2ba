"""Time the reminder scan (`send_reminders`) on a city's data, and on a stress set of open problems.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city_scan REDIS_URL=redis://127.0.0.1:6379/4 \\
        DEBUG=false .venv/bin/python bench/stress_scan.py [--stress 1000000 --due-share 0.05] [--runs 3] [--drop]

On an existing database (a city: `manage.py bench_data --tier city`) it times, at the same `now`,
`send_reminders --dry-run` and a real run that records and queues (`--enqueue`): wall time, queries,
reminders due or recorded, and the process's peak memory (ru_maxrss). Between real runs it deletes what the
run recorded and purges the queue, so each run records the same reminders afresh; one more run at the end
checks that a second scan records nothing. `--stress N` first adds N open problems (`build_stress`) with
`--due-share` of them due: PostgreSQL only, one `INSERT … SELECT … generate_series` statement.
`--drop` removes the stress problems and exits.

Its stress set mixes problems due soon and overdue (each kind of problem reminder), so the scan's phases
(reading, recording, queueing) can be timed apart; `make bench` uses `manage.py bench_data --stress`
(demo/scale.py: 5% overdue, the rest due later) for its one figure. Every stress problem's title here starts
with STRESS_TITLE, which is how `drop_stress` finds them.
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

STRESS_TITLE = "压力测试问题"  # a prefix no real problem has
STRESS_STAFF = "stress-staff-"  # the usernames of the departments' staff the stress set adds
STAFF_PER_DEPARTMENT = 2

# Two staff accounts for each active department, as a city's units have (the city tier has none): without
# them a problem due soon reminds nobody and an overdue one only its cadre.
_STAFF_SQL = [
    """
    INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
        date_joined)
    SELECT '!', false, %(prefix)s || d.id || '-' || n, '', '', %(prefix)s || d.id || '-' || n || '@bangqiao.local',
        false, true, now()
    FROM organisation_department AS d CROSS JOIN generate_series(1, %(per)s) AS n
    WHERE d.is_active
    """,
    """
    INSERT INTO organisation_departmentstaff (name, phone, department_id, user_id)
    SELECT '压力测试科员' || u.id, '', split_part(substr(u.username, length(%(prefix)s) + 1), '-', 1)::bigint, u.id
    FROM auth_user AS u WHERE u.username LIKE %(prefix)s || '%%'
    """,
    """
    INSERT INTO auth_user_groups (user_id, group_id)
    SELECT u.id, g.id FROM auth_user AS u, auth_group AS g
    WHERE u.username LIKE %(prefix)s || '%%' AND g.name = 'department_staff'
    """,
]


def stress_sql(*, open_problems: int, due_share: float, today: datetime.date) -> list[tuple[str, dict]]:
    """Return the PostgreSQL statements (with their parameters) adding the stress set.

    First STAFF_PER_DEPARTMENT staff accounts for each active department (unless there are some already),
    then, in one `INSERT … SELECT … generate_series` statement, `open_problems` open problems.

    Every problem is with a department (status in_progress or assigned, as after assignment), with a
    deadline, an enterprise, a reporter who is that enterprise's cadre, and a category, all picked from the
    rows already there (round robin over the pairings, departments and categories). `due_share` of them are
    due: half within the due-soon window (deadline today or tomorrow), half overdue by 1 to 20 days (so some
    are past the leading group's threshold); the rest fall due 30 to 395 days from today.
    """
    due = round(open_problems * due_share)
    sql = """
        WITH pairings AS (
            SELECT enterprise_id, cadre_id, row_number() OVER (ORDER BY id) - 1 AS n
            FROM organisation_pairing
        ), departments AS (
            SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM organisation_department WHERE is_active
        ), categories AS (
            SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM issues_issuecategory
        ), sizes AS (
            SELECT (SELECT count(*) FROM pairings) AS p, (SELECT count(*) FROM departments) AS d,
                   (SELECT count(*) FROM categories) AS c
        )
        INSERT INTO issues_issue (
            title, description, flow, status, responsible_person, deadline, supervised, version, resolution,
            created_at, updated_at, resolved_at, closed_at, department_id, enterprise_id, reporter_id, visit_id,
            category_id, matter_id, responsible_staff_id, source
        )
        SELECT
            %(title)s || g, '', 'assigned', CASE WHEN g %% 4 = 0 THEN 'assigned' ELSE 'in_progress' END, '',
            CASE
                WHEN g <= %(due)s / 2 THEN %(today)s::date + (g %% 2)
                WHEN g <= %(due)s THEN %(today)s::date - 1 - (g %% 20)
                ELSE %(today)s::date + 30 + (g %% 366)
            END,
            false, 0, '', %(now)s, %(now)s, NULL, NULL, departments.id, pairings.enterprise_id, pairings.cadre_id,
            NULL, categories.id, NULL, NULL, 'cadre'
        FROM generate_series(1, %(count)s) AS g
        CROSS JOIN sizes
        JOIN pairings ON pairings.n = g %% sizes.p
        JOIN departments ON departments.n = g %% sizes.d
        JOIN categories ON categories.n = g %% sizes.c
    """
    now = datetime.datetime.combine(today, datetime.time(9), tzinfo=datetime.UTC) - datetime.timedelta(days=60)
    staff = {"prefix": STRESS_STAFF, "per": STAFF_PER_DEPARTMENT}
    problems = {"title": STRESS_TITLE, "due": due, "today": today, "now": now, "count": open_problems}
    return [*((statement, staff) for statement in _STAFF_SQL), (sql, problems)]


def build_stress(open_problems: int, due_share: float) -> int:
    """Add `open_problems` open problems, `due_share` of them due today, to this PostgreSQL database; return added."""
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise SystemExit("The stress set is built on PostgreSQL only.")
    statements = stress_sql(open_problems=open_problems, due_share=due_share, today=timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auth_user WHERE username LIKE %s", [STRESS_STAFF + "%"])
        if cursor.fetchone()[0]:
            statements = statements[-1:]  # the staff are there from an earlier stress set
        for sql, params in statements:
            cursor.execute(sql, params)
            added = cursor.rowcount  # the last statement's: the problems
        cursor.execute("ANALYZE")
    return added


def drop_stress() -> int:
    """Remove the stress problems and staff, with the reminders about or for them; return how many problems."""
    from django.db import connection

    problems = "SELECT id FROM issues_issue WHERE title LIKE %(title)s"
    staff = "SELECT id FROM auth_user WHERE username LIKE %(staff)s"
    reminders = (
        f"SELECT id FROM notifications_reminder WHERE recipient_id IN ({staff}) "
        f"OR (kind LIKE 'issue%%' AND object_id IN ({problems}))"
    )
    statements = [
        f"DELETE FROM notifications_delivery WHERE reminder_id IN ({reminders})",
        f"DELETE FROM notifications_notification WHERE reminder_id IN ({reminders}) OR recipient_id IN ({staff})",
        f"DELETE FROM notifications_reminder WHERE id IN ({reminders})",
        f"DELETE FROM issues_issue WHERE id IN ({problems})",
        f"DELETE FROM auth_user_groups WHERE user_id IN ({staff})",
        f"DELETE FROM organisation_departmentstaff WHERE user_id IN ({staff})",
        f"DELETE FROM auth_user WHERE id IN ({staff})",
    ]
    params = {"title": STRESS_TITLE + "%", "staff": STRESS_STAFF + "%"}
    dropped = 0
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
            if sql.startswith("DELETE FROM issues_issue"):
                dropped = cursor.rowcount
        cursor.execute("ANALYZE")
    return dropped


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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--drop", action="store_true", help="remove the stress problems and exit")
    parser.add_argument("--dry-only", action="store_true", help="time the dry run only")
    parser.add_argument("--real-only", action="store_true", help="time the real run only")
    args = parser.parse_args()

    import django

    django.setup()
    from django.utils import timezone

    from issues.models import Issue
    from notifications.models import Reminder

    _timing_phases()
    if args.drop:
        print(f"Dropped {drop_stress():,} stress problems.")
        return
    if args.stress:
        began = time.perf_counter()
        added = build_stress(args.stress, args.due_share)
        print(f"Added {added:,} open problems ({args.due_share:.0%} due) in {time.perf_counter() - began:.0f} s.")
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
