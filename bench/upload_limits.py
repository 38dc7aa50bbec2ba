"""Measure what an uploaded list costs (issue 11): a city's list, and refusing the zip bomb.

    rm -f /tmp/uploads.sqlite3*
    DATABASE_URL=sqlite:////tmp/uploads.sqlite3 DEBUG=false .venv/bin/python bench/upload_limits.py

(`make bench-uploads` does that and writes docs/benchmarks-uploads.md.) It fills the throwaway
database with a city's 13,900 enterprises, each paired with a cadre and every column filled,
downloads the enterprise export and reports what it unpacks to, laid out as openpyxl writes it and as
Excel saves it: the figures the caps are sized from. Then it times a preview and its confirmation of
its first 2,000 rows (--preview-rows). Last, in a fresh process, so that its peak memory is its own, it uploads issue
11's zip bomb (392 KiB holding 157 MiB of shared strings) to the import page as the campaign office,
and reports how long the refusal took and the process's peak resident memory, Django included.
With --unguarded, that process first lets openpyxl read the bomb with the caps lifted, as before
issue 11 (about 100 s and 1.3 GB here).
"""

import argparse
import contextlib
import datetime
import io
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a throwaway database, e.g. sqlite:////tmp/uploads.sqlite3")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from core.roles import Role  # noqa: E402
from enterprises import importers  # noqa: E402
from enterprises.models import Enterprise, Kind, Origin, Sector  # noqa: E402
from enterprises.uscc import check_character  # noqa: E402
from organisation.models import Cadre, Pairing  # noqa: E402
from tests.organisation.helpers import excel_xlsx, read_xlsx, xlsx_bytes, zip_bomb_xlsx  # noqa: E402

BATCH = 2_000
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
STREETS = ["纺织城街道", "十里铺街道", "红旗街道", "席王街道", "洪庆街道", "狄寨街道", "灞桥街道", "新筑街道"]
MIB = 1024 * 1024


def _peak_mib() -> float:
    """The process's peak resident memory (VmHWM: unlike getrusage's, not inherited from a parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: Linux only")


def _client() -> Client:
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    warnings.filterwarnings("ignore", "No directory at")
    client = Client()
    client.force_login(User.objects.get(username="bench-office"))
    return client


def build(n: int) -> None:
    """Bulk-create n enterprises with every column filled, each paired with a cadre of its own."""
    office = User.objects.create(username="bench-office")
    office.groups.add(Group.objects.get_or_create(name=Role.CAMPAIGN_OFFICE)[0])
    sectors, origins = list(Sector.values), list(Origin.values)
    enterprises = Enterprise.objects.bulk_create(
        (
            Enterprise(
                name=f"西安市灞桥区第{i:05d}号精密机械制造有限责任公司",
                uscc=(body := f"91610111{i:09d}") + check_character(body),
                kind=Kind.ENTERPRISE,
                origin=origins[i % 2],
                sector=sectors[i % len(sectors)],
                street=STREETS[i % len(STREETS)],
                contact_person=f"联系人{i:05d}",
                phone=f"029-8{i:07d}",
            )
            for i in range(n)
        ),
        batch_size=BATCH,
    )
    users = User.objects.bulk_create((User(username=f"bench{i:05d}") for i in range(n)), batch_size=BATCH)
    cadres = Cadre.objects.bulk_create(
        (
            Cadre(user=u, name=f"干部{i:05d}", title="区发展和改革委员会副主任", mobile=f"139{i:08d}")
            for i, u in enumerate(users)
        ),
        batch_size=BATCH,
    )
    paired_on = datetime.date(2026, 6, 17)
    Pairing.objects.bulk_create(
        (Pairing(cadre=c, enterprise=e, started_on=paired_on) for c, e in zip(cadres, enterprises, strict=True)),
        batch_size=BATCH,
    )


def describe(label: str, data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    unpacked = sum(p.file_size for p in parts)
    biggest = max(parts, key=lambda p: p.file_size)
    text = next((p.file_size for p in parts if p.filename == "xl/sharedStrings.xml"), 0)
    print(
        f"| {label} | {len(data) / 1024:,.0f} KiB | {unpacked / MIB:.1f} MiB | {text / MIB:.1f} MiB "
        f"| {biggest.filename}, {biggest.file_size / max(biggest.compress_size, 1):.0f} to 1 |"
    )


def city_list(rows: int, preview_rows: int) -> None:
    client = _client()
    started = time.perf_counter()
    exported = b"".join(client.get("/enterprises/exports/enterprises.xlsx").streaming_content)
    print(f"The enterprise export of {rows:,} rows took {time.perf_counter() - started:.1f} s.\n")
    print("| the list | packed | unpacked | shared strings | most packed part |")
    print("| --- | ---: | ---: | ---: | --- |")
    describe("the export (openpyxl: text in the sheet)", exported)
    sheet = next(iter(read_xlsx(exported).values()))
    describe("the same, as Excel saves it (text in shared strings)", excel_xlsx(sheet))
    print(
        f"\nCaps: {settings.CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES / MIB:.0f} MiB unpacked, "
        f"{settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES / MIB:.0f} MiB of shared strings, "
        f"parts packed at most {importers.MAX_PART_RATIO} to 1; at most {importers.MAX_ROWS:,} rows "
        f"(so this list itself is refused, after its first {importers.MAX_ROWS:,} rows are read: too_many_rows).\n"
    )
    part = xlsx_bytes(sheet[: preview_rows + 1])
    started = time.perf_counter()
    preview = client.post("/enterprises/import/", {"file": SimpleUploadedFile("名单.xlsx", part)})
    preview_s = time.perf_counter() - started
    report = preview.context["report"]
    token = client.session["enterprise_import"]["token"]
    started = time.perf_counter()
    confirm = client.post("/enterprises/import/confirm/", {"token": token, "submission": str(uuid.uuid4())})
    confirm_s = time.perf_counter() - started
    assert preview.status_code == 200 and confirm.status_code == 302, (preview.status_code, confirm.status_code)
    print(
        f"The first {preview_rows:,} rows ({len(part) / 1024:,.0f} KiB; {report.unchanged:,} unchanged): "
        f"preview {preview_s:.1f} s, confirmation {confirm_s:.1f} s (the rows kept by the preview, not parsed again)."
    )


def zip_bomb(path: Path, unguarded: bool) -> None:
    """In this process alone: upload the bomb to the import page; print the time and the peak memory."""
    client = _client()
    data = path.read_bytes()
    if unguarded:
        started = time.perf_counter()
        with caps_lifted(), contextlib.suppress(importers.ImportFileError):
            importers.read_table(data, filename="名单.xlsx")  # no header in the bomb, after reading it all
        print(
            f"- Caps lifted, as before issue 11: openpyxl read it for {time.perf_counter() - started:.0f} s; "
            f"peak resident memory {_peak_mib():,.0f} MiB."
        )
        return
    logging.disable(logging.WARNING)  # Django logs the 400 it answers
    client.get("/enterprises/import/")  # a warm server: the page's code and templates loaded
    before = _peak_mib()
    started = time.perf_counter()
    response = client.post("/enterprises/import/", {"file": SimpleUploadedFile("名单.xlsx", data)})
    elapsed = time.perf_counter() - started
    [error] = response.context["form"].errors.as_data()["file"]
    print(
        f"- Refused ({response.status_code}, {error.code}) in {elapsed * 1000:.0f} ms; peak resident memory of "
        f"the whole process {_peak_mib():.0f} MiB ({before:.0f} MiB before the upload: Python, Django, a client)."
    )


@contextlib.contextmanager
def caps_lifted() -> Iterator[None]:
    """Lift the caps of issue 11, to show what they spare."""
    saved = (settings.CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES, settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES)
    settings.CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES = settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES = 2**40
    ratio, importers.MAX_PART_RATIO = importers.MAX_PART_RATIO, 10**6
    try:
        yield
    finally:
        settings.CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES, settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES = saved
        importers.MAX_PART_RATIO = ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=13_900, help="enterprises in the city's list")
    parser.add_argument("--preview-rows", type=int, default=2_000, help="rows of it to preview and confirm")
    parser.add_argument("--unguarded", action="store_true", help="also time openpyxl reading the bomb, caps lifted")
    parser.add_argument("--zip-bomb", type=Path, help=argparse.SUPPRESS)  # the measuring child process
    args = parser.parse_args()
    if args.zip_bomb:
        zip_bomb(args.zip_bomb, args.unguarded)
        return
    call_command("migrate", verbosity=0)
    if Enterprise.objects.exists():
        sys.exit("This database already has enterprises: give bench/upload_limits.py a throwaway one.")
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        build(args.rows)
        city_list(args.rows, args.preview_rows)
        bomb = Path(media) / "bomb.xlsx"
        bomb.write_bytes(zip_bomb_xlsx(157 * MIB))
        with zipfile.ZipFile(bomb) as archive:
            text = archive.getinfo("xl/sharedStrings.xml").file_size
        size = bomb.stat().st_size / 1024
        print(f"\nIssue 11's zip bomb: {size:.0f} KiB holding {text / MIB:.0f} MiB of shared strings.")
        sys.stdout.flush()
        child = [sys.executable, __file__, "--zip-bomb", str(bomb)]
        env = {**os.environ, "MEDIA_ROOT": media}
        subprocess.run(child, check=True, env=env)  # this very script, with a path it made
        if args.unguarded:
            subprocess.run([*child, "--unguarded"], check=True, env=env)


if __name__ == "__main__":
    main()
