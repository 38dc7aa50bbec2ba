"""Celery and the cache against a real Redis server (CI runs these; elsewhere they need REDIS_URL)."""

import time
import uuid

import pytest
from django.core.cache import cache, caches

from bangqiao_portal.celery import app
from core.tasks import ping


@pytest.mark.redis
def test_a_real_worker_takes_a_task_off_redis_and_runs_it():
    from celery.contrib.testing.worker import start_worker

    assert app.conf.broker_url.startswith("redis://")
    token = uuid.uuid4().hex
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        ping.delay(token)
        deadline = time.monotonic() + 30
        while cache.get(f"celery-ping:{token}") is None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cache.get(f"celery-ping:{token}") == "pong"


@pytest.mark.redis
def test_the_cache_is_redis_when_redis_url_is_set():
    cache.set("bangqiao-test", "值", 10)
    assert cache.get("bangqiao-test") == "值"
    assert type(caches["default"]).__name__ == "RedisCache"
