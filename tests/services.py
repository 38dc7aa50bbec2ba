"""Find the outside services some tests need: Redis, a Chromium binary, PostgreSQL's server programs, the a11y tools."""

import functools
import glob
import os
import pwd
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The accessibility checks' tools, pinned in package-lock.json and installed by `npm ci` (make install-dev).
AXE_SCRIPT = ROOT / "node_modules/axe-core/axe.min.js"
VNU_JAR = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"


@functools.cache
def redis_url() -> str | None:
    """Return REDIS_URL when a Redis server answers there, else None."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


@functools.cache
def chromium_path() -> str | None:
    """Return the path of a Chromium the browser tests can drive, else None."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


def axe_missing() -> str | None:
    """Return why axe-core cannot run, else None."""
    if not AXE_SCRIPT.is_file():
        return "needs axe-core: `make install-dev` with npm installed (npm ci)"
    return None


@functools.cache
def java_path() -> str | None:
    """Return the path of a Java runtime, else None."""
    return shutil.which("java")


def vnu_missing() -> str | None:
    """Return why the Nu HTML checker cannot run, else None."""
    if not VNU_JAR.is_file():
        return "needs the Nu HTML checker: `make install-dev` with npm installed (npm ci)"
    if java_path() is None:
        return "needs Java for the Nu HTML checker (apt-get install default-jre-headless)"
    return None


@functools.cache
def postgres_bindir() -> Path | None:
    """Return the folder holding PostgreSQL's initdb and pg_ctl, else None (tests/pgcluster.py uses them).

    Debian keeps them off PATH, in /usr/lib/postgresql/<version>/bin; PG_BINDIR names another folder.
    Run as root, the cluster belongs to the `postgres` account (initdb refuses root), which must exist.
    """
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None
    on_path = shutil.which("initdb")
    candidates = [os.environ.get("PG_BINDIR"), on_path and str(Path(on_path).resolve().parent)]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
    for candidate in candidates:
        if candidate and all((Path(candidate) / name).is_file() for name in ("initdb", "pg_ctl", "pg_isready")):
            return Path(candidate)
    return None


def _version(bindir: str) -> int:
    name = Path(bindir).parent.name
    return int(name) if name.isdigit() else 0
