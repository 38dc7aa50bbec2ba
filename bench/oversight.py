"""Time the leading group's figures and pages on a city's worth of problems (100,000 by default).

    createdb -h 127.0.0.1 -U postgres bangqiao_city
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city DEBUG=false \\
        .venv/bin/python bench/oversight.py [--pairings 13900] [--problems 100000]

It builds bench/city.py's cadres, pairings and visits, then problems over the last 13 months with
their timelines (reported; solved on the spot, assigned, accepted, resolved, rated, some reopened,
returned or extended; escalations), with bulk inserts. A database that already has them is reused,
so the pages can be timed again after a change. Then it times the figures themselves
(issues/measures.py, oversight/scope.py) for this month and for last month (read back from the
events), and each page of the leading group with the test Client, with its queries.
"""

import argparse
import datetime
import os
import random
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a throwaway database, e.g. postgres://postgres@127.0.0.1:5432/bangqiao_city")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import OuterRef, Subquery  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.city import BATCH, STATIC_BACKEND, build  # noqa: E402
from bench.timing import print_table  # noqa: E402
from core.months import Month, last_months, month_label  # noqa: E402
from core.periods import Period  # noqa: E402
from issues import measures  # noqa: E402
from issues.models import Action, Flow, Issue, IssueCategory, IssueEvent, Status  # noqa: E402
from organisation.models import Cadre, Department, Pairing  # noqa: E402
from oversight.scope import Scope, visit_figures  # noqa: E402
from visits.models import Visit  # noqa: E402

TZ = timezone.get_current_timezone()


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=TZ)


def build_problems(count: int, today: datetime.date) -> None:
    """Bulk-create `count` problems over the last 13 months, each with the events of the life it had."""
    rng = random.Random(13)
    now = timezone.now()
    lead = User.objects.get(username="city-lead")
    units = list(Department.objects.values_list("pk", flat=True))
    categories = list(IssueCategory.objects.values_list("pk", flat=True))
    held = list(
        Pairing.objects.filter(ended_on__isnull=True).values_list("enterprise_id", "cadre_id", "cadre__user_id")
    )
    start = last_months(today, 13)[0].first
    span = (today - start).days
    issues: list[Issue] = []
    lives: list[list[tuple]] = []
    for _ in range(count):
        enterprise_id, cadre_id, user_id = rng.choice(held)
        reported = _at(start + datetime.timedelta(days=rng.randint(0, span)), rng)
        way = rng.choices((Flow.ON_THE_SPOT, Flow.ASSIGNED, Flow.ESCALATED), (25, 60, 15))[0]
        events: list[tuple] = [(Action.REPORT, "", Status.REPORTED, None, None, None, reported, user_id, "")]
        status, department, deadline, when = Status.RESOLVED, None, None, reported
        resolved_at = closed_at = None
        if way == Flow.ON_THE_SPOT:
            events.append((Action.RESOLVE, Status.REPORTED, Status.RESOLVED, None, None, None, when, user_id, ""))
            resolved_at = when
        elif way == Flow.ESCALATED:
            events.append((Action.ESCALATE, Status.REPORTED, Status.ESCALATED, None, None, None, when, user_id, ""))
            status = Status.ESCALATED
        else:
            department = rng.choice(units)
            deadline = (when + datetime.timedelta(days=15)).date()
            events.append(
                (Action.ASSIGN, Status.REPORTED, Status.ASSIGNED, None, department, deadline, when, user_id, "assigned")
            )
            status = Status.ASSIGNED
            if rng.random() < 0.05:  # returned, then assigned elsewhere
                when += datetime.timedelta(days=1)
                events.append(
                    (Action.RETURN, Status.ASSIGNED, Status.REPORTED, department, None, None, when, lead.pk, "returned")
                )
                department, deadline = rng.choice(units), (when + datetime.timedelta(days=15)).date()
                events.append(
                    (
                        Action.ASSIGN,
                        Status.REPORTED,
                        Status.ASSIGNED,
                        None,
                        department,
                        deadline,
                        when,
                        user_id,
                        "assigned",
                    )
                )
            accepted = when + datetime.timedelta(days=rng.randint(0, 3))
            if accepted < now:
                when, status = accepted, Status.IN_PROGRESS
                events.append(
                    (
                        Action.ACCEPT,
                        Status.ASSIGNED,
                        Status.IN_PROGRESS,
                        department,
                        department,
                        deadline,
                        when,
                        lead.pk,
                        "",
                    )
                )
                if rng.random() < 0.05:
                    deadline = deadline + datetime.timedelta(days=10)
                    events.append(
                        (
                            Action.DECIDE_EXTENSION,
                            status,
                            status,
                            department,
                            department,
                            deadline,
                            when,
                            lead.pk,
                            "extension_approved",
                        )
                    )
                replied = when + datetime.timedelta(days=rng.randint(2, 25))
                if replied < now:
                    when, status, resolved_at = replied, Status.RESOLVED, replied
                    events.append(
                        (
                            Action.RESOLVE,
                            Status.IN_PROGRESS,
                            Status.RESOLVED,
                            department,
                            department,
                            deadline,
                            when,
                            lead.pk,
                            "",
                        )
                    )
        if status == Status.RESOLVED:
            rated = when + datetime.timedelta(days=rng.randint(1, 10))
            if rated < now:
                if rng.random() < 0.08:
                    events.append(
                        (
                            Action.REOPEN,
                            Status.RESOLVED,
                            Status.REOPENED,
                            department,
                            None,
                            None,
                            rated,
                            user_id,
                            "feedback",
                        )
                    )
                    status, department, deadline, resolved_at = Status.REOPENED, None, None, None
                else:
                    events.append(
                        (
                            Action.CLOSE,
                            Status.RESOLVED,
                            Status.CLOSED,
                            department,
                            department,
                            deadline,
                            rated,
                            user_id,
                            "feedback",
                        )
                    )
                    status, closed_at = Status.CLOSED, rated
        issues.append(
            Issue(
                enterprise_id=enterprise_id,
                reporter_id=cadre_id,
                title="基准问题",
                category_id=rng.choice(categories),
                flow=way,
                status=status,
                department_id=department,
                responsible_person="经办人" if department else "",
                deadline=deadline,
                created_at=reported,
                resolved_at=resolved_at,
                closed_at=closed_at,
            )
        )
        lives.append([(*event, way) for event in events])
        if len(issues) >= 10_000:
            _save(issues, lives)
            issues, lives = [], []
    _save(issues, lives)


def _save(issues: list[Issue], lives: list[list[tuple]]) -> None:
    Issue.objects.bulk_create(issues, batch_size=BATCH)
    IssueEvent.objects.bulk_create(
        (
            IssueEvent(
                issue_id=issue.pk,
                action=action,
                from_status=from_status,
                to_status=to_status,
                from_department_id=from_department,
                department_id=department,
                deadline=deadline,
                created_at=when,
                actor_id=actor,
                kind=kind if kind in ("extension_approved",) else "",
                flow=way,
            )
            for issue, life in zip(issues, lives, strict=True)
            for action, from_status, to_status, from_department, department, deadline, when, actor, kind, way in life
        ),
        batch_size=BATCH,
    )


def prepare(pairings: int, problems: int) -> datetime.date:
    """Migrate, set up the test client, and fill an empty database with the city and its problems; return today."""
    call_command("migrate", verbosity=0)
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    warnings.filterwarnings("ignore", "No directory at")
    today = timezone.localdate()
    if not Pairing.objects.exists():
        build(pairings, today)
    if not Issue.objects.exists():
        build_problems(problems, today)
        # A bulk insert stamps `updated_at` now; a problem's row was last saved by its last move.
        last_move = IssueEvent.objects.filter(issue=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
        Issue.objects.update(updated_at=Subquery(last_move))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    return today


def timed(label: str, work) -> None:
    work()  # warm-up
    runs = []
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            started = time.perf_counter()
            work()
            runs.append((time.perf_counter() - started) * 1000)
    print(f"| {label} | {sorted(runs)[1]:.0f} | {max(runs):.0f} | {len(captured) // 3} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=13_900)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    today = prepare(args.pairings, args.problems)
    print(
        f"Database: {connection.vendor}; {Cadre.objects.count():,} cadres, {Pairing.objects.count():,} pairings, "
        f"{Visit.objects.count():,} visits, {Issue.objects.count():,} problems, "
        f"{IssueEvent.objects.count():,} timeline events (ready in {time.perf_counter() - started:.0f} s); "
        f"today {today}.\n"
    )
    lead = User.objects.get(username="city-lead")
    this_month = Month.of(today)
    last_month = last_months(today, 2)[0]
    print("| figures | median ms | max ms | queries |")
    print("| --- | ---: | ---: | ---: |")
    for name, month in (("this month", this_month), ("last month", last_month)):
        scope = Scope(Period.month(month))
        issues = Issue.objects.visible_to(lead)
        window = scope.window()
        timed(f"every problem figure, {name} (`measures.counts`)", lambda i=issues, w=window: measures.counts(i, w))
        timed(f"per department, {name} (`measures.by_unit`)", lambda i=issues, w=window: measures.by_unit(i, w))
        timed(f"per cadre, {name} (`measures.grouped`)", lambda i=issues, w=window: measures.grouped(i, w, "reporter"))
        timed(
            f"days to resolve, {name} (`measures.resolve_days`)", lambda i=issues, w=window: measures.resolve_days(i, w)
        )
        timed(f"service figures, {name} (`visit_figures`)", lambda s=scope: visit_figures(lead, s))
    print()
    this, last = month_label(this_month), month_label(last_month)
    pages = [
        ("oversight:dashboard", (), "", "dashboard, this month"),
        ("oversight:dashboard", (), f"?from={last}&to={last}", "dashboard, last month"),
        ("oversight:departments", (), "", "department table"),
        ("oversight:rollup", ("cadre",), "", "roll-up per cadre"),
        ("oversight:rollup", ("department",), "", "roll-up per department"),
        ("oversight:report", (last,), "", "monthly report, last month"),
        ("oversight:report", (last,), "?format=docx", "monthly report, Word"),
        ("issues:ledger", (), f"?measure=overdue&from={this}&to={this}", "ledger: overdue now"),
        ("issues:ledger", (), f"?measure=answered&from={last}&to={last}", "ledger: answered last month"),
    ]
    found = []
    for name, url_args, query, label in pages:
        try:
            found.append(("city-lead", reverse(name, args=url_args) + query, label))
        except NoReverseMatch:
            continue
    print_table(found, args.runs, digits=0, sizes=True)


if __name__ == "__main__":
    main()
