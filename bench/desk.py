"""Time the desks, home pages and lists of every role on a city's data (issue 16 point 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city_desk DEBUG=false \\
        .venv/bin/python bench/desk.py [--runs 5]

It runs on a database that `manage.py bench_data --tier city` has filled (cadres, pairings, visits, problems) and adds,
once, what that leaves empty: a department staff user (`city-dept`, the department with the most
problems), a pending extension request on every problem in progress, systemic matters, open errands,
policies explained on a third of the visits and notifications. Then it prints each page's median, worst,
queries and bytes.
"""

import argparse
import datetime
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a city database that manage.py bench_data --tier city has filled")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import STATIC_BACKEND, print_table  # noqa: E402
from core.roles import Role  # noqa: E402
from demo.scale import BATCH  # noqa: E402
from issues.models import ExtensionRequest, Issue, Status, SystemicMatter  # noqa: E402
from notifications.models import Kind, Notification  # noqa: E402
from organisation.models import DepartmentStaff, Pairing  # noqa: E402
from visits import reach  # noqa: E402
from visits.models import Errand, Policy, Visit  # noqa: E402

PAGES = [
    ("city-lead", "/issues/review/", "review desk"),
    ("city-lead", "/issues/review/?tab=extensions", "review desk, extensions"),
    ("city-lead", "/issues/review/?tab=routing", "review desk, routing"),
    ("city-dept", "/issues/inbox/", "department inbox"),
    ("city-dept", "/issues/inbox/?tab=history", "department inbox, handled before"),
    ("city-dept", "/issues/inbox/?tab=overdue&page=3", "department inbox, overdue p3"),
    ("city-lead", "/", "home, leading group"),
    ("city-office", "/", "home, campaign office"),
    ("city-dept", "/", "home, department"),
    ("city00001", "/", "home, cadre"),
    ("city-lead", "/notifications/", "notifications"),
    ("city-lead", "/cadres/visits/", "visit list, leading group"),
    ("city00001", "/cadres/visits/", "visit list, cadre"),
    ("city-lead", "/cadres/errands/", "errand list, leading group"),
    ("city-lead", "/cadres/policies/", "policy list, leading group"),
    ("city00001", "/cadres/mine/", "my enterprise"),
]


def prepare() -> None:
    """Add, once, the staff user, extension requests, matters, errands and notifications the pages list."""
    lead = User.objects.get(username="city-lead")
    if not User.objects.filter(username="city-dept").exists():
        busiest = Issue.objects.exclude(department=None).values("department").annotate(n=Count("pk")).order_by("-n")[0]
        user = User.objects.create_user(username="city-dept", password="unused-bench")
        user.groups.add(Group.objects.get_or_create(name=Role.DEPARTMENT_STAFF)[0])
        DepartmentStaff.objects.create(user=user, department_id=busiest["department"], name="承办人")
    staff_user = User.objects.get(username="city-dept")
    if not ExtensionRequest.objects.exists():
        ExtensionRequest.objects.bulk_create(
            (
                ExtensionRequest(
                    issue_id=pk,
                    requested_by=staff_user,
                    old_deadline=deadline,
                    new_deadline=deadline + datetime.timedelta(days=14),
                    reason="需要协调上级部门，申请延期两周。",
                )
                for pk, deadline in Issue.objects.filter(status=Status.IN_PROGRESS, deadline__isnull=False)
                .values_list("pk", "deadline")
                .iterator()
            ),
            batch_size=BATCH,
        )
    if not SystemicMatter.objects.exists():
        SystemicMatter.objects.bulk_create(
            SystemicMatter(title=f"共性问题{i}", description="多家企业反映", created_by=lead) for i in range(300)
        )
    if not Errand.objects.exists():
        pairings = list(Pairing.objects.filter(ended_on__isnull=True).values_list("pk", flat=True)[:3000])
        Errand.objects.bulk_create(
            (Errand(pairing_id=pk, matter=f"代办事项{pk}", approving_department="行政审批局") for pk in pairings),
            batch_size=BATCH,
        )
    if not Policy.objects.exists():
        policies = Policy.objects.bulk_create(
            Policy(title=f"扶持政策{i}", level=Policy.Level.CITY, issuing_body="市政府", summary="政策摘要")
            for i in range(60)
        )
        # Every third visit explained a policy: the library's figure counts the enterprises each reached.
        links = Visit.policies.through
        links.objects.bulk_create(
            (
                links(visit_id=pk, policy_id=policies[pk % len(policies)].pk)
                for pk in Visit.objects.values_list("pk", flat=True).iterator()
                if pk % 3 == 0
            ),
            batch_size=BATCH,
        )
        reach.rebuild()  # bulk_create bypasses the services that keep the policies' reach
    if not Notification.objects.exists():
        now = timezone.now()
        Notification.objects.bulk_create(
            (
                Notification(
                    recipient=lead,
                    kind=Kind.choices[0][0],
                    title=f"提醒{i}",
                    body="有问题等待处理",
                    link="/issues/",
                    created_at=now - datetime.timedelta(minutes=i),
                )
                for i in range(3000)
            ),
            batch_size=BATCH,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="time only the pages whose label contains this")
    args = parser.parse_args()
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Pages render without collectstatic first (the manifest storage would need it), as in the tests.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    warnings.filterwarnings("ignore", "No directory at")
    prepare()
    pages = [p for p in PAGES if args.only in p[2]]
    print_table(pages, args.runs, sizes=True)


if __name__ == "__main__":
    main()
