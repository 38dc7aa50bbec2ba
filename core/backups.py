"""Back up and restore the portal: the database (PostgreSQL custom-format dump, or an SQLite copy) and MEDIA_ROOT.

A backup is a folder: `database.dump` or `database.sqlite3`, `media.tar.gz`, and `manifest.json` (when,
which engine, how many rows each table held). `make backup` and `make restore` call these through
`manage.py backup` and `manage.py restore`.

Restoring puts the database back as it was at the backup. The reminders recorded since then are gone
with it, so the next scan records and sends again what it had sent since the backup (docs/deployment.md
says how to avoid that).
"""

import datetime
import json
import os
import shutil
import sqlite3

# pg_dump and pg_restore run with fixed arguments, never through a shell.
import subprocess  # nosec B404
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from core.errors import PortalError

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(PortalError):
    """A backup or restore that could not be made; nothing was restored."""


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    counts: dict[str, int]


def table_counts() -> dict[str, int]:
    """Rows in each of the portal's tables, to compare a restore with its backup."""
    labels = ("core", "enterprises", "organisation", "issues", "visits", "notifications")
    return {
        model._meta.label: model._default_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError("tool_failed", f"{command[0]}: {done.stderr.strip()[:500]}")


def backup(*, folder: Path) -> BackupReport:
    """Write the database and the uploaded files to `folder` (created; it must be empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError("folder_not_empty", f"{folder} is not empty: back up into a new folder.")
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={folder / PG_DUMP}", str(db["NAME"])])
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(folder / SQLITE_COPY) as copy:
            connection.connection.backup(copy)
    else:
        raise BackupError("engine_unsupported", f"Cannot back up a {connection.vendor} database.")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA_ARCHIVE, "w:gz") as archive:
        if media.is_dir():
            archive.add(media, arcname="media")
    counts = table_counts()
    manifest = {"made_at": datetime.datetime.now(datetime.UTC).isoformat(), "engine": connection.vendor}
    (folder / MANIFEST).write_text(json.dumps({**manifest, "counts": counts}, ensure_ascii=False, indent=2))
    return BackupReport(folder, counts)


def restore(*, folder: Path) -> BackupReport:
    """Put a backup into this installation's database, which must hold no enterprises yet, and its files."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("not_a_backup", f"{folder} holds no readable {MANIFEST}.") from exc
    if manifest["engine"] != connection.vendor:
        raise BackupError("engine_mismatch", f"The backup is of {manifest['engine']}, this is {connection.vendor}.")
    if apps.get_model("enterprises", "Enterprise")._default_manager.exists():
        raise BackupError("database_not_empty", "This database holds enterprises already: restore into an empty one.")
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        connections.close_all()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={db['NAME']}", str(folder / PG_DUMP)])
    else:
        connections.close_all()
        with sqlite3.connect(folder / SQLITE_COPY) as source, sqlite3.connect(db["NAME"]) as target:
            source.backup(target)
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA_ARCHIVE, "r:gz") as archive:
        archive.extractall(media.parent / "_restoring", filter="data")
    restored = media.parent / "_restoring" / "media"
    if restored.is_dir():
        shutil.copytree(restored, media, dirs_exist_ok=True)
    shutil.rmtree(media.parent / "_restoring", ignore_errors=True)
    return BackupReport(folder, table_counts())
