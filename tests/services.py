"""Find the outside services some tests need: Redis and a Chromium binary."""

import functools
import os
import shutil


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
