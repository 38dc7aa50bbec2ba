"""Time the ledger, the dashboard and the monthly report on a city's data, with EXPLAIN of the queries behind them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city_queries DEBUG=false \\
        .venv/bin/python bench/queries.py [--runs 5]

The database must already hold bench/oversight.py's city (cadres, pairings, visits, problems); this
script adds one department staff member (`city-dept`, 城区单位000) if there is none, then times each
page with bench/timing.py's loop (median of the runs after a warm-up, queries, bytes).
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a city copy, e.g. postgres://postgres@127.0.0.1:5432/bangqiao_city")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.oversight import prepare  # noqa: E402
from bench.timing import print_table  # noqa: E402
from core.months import Month, last_months, month_label  # noqa: E402
from core.roles import Role  # noqa: E402
from issues.models import Issue  # noqa: E402
from organisation.models import Department, DepartmentStaff  # noqa: E402

PAGE_SIZE = 25


def department_staff() -> str:
    """The department staff member the bench logs in as (created once)."""
    user, created = User.objects.get_or_create(username="city-dept")
    if created:
        user.groups.add(Group.objects.get_or_create(name=Role.DEPARTMENT_STAFF)[0])
        unit = Department.objects.order_by("name").first()
        DepartmentStaff.objects.create(user=user, department=unit, name="承办人")
    return user.username


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="time only the pages whose label contains this")
    args = parser.parse_args()
    today = prepare(13_900, 100_000)
    dept = department_staff()
    last_page = (Issue.objects.count() + PAGE_SIZE - 1) // PAGE_SIZE
    this, last = month_label(Month.of(today)), month_label(last_months(today, 2)[0])
    pages = [
        ("city-lead", "/issues/", "ledger page 1"),
        ("city-lead", f"/issues/?page={last_page}", "ledger last page"),
        ("city-lead", f"/issues/?page={last_page // 2}", "ledger middle page"),
        ("city-lead", "/issues/?q=%E5%9F%BA%E5%87%86", "ledger search, 2 characters (基准)"),
        ("city-lead", "/issues/?q=%E5%9F%BA%E5%87%86%E9%97%AE", "ledger search, 3 characters (基准问)"),
        ("city-lead", "/issues/?q=%E4%BC%81%E4%B8%9A00042", "ledger search, enterprise (企业00042)"),
        ("city-lead", "/issues/?status=in_progress&warning=overdue", "ledger filtered (in progress, overdue)"),
        ("city-lead", f"/issues/?measure=overdue&from={this}&to={this}", "ledger: overdue now"),
        ("city-lead", f"/issues/?measure=answered&from={last}&to={last}", "ledger: answered last month"),
        (dept, "/issues/", "ledger page 1, department staff"),
        (dept, "/issues/?page=20", "ledger page 20, department staff"),
        ("city-lead", "/oversight/", "dashboard, this month"),
        ("city-lead", f"/oversight/?from={last}&to={last}", "dashboard, last month"),
        ("city-lead", "/oversight/departments/", "department table"),
        ("city-lead", "/oversight/rollups/cadre/", "roll-up per cadre"),
        ("city-lead", "/oversight/rollups/department/", "roll-up per department"),
        ("city-lead", f"/oversight/report/{last}/", "monthly report, last month"),
    ]
    print(f"today {today}, {timezone.now():%Y-%m-%d %H:%M}")
    pages = [page for page in pages if args.only in page[2]]
    print_table(pages, args.runs, digits=0, sizes=True)
    if "dashboard" in args.only or not args.only:
        # The dashboard with its figures kept (oversight/dashboard.py, docs/oversight.md): after the warm-up,
        # each run reads them back, after the one query that says nothing has moved since.
        settings.OVERSIGHT_CACHE_SECONDS = 300
        kept = [(user, url, f"{label}, figures kept") for user, url, label in pages if "dashboard" in label]
        print_table(kept, args.runs, digits=0, sizes=True)


if __name__ == "__main__":
    main()
