"""Time the campaign office's enterprise-list import: the preview (a dry run) and the confirmed import.

    # a new list on an empty database (new enterprises, new cadres with their mobiles)
    createdb -h 127.0.0.1 -U postgres bangqiao_import_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_import_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_import_bench DEBUG=false \\
        .venv/bin/python bench/imports.py --rows 1000 10000

    # a list of the city's registered enterprises and their cadres, a quarter of the rows changed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangqiao_city_import DEBUG=false \\
        .venv/bin/python bench/imports.py --rows 1000 10000 --existing

It builds a list of N rows as an .xlsx in memory (valid codes: enterprises/uscc.py's check character),
then times what the page does: the preview (`enterprise_import(dry_run=True)`, reading the workbook
too) and the confirmation (`enterprise_import_table(dry_run=False)` on the preview's rows), then the
same list imported once more (nothing to change). Each run is one outer transaction rolled back at the
end, so the database is left as it was and every run starts from it. It reports the median seconds of
--repeat runs and the queries of each step, then the peak memory of one more run under tracemalloc
(Python's allocations) and the process's peak resident size (ru_maxrss). With --quick: one run, no
warm-up, and the peak resident size of that run alone (the old import took minutes a run).
"""

import argparse
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a throwaway database, e.g. postgres://postgres@127.0.0.1:5432/bangqiao_import_bench")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from enterprises.importers import HEADERS, KIND_VALUES, MAX_ROWS, ORIGIN_VALUES, SECTOR_VALUES, canonical_word  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from enterprises.uscc import check_character  # noqa: E402
from organisation.exports import TEMPLATE_COLUMNS  # noqa: E402
from organisation.imports import enterprise_import, enterprise_import_table  # noqa: E402
from organisation.models import Pairing  # noqa: E402

# The list template's columns, in its order: the export's, which the import reads back.
COLUMNS = TEMPLATE_COLUMNS
SECTORS = [canonical_word(SECTOR_VALUES, code) for code in SECTOR_VALUES]


def uscc(number: int) -> str:
    body = f"91610112{number:09d}"  # 91610112: not the factories' nor the city's codes
    return body + check_character(body)


def new_rows(count: int) -> list[list[str]]:
    """A list of enterprises nobody registered, each paired with a new cadre keyed by a mobile."""
    return [
        [
            f"西安灞桥基准{number:05d}有限公司",
            uscc(number),
            "企业",
            "市级确定" if number % 2 else "区级选取",
            SECTORS[number % len(SECTORS)],
            "纺织城街道",
            f"联系人{number}",
            f"029{number:08d}",
            f"基准干部{number:05d}",
            "副局长",
            f"139{number:08d}",
            "2026-06-17",
        ]
        for number in range(1, count + 1)
    ]


def existing_rows(count: int) -> list[list[str]]:
    """The registered enterprises with their active pairings as a list, every fourth row with a new street."""
    pairings = Pairing.objects.active().select_related("enterprise", "cadre").order_by("enterprise__name")[:count]
    rows = []
    for index, pairing in enumerate(pairings):
        enterprise, cadre = pairing.enterprise, pairing.cadre
        rows.append(
            [
                enterprise.name,
                enterprise.uscc or "",
                canonical_word(KIND_VALUES, enterprise.kind),
                canonical_word(ORIGIN_VALUES, enterprise.origin),
                canonical_word(SECTOR_VALUES, enterprise.sector),
                f"{enterprise.street}二" if index % 4 == 0 else enterprise.street,
                enterprise.contact_person,
                enterprise.phone,
                cadre.name,
                cadre.title,
                cadre.mobile,
                f"{pairing.started_on:%Y-%m-%d}",
            ]
        )
    if len(rows) < count:
        sys.exit(f"The database has {len(rows)} active pairings; --existing needs {count}.")
    return rows


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append([HEADERS[c][0] for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(step):
    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):  # counts past the 9,000 queries Django's log keeps
        started = time.perf_counter()
        report = step()
        seconds = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    return seconds, count, report


class Rollback(Exception):
    pass


def one_run(data: bytes) -> dict[str, tuple[float, int, str]]:
    """Preview, confirm, import again, in one transaction rolled back at the end."""
    figures = {}
    try:
        with transaction.atomic():
            seconds, queries, preview = timed(lambda: enterprise_import(data=data, dry_run=True, filename="名单.xlsx"))
            figures["preview"] = (seconds, queries, f"{preview.new}/{preview.updated}/{preview.unchanged}")
            seconds, queries, done = timed(lambda: enterprise_import_table(table=preview.table, dry_run=False))
            figures["confirm"] = (seconds, queries, f"{done.new}/{done.updated}/{done.unchanged}")
            seconds, queries, again = timed(lambda: enterprise_import(data=data, dry_run=False, filename="名单.xlsx"))
            figures["again"] = (seconds, queries, f"{again.new}/{again.updated}/{again.unchanged}")
            raise Rollback
    except Rollback:
        pass
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--existing", action="store_true", help="a list of the registered enterprises")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run, no warm-up, no memory run (the old import)")
    args = parser.parse_args()
    print(f"database {connection.settings_dict['NAME']}, enterprises {Enterprise.objects.count()}")
    print("rows    step     median s  runs (s)               queries  new/updated/unchanged")
    for asked in args.rows:
        count = min(asked, MAX_ROWS - 1)  # the importer's cap: a header and 9,999 rows
        data = workbook(existing_rows(count) if args.existing else new_rows(count))
        if not args.quick:
            one_run(data)  # warm-up
        runs = [one_run(data) for _ in range(1 if args.quick else args.repeat)]
        for step in ("preview", "confirm", "again"):
            seconds = [run[step][0] for run in runs]
            _, queries, counts = runs[-1][step]
            listed = " ".join(f"{s:.2f}" for s in seconds)
            print(f"{count:<7} {step:<8} {statistics.median(seconds):8.2f}  {listed:<22} {queries:7}  {counts}")
        if args.quick:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{count:<7} memory   ru_maxrss {rss:.0f} MB (the process: Django, the list, {len(runs)} run)")
            continue
        tracemalloc.start()
        one_run(data)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{count:<7} memory   tracemalloc peak {peak / 1024 / 1024:.1f} MB (one run: preview+confirm+again), "
            f"ru_maxrss {rss:.0f} MB (process so far), workbook {len(data) / 1024:.0f} KB"
        )


if __name__ == "__main__":
    main()
