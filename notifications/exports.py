"""Tell a user that their export is ready, with its download link, or that it failed.

The receiver of `core.exports.export_finished` (connected in NotificationsConfig.ready()). It runs inside
the transaction that finishes the job, so the notification exists exactly when the job is finished: the
user is told once, however often the task was delivered. Like a reminder, the notification stores the
values it is said from (the export's name, file, rows, times); `notifications/texts.py` says them in the
reader's language (`Kind.EXPORT_READY`, `Kind.EXPORT_FAILED`).
"""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.models import ExportJob
from notifications.models import Kind, Notification


def export_notify(*, job: ExportJob) -> Notification:
    """Write the user's notification of a finished job (ready, with the download link; or failed)."""
    ready = job.status == ExportJob.Status.DONE
    params: dict[str, Any] = {
        "export": job.name,
        "file": job.filename,
        "rows": job.row_count or 0,
        "expires": f"{timezone.localtime(job.expires_at):%Y-%m-%d %H:%M}" if job.expires_at else "",
        "asked": f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}",
    }
    return Notification.objects.create(
        recipient_id=job.user_id,
        kind=Kind.EXPORT_READY if ready else Kind.EXPORT_FAILED,
        params=params,
        link=reverse("exports:download", args=[job.pk]) if ready else reverse("exports:list"),
        created_at=job.finished_at or timezone.now(),
    )


def on_export_finished(sender: type[ExportJob], *, job: ExportJob, **kwargs: object) -> None:
    """Receive `core.exports.export_finished` (connected in NotificationsConfig.ready)."""
    export_notify(job=job)
