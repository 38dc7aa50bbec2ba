"""Time supervision and the annual assessment on a city's data: bench/oversight.py's 13,900 pairings and
100,000 problems, plus a year of supervision (an inspection for every fifth cadre, every department and
street inspected, two rectification items per inspection in every state).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city DEBUG=false \\
        .venv/bin/python bench/supervision.py [--runs 3]

It reuses a database bench/oversight.py has filled (and fills one that is empty), adds the supervision rows
with bulk inserts if there are none, then times the supervision ledger, the items list, their exports, the
assessment's year page, a breakdown, the xlsx, and the reminder scan, each with its queries.
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
from django.utils import timezone  # noqa: E402

from bench.city import STATIC_BACKEND, build  # noqa: E402
from bench.oversight import build_problems  # noqa: E402
from bench.timing import print_table  # noqa: E402
from issues.models import Issue, IssueEvent  # noqa: E402
from notifications.reminders import scan  # noqa: E402
from organisation.models import Cadre, Department, Pairing  # noqa: E402
from supervision.models import Inspection, Kind, Rating, Rectification, Response, Target  # noqa: E402

TZ = timezone.get_current_timezone()


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=TZ)


def build_supervision(today: datetime.date) -> None:
    """An inspection for every fifth cadre and every unit over the year so far, two items each."""
    rng = random.Random(14)
    lead = User.objects.get(username="city-lead")
    year_start = datetime.date(today.year, 1, 1)
    span = (today - year_start).days
    kinds, ratings = list(Kind), list(Rating)
    rows = []
    for cadre_id in Cadre.objects.order_by("pk").values_list("pk", flat=True)[::5]:
        day = year_start + datetime.timedelta(days=rng.randrange(span))
        rows.append(
            Inspection(
                kind=rng.choice(kinds),
                inspected_on=day,
                target=Target.CADRE,
                cadre_id=cadre_id,
                findings="走访记录与企业反映基本一致。",
                rating=rng.choice(ratings),
                created_by=lead,
                created_at=_at(day),
            )
        )
    for department in Department.objects.all():
        day = year_start + datetime.timedelta(days=rng.randrange(span))
        target = Target.STREET if department.kind == Department.Kind.STREET else Target.DEPARTMENT
        rows.append(
            Inspection(
                kind=Kind.CONCENTRATED,
                inspected_on=day,
                target=target,
                department=department,
                findings="台账基本完整。",
                rating=rng.choice(ratings),
                created_by=lead,
                created_at=_at(day),
            )
        )
    inspections = Inspection.objects.bulk_create(rows, batch_size=2000)
    Inspection.inspectors.through.objects.bulk_create(
        [Inspection.inspectors.through(inspection_id=i.pk, user_id=lead.pk) for i in inspections], batch_size=5000
    )
    items, answers = [], []
    states = list(Rectification.Status)
    for inspection in inspections:
        for _ in range(2):
            deadline = inspection.inspected_on + datetime.timedelta(days=rng.randint(7, 45))
            status = rng.choice(states)
            item = Rectification(
                inspection=inspection,
                cadre_id=inspection.cadre_id,
                department_id=inspection.department_id,
                requirement="按要求整改并报送材料。",
                deadline=deadline,
                status=status,
                created_by=lead,
                created_at=_at(inspection.inspected_on),
            )
            if status == Rectification.Status.ACCEPTED:
                answered = _at(deadline + datetime.timedelta(days=rng.randint(-5, 3)))
                item.answered_at, item.accepted_at = answered, answered + datetime.timedelta(days=1)
            items.append(item)
    items = Rectification.objects.bulk_create(items, batch_size=5000)
    for item in items:
        if item.status in (Rectification.Status.ANSWERED, Rectification.Status.ACCEPTED):
            answers.append(
                Response(
                    item=item,
                    text="已整改。",
                    responded_by=lead,
                    responded_at=item.answered_at or _at(item.deadline),
                    verdict="accepted" if item.accepted_at else "",
                )
            )
    Response.objects.bulk_create(answers, batch_size=5000)
    inspections_closed = [i.pk for i in inspections]
    Inspection.objects.filter(pk__in=inspections_closed).exclude(
        items__status__in=("open", "answered", "sent_back")
    ).update(closed_at=_at(today))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    warnings.filterwarnings("ignore", "No directory at")
    today = timezone.localdate()
    started = time.perf_counter()
    if not Pairing.objects.exists():
        build(13_900, today)
    if not Issue.objects.exists():
        build_problems(100_000, today)
        last_move = IssueEvent.objects.filter(issue=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
        Issue.objects.update(updated_at=Subquery(last_move))
    if not Inspection.objects.exists():
        build_supervision(today)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    print(
        f"Database: {connection.vendor}; {Cadre.objects.count():,} cadres, {Pairing.objects.count():,} pairings, "
        f"{Issue.objects.count():,} problems, {Inspection.objects.count():,} inspections, "
        f"{Rectification.objects.count():,} rectification items (ready in {time.perf_counter() - started:.0f} s); "
        f"today {today}.\n"
    )
    year = today.year
    cadre = Cadre.objects.filter(inspections__isnull=False).order_by("pk").first()
    department = Department.objects.order_by("pk").first()
    pages = [
        ("city-lead", "/supervision/", "supervision ledger"),
        ("city-lead", "/supervision/?status=open", "supervision ledger, open"),
        ("city-lead", "/supervision/?format=xlsx", "supervision ledger, xlsx"),
        ("city-lead", "/supervision/items/", "rectification items"),
        ("city-lead", "/supervision/items/?status=overdue", "rectification items, overdue"),
        ("city-lead", "/supervision/items/?format=xlsx", "rectification items, xlsx"),
        ("city-lead", f"/assessment/{year}/", "assessment year page"),
        ("city-lead", f"/assessment/{year}/?format=xlsx", "assessment, xlsx"),
        ("city-lead", f"/assessment/{year}/cadre/{cadre.pk}/", "a cadre's breakdown"),
        ("city-lead", f"/assessment/{year}/department/{department.pk}/", "a department's breakdown"),
        ("city-lead", "/", "home, leading group"),
    ]
    print_table(pages, args.runs, digits=0, sizes=True)
    print()
    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        due = scan(now=now)
        took = time.perf_counter() - began
    kinds = sorted({d.kind for d in due if d.kind.startswith("rectification")})
    print(
        f"Reminder scan (reads only, every kind): {took * 1000:.0f} ms, {len(captured)} queries, "
        f"{len(due):,} reminders due ({', '.join(kinds)})."
    )


if __name__ == "__main__":
    main()
