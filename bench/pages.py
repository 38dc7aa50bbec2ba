"""Time the busiest pages on the demo district, then with 5,000 more problems.

make bench (writes docs/benchmarks.md). It seeds the database it is given: never point it at real data.
Timings are wall-clock on whatever else the machine is doing: read them as orders of magnitude.
The query counts are exact, and are what the tests pin.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.timing import print_table  # noqa: E402
from demo.seed import seed_demo  # noqa: E402
from issues.models import Flow, Issue, IssueCategory, Status  # noqa: E402
from organisation.models import Cadre, DepartmentStaff  # noqa: E402

PAGES = [
    ("ganbu001", "/", "home, cadre"),
    ("ganbu001", "/cadres/mine/", "my enterprise"),
    ("ganbu001", "/cadres/visits/new/", "log a visit (form)"),
    ("bumen01", "/issues/inbox/", "department inbox"),
    ("lingdao01", "/", "home, leading group"),
    ("lingdao01", "/issues/review/", "review desk"),
    ("lingdao01", "/issues/", "problem ledger"),
    ("lingdao01", "/issues/?warning=overdue&q=问题", "ledger, filtered"),
    ("lingdao01", "/cadres/compliance/", "compliance grid, 139 × 12"),
    ("admin", "/", "home, campaign office"),
    ("admin", "/issues/export.xlsx", "ledger export (xlsx)"),
]
RUNS = 15


def table(title: str) -> None:
    print(f"\n### {title}\n")
    print_table(PAGES, RUNS)


def add_problems(n: int) -> None:
    staff = DepartmentStaff.objects.get(user__username="bumen01")
    reporters = list(Cadre.objects.select_related("user")[:50])
    category = IssueCategory.objects.first()
    Issue.objects.bulk_create(
        Issue(
            enterprise_id=reporters[i % 50].pairings.first().enterprise_id,
            reporter=reporters[i % 50],
            category=category,
            title=f"基准问题{i}",
            flow=Flow.ASSIGNED,
            status=Status.IN_PROGRESS,
            department=staff.department,
            deadline=django.utils.timezone.localdate(),
        )
        for i in range(n)
    )


def main() -> None:
    setup_test_environment()
    seed_demo()
    print(f"Database: {connection.vendor}; {RUNS} runs a page after one warm-up.")
    table(f"Demo district ({Issue.objects.count()} problems)")
    add_problems(5_000)
    table(f"With {Issue.objects.count()} problems, 5,000 of them in one department's inbox")


if __name__ == "__main__":
    main()
