"""Measure the enterprise export's peak Python memory at two sizes (issue 5: exports must stream).

make bench (or: DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/export_memory.py)
It creates its own rows in the database it is given: never point it at real data.
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from core.spreadsheets import xlsx_response  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from organisation.exports import enterprise_export_rows, export_headers  # noqa: E402


def measure(n: int, office) -> tuple[float, float, int]:
    have = Enterprise.objects.count()
    Enterprise.objects.bulk_create(
        Enterprise(name=f"基准企业{i:06d}", kind="project", origin="city", sector="industry", street="纺织城街道")
        for i in range(have, n)
    )
    tracemalloc.start()
    started = time.perf_counter()
    response = xlsx_response("bench.xlsx", export_headers(), enterprise_export_rows(office))
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024, elapsed, size


def main() -> None:
    call_command("migrate", verbosity=0)
    office, _ = User.objects.get_or_create(username="bench-office", defaults={"is_superuser": True})
    for n in (2_000, 20_000, 100_000):
        peak, elapsed, size = measure(n, office)
        print(f"{n:>7} rows: peak {peak:6.1f} MiB, {elapsed:5.1f} s, file {size / 1024:8.0f} KiB")


if __name__ == "__main__":
    main()
