"""Tell a user that their export is ready, with its download link, or that it failed.

The receiver of `core.exports.export_finished` (connected in NotificationsConfig.ready()). It runs inside
the transaction that finishes the job, so the notification exists exactly when the job is finished: the
user is told once, however often the task was delivered.

The text is put together here, in the campaign's language (as the email channel says a reminder), and
stored as the notification's title and text: the notification kinds (`notifications.models.Kind`) do not
list the exports' yet, and adding them is a migration of this app's. Once they are listed, these texts
move to `notifications/texts.py`'s `TEXTS` and the receiver stores `params` instead, said in the reader's
language like every other kind; the kind values below stay.
"""

from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.models import ExportJob
from notifications.channels import recipient_language
from notifications.models import TITLE_LENGTH, Notification
from notifications.texts import Text

EXPORT_READY = "export_ready"
EXPORT_FAILED = "export_failed"

TEXTS: dict[str, Text] = {
    EXPORT_READY: Text(
        _("Your export is ready: %(file)s"),
        _("%(rows)d rows. Download it by %(expires)s; the file is deleted after that."),
    ),
    EXPORT_FAILED: Text(
        _("Your export could not be prepared: %(export)s"),
        _(
            "The export you asked for at %(asked)s failed. Ask again from the page, or narrow the filters; "
            "if it fails again, tell the campaign office."
        ),
    ),
}


def export_notify(*, job: ExportJob) -> Notification:
    """Write the user's notification of a finished job (ready, with the download link; or failed)."""
    ready = job.status == ExportJob.Status.DONE
    kind = EXPORT_READY if ready else EXPORT_FAILED
    params: dict[str, Any] = {
        "file": job.filename,
        "rows": job.row_count or 0,
        "expires": f"{timezone.localtime(job.expires_at):%Y-%m-%d %H:%M}" if job.expires_at else "",
        "asked": f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}",
    }
    text = TEXTS[kind]
    with translation.override(recipient_language(job.user)):
        params["export"] = job.label
        title = (str(text.title) % params)[:TITLE_LENGTH]
        body = str(text.body) % params if text.body else ""
    link = reverse("exports:download", args=[job.pk]) if ready else reverse("exports:list")
    return Notification.objects.create(
        recipient_id=job.user_id,
        kind=kind,
        title=title,
        body=body,
        link=link,
        created_at=job.finished_at or timezone.now(),
    )


def on_export_finished(sender: type[ExportJob], *, job: ExportJob, **kwargs: object) -> None:
    """Receive `core.exports.export_finished` (connected in NotificationsConfig.ready)."""
    export_notify(job=job)
