from celery import shared_task
from django.core.cache import cache

from core.exports import export_run, exports_sweep
from core.services import submissions_sweep


@shared_task
def ping(token: str) -> None:
    """Leave 'pong' under the token in the cache: proof that a worker took a task off the broker."""
    cache.set(f"celery-ping:{token}", "pong", timeout=300)


@shared_task
def sweep_submissions() -> int:
    """Delete the one-time tokens too old to be sent again; beat runs this nightly."""
    return submissions_sweep()


@shared_task
def run_export(job_id: int) -> int | None:
    """Write one export in the background; return its row count (None if the job was not waiting)."""
    job = export_run(job_id=job_id)
    return job.row_count if job else None


@shared_task
def sweep_exports() -> int:
    """Delete expired export files, fail jobs whose worker died, queue again those never queued; beat runs this."""
    return exports_sweep().expired


@shared_task
def warm_kept() -> int:
    """Count the default views' figures again after a change, so their readers find them kept (core/kept.py)."""
    from core.kept import warm

    return warm()
