"""What `/health/` reports: the database and Redis, asked here, and whatever higher apps add.

Core sits at the bottom of the layers and may not import the apps that know the reminders. They
register a probe instead (`register`, from their `AppConfig.ready()`), as they connect a signal
receiver: `/health/` keeps its path and its view in core, and each fact is measured by the app
that owns it. A probe returns plain values for the JSON answer (no secrets, no addresses); only
the database and a configured Redis decide the status code, since without them nothing works.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

Probe = Callable[[], dict[str, Any]]
_probes: dict[str, Probe] = {}

OK = "ok"
DOWN = "unavailable"
NOT_CONFIGURED = "not configured"


def register(name: str, probe: Probe) -> None:
    """Add `probe`'s answer to `/health/` under `name` (registering a name again replaces it)."""
    _probes[name] = probe


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("Health check: the database does not answer.")
        return DOWN
    return OK


def redis() -> str:
    url = settings.REDIS_URL
    if not url:
        return NOT_CONFIGURED
    import redis as redis_client

    try:
        client = redis_client.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        logger.exception("Health check: Redis does not answer.")
        return DOWN
    return OK


def report() -> tuple[bool, dict[str, Any]]:
    """Return whether the portal is healthy, and what it says about itself."""
    answer: dict[str, Any] = {"database": database(), "redis": redis()}
    healthy = answer["database"] == OK and answer["redis"] in (OK, NOT_CONFIGURED)
    if answer["database"] == OK:
        for name, probe in _probes.items():
            try:
                answer[name] = probe()
            except Exception:
                logger.exception("Health check: probe %s failed.", name)
                answer[name] = DOWN
    return healthy, {"status": OK if healthy else DOWN, **answer}
