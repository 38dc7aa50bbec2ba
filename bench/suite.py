"""The benchmark suite behind `make bench`: every main page of every role at each tier, the dashboard's figures,
the reminder scan, an import, an export and the peer; docs/benchmarks.md is its report.

    # one tier, into a throwaway PostgreSQL database (built by demo/scale.py when empty, reused otherwise):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_bench_city DEBUG=false \\
        .venv/bin/python bench/suite.py measure --tier city [--runs 15] [--workloads] [--stress] \\
        --out var/bench/city.json
    # the report, from the tiers measured (and var/bench/peer.json when the peer ran):
    .venv/bin/python bench/suite.py report var/bench/*.json > docs/benchmarks.md

`make bench` does both for the district and the city (`make bench TIER=province` adds the province); its
databases are made and dropped by the Makefile. The pieces: bench/catalog.py (the pages), bench/timing.py (the
interleaved rounds: each page's first read after a change, then its kept read), bench/figures.py (the SQL behind
the dashboard), bench/workloads.py (scan, import, export), bench/peer.py (django-helpdesk), bench/report.py (the
Markdown and the targets).
"""

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")


# The pages timed in a busy city: those that count a whole period, read as often as a change is made (role, page).
BUSY = (
    ("leading group", "home"),
    ("leading group", "dashboard"),
    ("leading group", "compliance grid"),
    ("leading group", "departments table"),
    ("leading group", "roll-up per cadre"),
    ("leading group", "roll-up per department"),
    ("leading group", "roll-up per street"),
    ("leading group", "roll-up per sector"),
    ("leading group", "monthly report, last month"),
    ("leading group", "assessment year"),
    ("campaign office", "home"),
)


def machine() -> dict:
    from django.conf import settings
    from django.db import connection

    memory = ""
    with open("/proc/meminfo", encoding="ascii") as meminfo:  # Linux only, as the machines that run it
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "database": f"{connection.vendor} {version.split(' on ')[0]}",
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        # Where kept figures are kept (core/kept.py): Redis with REDIS_URL, else the process's memory.
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    }


def measure(args: argparse.Namespace) -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a throwaway database: the suite builds its tier there.")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from bench import catalog, explain, figures, workloads
    from bench.timing import after_each, client_ready, interleaved
    from core import kept
    from demo import scale
    from enterprises import importers

    call_command("migrate", verbosity=0)
    client_ready()
    out: dict = {"tier": args.tier, "when": timezone.now().isoformat(timespec="seconds"), "machine": machine()}
    if scale.has_data():
        out["build"] = {"reused": True}
    else:
        started = time.perf_counter()
        took = scale.build(scale.TIERS[args.tier])
        out["build"] = {"seconds": time.perf_counter() - started, "parts": took}
    out["sizes"] = scale.counts()
    log(f"{args.tier}: built or reused; timing pages ({args.runs} rounds)")
    pages = catalog.pages()
    if args.only:
        chosen = _chosen(args.only, {name for p in pages for name in (p.label, f"{p.role}: {p.label}")})
        pages = [p for p in pages if p.label in chosen or f"{p.role}: {p.label}" in chosen]
    runs = interleaved([(p.username, p.url) for p in pages], args.runs, cold=not args.kept_only)
    out["pages"] = [
        {
            "role": p.role,
            "user": p.username,
            "label": p.label,
            "url": p.url,
            **(r.summary() if not p.error else {"error": p.error}),
        }
        for p, r in zip(pages, runs, strict=True)
    ]
    busy_pages = [p for p in pages if (p.role, p.label) in BUSY and p.url and not p.error]
    if busy_pages and not args.kept_only:
        log(f"{args.tier}: a busy city (a move, or a visit, between every two reads)")
        month = kept.month_of(timezone.localdate())

        def change(family: str) -> Callable[[], None]:
            def made() -> None:  # what a move (a visit) made today says it changed: the problems (visits) of this month
                with transaction.atomic():
                    kept.touch(family, [month])

            return made

        out["busy"] = [
            {
                "role": page.role,
                "label": page.label,
                "url": page.url,
                "change": kind,
                "touched": f"{family} {month:%Y-%m}",
                **after_each(page.username, page.url, args.runs, change(family)),
            }
            for page in busy_pages
            for kind, family in (("a move", "problems"), ("a visit", "visits"))
        ]
    out["explain"] = explain.plans(pages)
    if not args.no_figures:
        log(f"{args.tier}: figures")
        out["figures"] = [{"label": label, **row} for label, row in figures.figures(max(3, args.runs // 3))]
    if args.workloads:
        log(f"{args.tier}: scan")
        out["scan"] = workloads.scan(runs=3, seconds=args.limit)
        log(f"{args.tier}: import")
        rows = importers.MAX_ROWS - 1  # the importer's cap: 10,000 rows with the header
        out["import"] = {"rows": rows, **workloads.import_list(rows, args.limit, cadres=False)}
        log(f"{args.tier}: import of 1,000 rows")
        out["import_1000"] = {"rows": 1_000, **workloads.import_list(1_000, args.limit, cadres=False)}
        log(f"{args.tier}: import with cadres")
        out["import_cadres"] = {"rows": 1_000, **workloads.import_list(1_000, args.limit, cadres=True)}
        log(f"{args.tier}: export")
        out["export"] = workloads.export_ledger(args.limit)
    if args.stress:
        log(f"{args.tier}: stress set")
        started = time.perf_counter()
        overdue = scale.build_stress()
        out["stress_build"] = {"seconds": time.perf_counter() - started, "open": scale.STRESS_OPEN, "overdue": overdue}
        out["stress_scan"] = workloads.scan(runs=1, seconds=args.limit)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    log(f"{args.tier}: written to {args.out}")


def _chosen(only: str, names: set[str]) -> set[str]:
    """The pages named in --only, comma-separated: a label with a comma of its own ("monthly report, last month")
    is joined again from its pieces. A name that is no page's stops the run, saying which."""
    chosen, piece = set(), ""
    for part in only.split(","):
        piece = f"{piece},{part}" if piece else part
        if piece.strip() in names:
            chosen.add(piece.strip())
            piece = ""
    if piece.strip():
        sys.exit(f"--only: no page is named {piece.strip()!r}")
    return chosen


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("measure", help="measure one tier into a JSON file")
    one.add_argument("--tier", choices=("district", "city", "province"), required=True)
    one.add_argument("--runs", type=int, default=15, help="timed rounds of every page, after one warm-up round")
    one.add_argument("--workloads", action="store_true", help="also the scan, the import and the export")
    one.add_argument("--stress", action="store_true", help="then add the stress set and time the scan over it")
    one.add_argument("--limit", type=int, default=600, help="seconds a job may run before it is reported unfinished")
    one.add_argument("--only", default="", help="these pages only, by label or 'role: label', comma-separated")
    one.add_argument("--no-figures", action="store_true", help="leave out the dashboard's figures")
    one.add_argument(
        "--kept-only",
        action="store_true",
        help="time the kept reads only: not the first read after a change, nor the pages in a busy city",
    )
    one.add_argument("--out", required=True)
    report = sub.add_parser("report", help="write docs/benchmarks.md's Markdown from the JSON files")
    report.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.command == "measure":
        measure(args)
    else:
        from bench.report import write

        write([json.loads(Path(f).read_text(encoding="utf-8")) for f in args.files if Path(f).exists()])


if __name__ == "__main__":
    main()
