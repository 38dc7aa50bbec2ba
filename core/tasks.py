from celery import shared_task
from django.core.cache import cache


@shared_task
def ping(token: str) -> None:
    """Leave 'pong' under the token in the cache: proof that a worker took a task off the broker."""
    cache.set(f"celery-ping:{token}", "pong", timeout=300)
