"""Time the enterprise's voice on a city's data: its link pages, who spoke for it in the figures, working days.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_voice_bench DEBUG=false .venv/bin/python bench/voice.py \\
        [--tier city]

(`make bench-voice` makes and drops a PostgreSQL database and writes docs/benchmarks-voice.md.)
It builds a tier of demo/scale.py (cadres, pairings, visits, problems with their timelines;
`prepare`), then, with bulk statements, gives every enterprise a link, makes a third of the ratings the
enterprise's own (the event by its link, the feedback recorded by none), a twentieth of the problems requests
the enterprise raised, and has the enterprises answer a third of the visits. It times the enterprise's own
pages (through its token, no login) for the enterprise with the most problems, the staff's link page, the
leading group's dashboard and monthly report with the new counts, the ledger rows behind them, the visit
list filtered by the enterprise's answer, the reminder scan (its thresholds now in working days), and the
working-day arithmetic itself.
"""

import argparse
import datetime
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a throwaway database, e.g. postgres://postgres@127.0.0.1:5432/bangqiao_voice_bench")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, OuterRef, Subquery  # noqa: E402
from django.db.models.functions import Mod  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import measure, prepare, print_table, timed  # noqa: E402  # noqa: E402
from core import workdays  # noqa: E402
from core.months import last_months  # noqa: E402
from enterprises.links import token_for  # noqa: E402
from enterprises.models import Enterprise, EnterpriseLink  # noqa: E402
from issues.models import Action, Feedback, Issue, IssueEvent, Source  # noqa: E402
from notifications.reminders import scan  # noqa: E402
from organisation.models import Cadre, Pairing  # noqa: E402
from visits.models import EnterpriseAnswer, Visit  # noqa: E402

BATCH = 5_000


def give_voice() -> None:
    """Give every enterprise a link; make a third of ratings, a 20th of problems and a third of visits theirs."""
    now = timezone.now()
    if IssueEvent.objects.filter(enterprise_link__isnull=False).exists():
        return
    EnterpriseLink.objects.all().delete()
    EnterpriseLink.objects.bulk_create(
        [
            EnterpriseLink(enterprise_id=pk, key=secrets.token_hex(16), created_at=now)
            for pk in Enterprise.objects.values_list("pk", flat=True)
        ],
        batch_size=BATCH,
    )
    # The link of the row's problem's enterprise (an update may not join: the subquery does).
    link_of = EnterpriseLink.objects.filter(enterprise__issues=OuterRef("issue_id")).values("pk")[:1]
    ratings = IssueEvent.objects.filter(action__in=(Action.CLOSE, Action.REOPEN), issue_id__in=_every(3, Issue))
    ratings.update(actor=None, enterprise_link=Subquery(link_of))
    Feedback.objects.filter(issue_id__in=_every(3, Issue)).update(recorded_by=None, enterprise_link=Subquery(link_of))
    Issue.objects.filter(pk__in=_every(20, Issue)).update(source=Source.ENTERPRISE)
    Visit.objects.filter(pk__in=_every(3, Visit)).update(
        enterprise_answer=EnterpriseAnswer.CONFIRMED, enterprise_answered_at=now
    )
    Visit.objects.filter(pk__in=_every(97, Visit)).update(
        enterprise_answer=EnterpriseAnswer.DENIED, enterprise_answered_at=now
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None


def _every(n: int, model) -> Subquery:
    """The ids of every n-th row (by id), as a subquery the update runs in the database."""
    return model.objects.annotate(rest=Mod("id", n)).filter(rest=0).values("pk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("district", "city", "province"), default="city")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    today = prepare(args.tier)
    give_voice()
    by_link = IssueEvent.objects.filter(enterprise_link__isnull=False).count()
    print(
        f"Database: {connection.vendor}; {Cadre.objects.count():,} cadres, {Pairing.objects.count():,} pairings, "
        f"{Visit.objects.count():,} visits ({Visit.objects.exclude(enterprise_answer='').count():,} answered by the "
        f"enterprise), {Issue.objects.count():,} problems ({Issue.objects.filter(source=Source.ENTERPRISE).count():,} "
        f"raised by the enterprise), {by_link:,} ratings given through a link, "
        f"{EnterpriseLink.objects.count():,} links (ready in {time.perf_counter() - started:.0f} s); today {today}.\n"
    )
    busiest = Enterprise.objects.annotate(n=Count("issues")).order_by("-n").values_list("pk", "n").first()
    link = EnterpriseLink.objects.get(enterprise_id=busiest[0])
    token = token_for(link)
    visits = Visit.objects.filter(pairing__enterprise_id=busiest[0]).count()
    print(f"The enterprise with the most problems: {busiest[1]} problems, {visits} visits.\n")
    anonymous = Client()
    print("| the enterprise's own page (no login) | median ms | max ms | queries | bytes |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, url in (
        ("home: its cadre, visits to answer, problems", reverse("voice:home", args=[token])),
        (
            "a problem",
            reverse("voice:problem", args=[token, Issue.objects.filter(enterprise_id=busiest[0]).first().pk]),
        ),
        ("raising a request (the form)", reverse("voice:request", args=[token])),
    ):
        t = measure(anonymous, url, args.runs)
        print(f"| {label} | {t.median_ms:.0f} | {t.worst_ms:.0f} | {t.queries} | {t.size:,} |")
    month = last_months(today, 2)[0]
    print()
    pages = [
        ("city-office", reverse("voice:manage", args=[busiest[0]]), "the staff's link page (QR code)"),
        ("city-lead", reverse("oversight:dashboard"), "dashboard, this month (who spoke for the enterprise)"),
        (
            "city-lead",
            reverse("oversight:report", args=[f"{month[0]:04d}-{month[1]:02d}"]),
            "monthly report, last month",
        ),
        ("city-lead", reverse("issues:ledger") + "?measure=rated_by_enterprise", "ledger: rated by the enterprise"),
        ("city-lead", reverse("issues:ledger") + "?source=enterprise", "ledger: raised by the enterprise"),
        ("city-lead", reverse("visits:visit_list") + "?confirmation=denied", "visits the enterprise denied"),
    ]
    print_table(pages, args.runs, digits=0, sizes=True)
    now = timezone.now()
    scan(now=now)
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        due = scan(now=now)
        took = (time.perf_counter() - began) * 1000
    print(
        f"\nThe reminder scan (every kind, thresholds in working days; reads, records nothing): {took:.0f} ms, "
        f"{len(captured)} queries, {len(due):,} reminders due.\n"
    )
    print("| working-day arithmetic | median ms | max ms | queries |")
    print("| --- | ---: | ---: | ---: |")
    spring = datetime.date(2026, 2, 13)
    timed("`add_working_days(2026-02-13, 10)` (cached)", lambda: workdays.add_working_days(spring, 10))
    timed("`due_soon_horizon(today)` (cached)", lambda: workdays.due_soon_horizon(today))
    timed(
        "`Issue.warning()` over 10,000 problems with a department",
        lambda: [
            i.warning(today) for i in Issue.objects.filter(deadline__isnull=False).only("status", "deadline")[:10_000]
        ],
    )


if __name__ == "__main__":
    main()
