"""Celery and the cache against a real Redis server (CI runs these; elsewhere they need REDIS_URL)."""

import pytest
from django.core.cache import cache

from bangqiao_portal.celery import app
from bangqiao_portal.tasks import ping
from tests.services import redis_url


@pytest.mark.redis
def test_a_real_worker_on_redis_runs_a_task():
    from celery.contrib.testing.worker import start_worker

    saved = {key: app.conf[key] for key in ("result_backend", "task_ignore_result")}
    app.conf.update(result_backend=redis_url(), task_ignore_result=False)
    try:
        assert app.conf.broker_url.startswith("redis://")
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert ping.delay().get(timeout=30) == "pong"
    finally:
        app.conf.update(saved)


@pytest.mark.redis
def test_the_cache_is_redis_when_redis_url_is_set():
    cache.set("bangqiao-test", "值", 10)
    assert cache.get("bangqiao-test") == "值"
    assert type(cache).__name__ == "RedisCache"
