"""The peer of issue 16's comparison: django-helpdesk 2.6.1 at 100,000 tickets, timed the way bench/suite.py times ours.

    make bench-peer     # once: django-helpdesk 2.6.1 from PyPI in a venv of its own, var/peer
    .venv/bin/python bench/peer.py --out var/bench/peer.json

Run with the portal's Python, it makes a throwaway PostgreSQL database (bangqiao_bench_peer), runs itself with
var/peer's Python there (--inner: a minimal Django project with helpdesk and a superuser), and drops the
database; the result goes to --out. Timed with Django's test client as ours: the ticket list's data (the JSON
the ticket list page fetches, first page, 25 rows, newest first) and the dashboard, medians of interleaved
rounds after a warm-up. Without var/peer it writes why, and the report quotes the issue's figures instead.

The peer's data has the city tier's shape (demo/scale.py), made with bulk_create: 100,000 tickets created over three
years in 120 queues (our 120 departments), each with 4 follow-ups (our 407,860 timeline events for 100,000
problems), statuses and owners spread as before. `--followups 0 --queues 10 --years 0` gives the bare set the first
run of this comparison used (every ticket made the same moment, no history).
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess  # nosec B404 - runs this script with the peer's own Python
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_PYTHON = ROOT / "var" / "peer" / "bin" / "python"
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "bangqiao_bench_peer"


def outer(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    found = (
        subprocess.run(  # nosec B603 - a fixed command
            [str(PEER_PYTHON), "-c", "import helpdesk, django; print(django.get_version())"],
            capture_output=True,
            text=True,
            check=False,
        )
        if PEER_PYTHON.exists()
        else None
    )
    if found is None or found.returncode:
        out.write_text(json.dumps({"peer": "django-helpdesk 2.6.1", "error": "not installed here (make bench-peer)"}))
        return
    import psycopg2

    def admin(sql: str) -> None:
        connection = psycopg2.connect(f"{SERVER}/postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
        connection.close()

    admin(f"DROP DATABASE IF EXISTS {DATABASE}")
    admin(f"CREATE DATABASE {DATABASE}")
    try:
        ran = subprocess.run(  # nosec B603 - this script, with the peer's Python
            [str(PEER_PYTHON), __file__, "--inner", *_passed(args)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT / "var",
        )
    finally:
        admin(f"DROP DATABASE IF EXISTS {DATABASE}")
    if ran.returncode:
        result = {"peer": "django-helpdesk 2.6.1", "error": "failed: " + ran.stderr.strip().splitlines()[-1][:200]}
    else:
        result = json.loads(ran.stdout.strip().splitlines()[-1])
    out.write_text(json.dumps(result, indent=1))


def _passed(args: argparse.Namespace) -> list[str]:
    """The data's and the timing's options, as the inner run is given them."""
    names = ("tickets", "queues", "followups", "years", "runs")
    return [part for name in names for part in (f"--{name}", str(getattr(args, name)))]


def inner(args: argparse.Namespace) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-peer",  # nosec B106 - a throwaway benchmark project
        ALLOWED_HOSTS=["testserver"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": DATABASE,
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": "5432",
            }
        },
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "django.contrib.sites",
            "django.contrib.humanize",
            "rest_framework",
            "helpdesk",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        ROOT_URLCONF=__name__,
        SITE_ID=1,
        STATIC_URL="/static/",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        LOGIN_URL="/login/",
        HELPDESK_TEAMS_MODE_ENABLED=False,  # pinax-teams is an extra (django-helpdesk[teams])
    )
    django.setup()
    from base64 import b64encode

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import include, path
    from django.utils import timezone
    from helpdesk.models import FollowUp, Queue, Ticket

    urlpatterns.append(path("", include("helpdesk.urls")))
    setup_test_environment()
    call_command("migrate", verbosity=0)
    user = User.objects.create_superuser("peer", "peer@example.com", None)
    queues = Queue.objects.bulk_create(Queue(title=f"Queue {i}", slug=f"q{i}") for i in range(args.queues))
    now = timezone.now()
    span = datetime.timedelta(days=365 * args.years)
    step = span / args.tickets

    def created(i: int) -> datetime.datetime:
        return now - span + step * i

    started = time.perf_counter()
    Ticket.objects.bulk_create(
        (
            Ticket(
                title=f"Ticket {i}",
                queue=queues[i % args.queues],
                created=created(i),
                modified=created(i),
                status=1 + i % 4,
                description="benchmark",
                priority=1 + i % 5,
                assigned_to=user if i % 3 == 0 else None,
                secret_key=f"{i:015d}",
            )
            for i in range(args.tickets)
        ),
        batch_size=5_000,
    )
    tickets = Ticket.objects.order_by("pk").values_list("pk", "created")
    for start in range(0, args.tickets, 5_000):
        FollowUp.objects.bulk_create(
            FollowUp(
                ticket_id=pk,
                date=when + datetime.timedelta(hours=n + 1),
                title=f"Follow-up {n + 1}",
                comment="benchmark",
                public=True,
                user=user,
            )
            for pk, when in tickets[start : start + 5_000]
            for n in range(args.followups)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    query = b64encode(
        json.dumps(
            {"filtering": {"status__in": [1, 2]}, "sorting": "created", "search_string": "", "sortreverse": False}
        ).encode()
    ).decode("ascii")
    pages = {
        "ticket list data": f"/datatables_ticket_list/{query}?draw=1&start=0&length=25&order[0][column]=1"
        "&order[0][dir]=desc&search[value]=",
        "dashboard": "/dashboard/",
    }
    client = Client()
    client.force_login(user)
    times: dict[str, list[float]] = {name: [] for name in pages}
    queries: dict[str, int] = {}
    for round_ in range(args.runs + 1):
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                took = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (response.status_code, response.content[:300], url)
            if round_:
                times[name].append(took)
                queries[name] = len(captured)
    print(
        json.dumps(
            {
                "peer": "django-helpdesk 2.6.1",
                "note": (
                    f"{args.tickets:,} tickets over {args.years} years in {args.queues} queues, "
                    f"{args.followups} follow-ups each, built in {built:.0f} s; {args.runs} rounds"
                ),
                "figures": {name: statistics.median(t) for name, t in times.items()},
                "queries": queries,
            }
        )
    )


urlpatterns: list = []  # the peer's project's URLs, filled in by inner()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", action="store_true", help="run inside the peer's venv (bench/peer.py does it)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--queues", type=int, default=120)
    parser.add_argument("--followups", type=int, default=4, help="follow-ups per ticket")
    parser.add_argument("--years", type=int, default=3, help="the tickets' creation dates spread over these years")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "peer.json"))
    args = parser.parse_args()
    inner(args) if args.inner else outer(args)


if __name__ == "__main__":
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    main()
