"""Find the outside services some tests need: Redis, a Chromium binary, PostgreSQL's server programs."""

import functools
import glob
import os
import pwd
import shutil
from pathlib import Path


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
