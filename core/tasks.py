from celery import shared_task
from django.core.cache import cache

from core.services import submissions_sweep


@shared_task
def ping(token: str) -> None:
    """Leave 'pong' under the token in the cache: proof that a worker took a task off the broker."""
    cache.set(f"celery-ping:{token}", "pong", timeout=300)


@shared_task
def sweep_submissions() -> int:
    """Delete the one-time tokens too old to be sent again; beat runs this nightly."""
    return submissions_sweep()
