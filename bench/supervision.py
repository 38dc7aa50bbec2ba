"""Time supervision and the annual assessment on a city's data: the ledgers, counting a year, its pages, freezing it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city DEBUG=false .venv/bin/python bench/supervision.py \\
        [--tier city] [--inspections 3000]

(`make bench-supervision` makes and drops a PostgreSQL database and writes docs/benchmarks-supervision.md.)
It builds a tier of demo/scale.py (cadres, pairings, visits, problems with their
timelines; `prepare`: a database that already has them is reused), then this year's inspections of cadres
and departments with their rectification items in every state, with bulk inserts. It times the supervision
ledger and the items list with their exports, the reminder scan, `assessment.scores.live` itself, then the
assessment's pages with the test Client and their queries: the year page (live, then frozen), a breakdown,
the xlsx, and the comparison of the frozen year with now.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a throwaway database, e.g. sqlite:////tmp/assessment.sqlite3")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment import scores  # noqa: E402
from assessment.services import year_freeze  # noqa: E402
from bench.timing import (  # noqa: E402
    prepare,
    print_table,
)
from issues.models import Issue  # noqa: E402
from notifications.reminders import scan  # noqa: E402
from organisation.models import Cadre, Department, Pairing  # noqa: E402
from supervision.models import Inspection, Kind, Rating, Rectification, Target  # noqa: E402
from visits.models import Visit  # noqa: E402

BATCH = 2_000


def build_supervision(count: int, today: datetime.date) -> None:
    """This year's inspections (two in three of a cadre, the rest of a unit), each with an item in some state."""
    rng = random.Random(14)
    lead = User.objects.get(username="city-lead")
    cadres = list(Cadre.objects.values_list("pk", flat=True))
    units = list(Department.objects.values_list("pk", flat=True))
    start = datetime.date(today.year, 1, 1)
    span = (today - start).days
    made = timezone.now()
    inspections = []
    for i in range(count):
        day = start + datetime.timedelta(days=rng.randint(0, span))
        of_cadre = i % 3 != 2
        inspections.append(
            Inspection(
                kind=rng.choice(Kind.values),
                inspected_on=day,
                target=Target.CADRE if of_cadre else Target.DEPARTMENT,
                cadre_id=rng.choice(cadres) if of_cadre else None,
                department_id=None if of_cadre else rng.choice(units),
                findings="检查发现",
                rating=rng.choice(Rating.values),
                created_by=lead,
                created_at=made,
            )
        )
    inspections = Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    items = []
    for inspection in inspections:
        deadline = inspection.inspected_on + datetime.timedelta(days=rng.randint(5, 40))
        state = rng.choice(("open", "answered", "on_time", "late"))
        answered = None
        if state in ("on_time", "late"):
            day = deadline + datetime.timedelta(days=-2 if state == "on_time" else 3)
            answered = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
        items.append(
            Rectification(
                inspection=inspection,
                cadre_id=inspection.cadre_id,
                department_id=inspection.department_id,
                requirement="整改",
                deadline=deadline,
                status=("accepted" if answered else state),
                created_by=lead,
                created_at=made,
                answered_at=answered,
                accepted_at=answered + datetime.timedelta(days=1) if answered else None,
            )
        )
    Rectification.objects.bulk_create(items, batch_size=BATCH)


def timed(label: str, work) -> None:
    work()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        work()
        took = (time.perf_counter() - started) * 1000
    print(f"| {label} | {took:.0f} | {len(captured)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("district", "city", "province"), default="city")
    parser.add_argument("--inspections", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    today = prepare(args.tier)
    if not Inspection.objects.exists():
        build_supervision(args.inspections, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Database: {connection.vendor}; {Cadre.objects.count():,} cadres, {Pairing.objects.count():,} pairings, "
        f"{Visit.objects.count():,} visits, {Issue.objects.count():,} problems, "
        f"{Inspection.objects.count():,} inspections, {Rectification.objects.count():,} items "
        f"(ready in {time.perf_counter() - started:.0f} s); today {today}.\n"
    )
    year = today.year
    print(f"Rectification items overdue now: {Rectification.objects.overdue(today).count():,}.\n")
    supervision_pages = [
        ("city-lead", reverse("supervision:ledger"), "supervision ledger"),
        (
            "city-lead",
            reverse("supervision:ledger") + "?status=open&kind=unannounced",
            "ledger: open unannounced visits",
        ),
        ("city-lead", reverse("supervision:ledger") + "?format=xlsx", "ledger, xlsx"),
        ("city-lead", reverse("supervision:items"), "rectification items"),
        ("city-lead", reverse("supervision:items") + "?status=overdue", "items: overdue"),
        ("city-lead", reverse("supervision:items") + "?format=xlsx", "items, xlsx"),
        ("city-lead", reverse("home"), "home, leading group (the supervision panel)"),
    ]
    print_table(supervision_pages, args.runs, digits=0, sizes=True)
    now = timezone.now()
    scan(now=now)
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        due = scan(now=now)
        took = (time.perf_counter() - began) * 1000
    rectifications = sum(1 for d in due if d.kind.startswith("rectification"))
    print(
        f"\nThe reminder scan (every kind; reads, records nothing): {took:.0f} ms, {len(captured)} queries, "
        f"{len(due):,} reminders due, {rectifications:,} of them for rectification items.\n"
    )
    print("| work | ms | queries |")
    print("| --- | ---: | ---: |")
    timed(f"`scores.live({year})`, this year", lambda: scores.live(year))
    timed(f"`scores.live({year - 1})`, last year (read back as of its end)", lambda: scores.live(year - 1))
    print()
    cadre = scores.live(year).cadres[-1].unit_id
    pages = [
        ("city-lead", reverse("assessment:year", args=[year]), "year page, live"),
        (
            "city-lead",
            reverse("assessment:year", args=[year]) + "?sort=-compliance&page=3",
            "year page, sorted, page 3",
        ),
        ("city-lead", reverse("assessment:year", args=[year]) + "?format=xlsx", "year, xlsx"),
        ("city-lead", reverse("assessment:cadre", args=[year, cadre]), "a cadre's breakdown"),
    ]
    print_table(pages, args.runs, digits=0, sizes=True)
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        year_freeze(actor=_leader(), year=year)
    print(f"\nFreezing the year: {(time.perf_counter() - began) * 1000:.0f} ms, {len(captured)} queries.\n")
    frozen = [
        ("city-lead", reverse("assessment:year", args=[year]), "year page, frozen"),
        ("city-lead", reverse("assessment:cadre", args=[year, cadre]), "a cadre's breakdown, frozen"),
        ("city-lead", reverse("assessment:compare", args=[year]), "frozen and now compared"),
    ]
    print_table(frozen, args.runs, digits=0, sizes=True)


def _leader() -> User:
    """The benchmark's leading-group account (demo/scale.py's city-lead)."""
    return User.objects.get(username="city-lead")


if __name__ == "__main__":
    main()
