"""make backup / make restore: the demo district backed up, restored into an empty database, the same counts.

Each run is its own `manage.py` process against its own database, as an operator would run it.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COUNTS = "import django, json; django.setup(); from core.backups import table_counts; print(json.dumps(table_counts()))"

pytestmark = pytest.mark.slow


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _counts(env: dict[str, str]) -> dict[str, int]:
    done = subprocess.run([sys.executable, "-c", COUNTS], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _env(database_url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")}
    return {
        **env,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "bangqiao_portal.settings",
    }


def _round_trip(source_url: str, target_url: str, tmp_path: Path) -> None:
    source = _env(source_url, tmp_path / "media-source")
    _manage(source, "migrate", "--noinput")
    _manage(source, "seed_demo")
    (tmp_path / "media-source" / "policies").mkdir(parents=True)
    (tmp_path / "media-source" / "policies" / "细则.pdf").write_bytes(b"%PDF-1.4 demo")
    before = _counts(source)
    assert before["enterprises.Enterprise"] == 139

    _manage(source, "backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["counts"] == before

    target = _env(target_url, tmp_path / "media-target")
    _manage(target, "migrate", "--noinput")
    assert _counts(target)["enterprises.Enterprise"] == 0
    _manage(target, "restore", str(tmp_path / "backup"))
    assert _counts(target) == before
    assert (tmp_path / "media-target" / "policies" / "细则.pdf").read_bytes() == b"%PDF-1.4 demo"

    # A second restore would mix two districts: it is refused, and nothing changes.
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
        cwd=ROOT,
        env=target,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert _counts(target) == before


def test_the_demo_district_backed_up_and_restored_into_an_empty_sqlite_database_has_the_same_counts(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path)


@pytest.mark.postgres
def test_the_same_on_postgresql(tmp_path):
    db = settings.DATABASES["default"]
    base = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    server = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    names = [f"bangqiao_backup_{uuid.uuid4().hex[:8]}_{side}" for side in ("source", "target")]
    for name in names:
        subprocess.run(["createdb", *server, name], check=True)
    try:
        _round_trip(f"{base}/{names[0]}", f"{base}/{names[1]}", tmp_path)
    finally:
        for name in names:
            subprocess.run(["dropdb", *server, "--if-exists", "--force", name], check=False)
