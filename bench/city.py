"""Time the pages the two-visit rule feeds on a city's worth of pairings (13,900 by default).

    rm -f /tmp/city.sqlite3*
    DATABASE_URL=sqlite:////tmp/city.sqlite3 DEBUG=false .venv/bin/python bench/city.py [--pairings 13900]

It migrates the database it is given and fills it with cadres, enterprises, pairings (a few
swapped mid-month last month) and about two visits a month each for the last 13 months,
then times each page with the test Client and counts its queries. It refuses a database
that already has pairings, so it never mixes its rows into real data; the rows are made
with bulk_create, so they carry no history records.
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
    sys.exit("Set DATABASE_URL to a throwaway database, e.g. sqlite:////tmp/city.sqlite3")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import print_table  # noqa: E402
from core.months import last_months  # noqa: E402
from core.roles import Role  # noqa: E402
from enterprises.models import Enterprise, Kind, Origin, Sector  # noqa: E402
from enterprises.uscc import check_character  # noqa: E402
from organisation.models import Cadre, Department, Pairing  # noqa: E402
from visits.models import Visit  # noqa: E402

BATCH = 2_000
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
PAGES = [
    ("city-lead", "/cadres/compliance/", "compliance grid"),
    ("city-lead", "/cadres/compliance/?format=xlsx", "compliance grid, xlsx"),
    ("city-office", "/cadres/exports/visits.xlsx", "visits export (xlsx, this year)"),
    ("city-lead", "/", "home, leading group"),
    ("city-office", "/", "home, campaign office"),
    ("city00001", "/", "home, cadre"),
    ("city00001", "/cadres/mine/", "my enterprise"),
]


def build(n: int, today: datetime.date) -> None:
    """Bulk-create n cadres, each with an account, an enterprise, a pairing and their visits."""
    rng = random.Random(139)
    password = make_password(None)  # unusable: the bench logs in with force_login
    users = [User(username=f"city{i:05d}", first_name=f"干部{i}", password=password) for i in range(n)]
    User.objects.bulk_create(users, batch_size=BATCH)
    users = list(User.objects.filter(username__startswith="city").order_by("username"))
    cadre_group = Group.objects.get_or_create(name=Role.CADRE)[0]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=cadre_group.pk) for u in users], batch_size=BATCH
    )
    lead = User.objects.create(username="city-lead", password=password)
    lead.groups.add(Group.objects.get_or_create(name=Role.LEADING_GROUP)[0])
    office = User.objects.create(username="city-office", password=password)
    office.groups.add(Group.objects.get_or_create(name=Role.CAMPAIGN_OFFICE)[0])

    units = Department.objects.bulk_create(Department(name=f"城区单位{i:03d}") for i in range(120))
    cadres = Cadre.objects.bulk_create(
        (Cadre(user=u, name=f"干部{i:05d}", title="局长", unit=units[i % len(units)]) for i, u in enumerate(users)),
        batch_size=BATCH,
    )
    sectors, origins = list(Sector.values), list(Origin.values)
    enterprises = Enterprise.objects.bulk_create(
        (
            Enterprise(
                name=f"城区基准企业{i:05d}有限公司",
                uscc=(body := f"91610111{i:09d}") + check_character(body),
                kind=Kind.ENTERPRISE,
                origin=origins[i % 2],
                sector=sectors[i % len(sectors)],
                street=f"街道{i % 30:02d}",
            )
            for i in range(n)
        ),
        batch_size=BATCH,
    )
    months = last_months(today, 13)
    start = months[0].first
    # 1% of the cadres swap enterprises with a neighbour on the 16th of last month.
    swap_on = months[-2].first.replace(day=16)
    pairings = []
    for i, (cadre, enterprise) in enumerate(zip(cadres, enterprises, strict=True)):
        if i % 100 == 0 and i + 1 < n:
            pairings.append(Pairing(cadre=cadre, enterprise=enterprises[i + 1], started_on=start, ended_on=swap_on))
            pairings.append(Pairing(cadre=cadre, enterprise=enterprise, started_on=swap_on + datetime.timedelta(1)))
        elif i % 100 == 1:
            pairings.append(Pairing(cadre=cadre, enterprise=enterprises[i - 1], started_on=start, ended_on=swap_on))
            pairings.append(Pairing(cadre=cadre, enterprise=enterprise, started_on=swap_on + datetime.timedelta(1)))
        else:
            pairings.append(Pairing(cadre=cadre, enterprise=enterprise, started_on=start))
    pairings = Pairing.objects.bulk_create(pairings, batch_size=BATCH)
    user_of = {c.pk: c.user_id for c in cadres}
    visits: list[Visit] = []
    created = timezone.now()
    for pairing in pairings:
        for month in months:
            lo, hi = max(month.first, pairing.started_on), min(month.last, pairing.ended_on or today, today)
            if lo > hi:
                continue
            for _ in range(rng.choice((0, 1, 2, 2, 2, 3))):
                day = lo + datetime.timedelta(days=rng.randint(0, (hi - lo).days))
                visits.append(
                    Visit(pairing=pairing, visited_on=day, created_by_id=user_of[pairing.cadre_id], created_at=created)
                )
        if len(visits) >= 20_000:
            Visit.objects.bulk_create(visits, batch_size=BATCH)
            visits = []
    Visit.objects.bulk_create(visits, batch_size=BATCH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairings", type=int, default=13_900, help="cadres, each paired with one enterprise")
    parser.add_argument("--runs", type=int, default=3, help="timed runs a page, after one warm-up")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Pairing.objects.exists():
        sys.exit("This database already has pairings: give bench/city.py a throwaway one.")
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Pages render without collectstatic first (the manifest storage would need it), as in the tests.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise's, for the uncollected STATIC_ROOT
    today = timezone.localdate()
    started = time.perf_counter()
    build(args.pairings, today)
    print(
        f"Database: {connection.vendor}; {Cadre.objects.count():,} cadres, {Pairing.objects.count():,} pairings, "
        f"{Visit.objects.count():,} visits, built in {time.perf_counter() - started:.0f} s; "
        f"{args.runs} runs a page after one warm-up; today {today}.\n"
    )
    print_table(PAGES, args.runs, digits=0, sizes=True)


if __name__ == "__main__":
    main()
