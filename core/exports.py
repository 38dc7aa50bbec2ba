"""Spreadsheet exports: streamed at once when small, written in the background when large.

Each app registers its exports here from its `AppConfig.ready()` (`register("ledger", ledger_sheet)`):
a name and a builder that takes the user and the page's filters (a `QueryDict`) and returns a `Sheet`
(the file's name, the headers, the rows as a lazy iterator, their count). The builder scopes its rows
with the same `visible_to(user)` as the page, so an export never holds more than the user may see;
core names no app (it is the bottom layer) and finds an export only by its name.

`core.views.export_or_queue` streams a sheet of at most `CAMPAIGN_EXPORT_INLINE_MAX_ROWS` rows at once,
as every export did before; a larger one becomes an `ExportJob` (`export_start`), which the Celery task
`core.tasks.run_export` writes (`export_run`) to the private storage. The job is finished in one
transaction with the `export_finished` signal, whose receiver (`notifications/exports.py`) tells the
user, so they are told exactly once. A job waits while its task cannot be queued (the broker down):
beat's `exports_sweep` queues it again, fails a job whose worker died, and deletes expired files.
"""

import datetime
import hashlib
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.http import QueryDict
from django.utils import timezone, translation

from core.errors import PortalError
from core.models import ExportJob
from core.spreadsheets import xlsx_write

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrPromise

logger = logging.getLogger(__name__)

Status = ExportJob.Status
WAITING = (Status.PENDING, Status.RUNNING)
# Where the files go in the private storage (MEDIA_ROOT: never served as a folder, docs/deployment.md).
FOLDER = "exports"
# A job still waiting this long was not queued (the broker was down): the sweep queues it again.
REQUEUE_AFTER = datetime.timedelta(minutes=5)
# A job running this long lost its worker (killed, restarted): the sweep fails it and tells the user.
STALE_AFTER = datetime.timedelta(hours=1)
# The list of jobs keeps a month of history; older rows (their files long gone) are deleted.
KEEP_ROWS = datetime.timedelta(days=30)
EXPIRE_BATCH = 500


@dataclass(frozen=True)
class Sheet:
    """One export's file: its name and sheet title, headers, the rows (read when called) and their count."""

    filename: str
    title: str
    headers: Sequence[str]
    rows: Callable[[], Iterable[Sequence[object]]]
    count: Callable[[], int]


Builder = Callable[["User", QueryDict], Sheet]

_REGISTRY: dict[str, Builder] = {}
_LABELS: dict[str, "StrPromise"] = {}


class ExportError(PortalError):
    """A refused export (an unknown name; an account no longer active when its job runs)."""


def register(name: str, builder: Builder, *, label: "StrPromise") -> None:
    """Make the export `name` available to the views and the task; called from an app's `ready()`.

    `label` names it to the user (a lazy translation): on "my exports" and in the notification.
    """
    _REGISTRY[name] = builder
    _LABELS[name] = label


def label_of(name: str) -> str:
    """The export's name for its reader, in the active language."""
    return str(_LABELS.get(name, name))


def sheet_for(*, name: str, user: "User", params: QueryDict) -> Sheet:
    """Return the export `name` as the user may see it, filtered by `params`."""
    builder = _REGISTRY.get(name)
    if builder is None:
        raise ExportError("unknown_export", f"No export is registered as {name!r}.")
    return builder(user, params)


def export_params(query: QueryDict) -> str:
    """The filters that make an export, in a stable order (the page number is not one of them)."""
    kept = QueryDict(mutable=True)
    for key in sorted(query):
        if key != "page":
            kept.setlist(key, sorted(query.getlist(key)))
    return kept.urlencode()


def _key(*, name: str, params: str, language: str) -> str:
    return hashlib.sha256(f"{name}\n{params}\n{language}".encode()).hexdigest()


@transaction.atomic
def export_start(*, user: "User", name: str, params: str, language: str) -> tuple[ExportJob, bool]:
    """Ask for an export in the background; return the job and whether it is new.

    An identical request (same export, filters and language) while one of the user's jobs waits or runs
    returns that job: one file is written, however often the button is pressed. The task is queued after
    commit; if the broker is down the job stays waiting and the sweep queues it again.
    """
    if name not in _REGISTRY:
        raise ExportError("unknown_export", f"No export is registered as {name!r}.")
    key = _key(name=name, params=params, language=language)
    waiting = ExportJob.objects.filter(user=user, key=key, status__in=WAITING)
    found = waiting.first()
    if found is not None:
        return found, False
    try:
        # A savepoint, so that a refused insert (the same request an instant earlier) leaves us usable.
        with transaction.atomic():
            job = ExportJob.objects.create(user=user, name=name, params=params, language=language, key=key)
    except IntegrityError:
        found = waiting.first()
        if found is None:
            raise
        return found, False
    transaction.on_commit(lambda: exports_enqueue(job_ids=[job.pk]))
    return job, True


def exports_enqueue(*, job_ids: list[int]) -> int:
    """Queue one task per job; if the broker is down, log it and leave them waiting for the sweep."""
    from core.tasks import run_export

    for queued, job_id in enumerate(job_ids):
        try:
            run_export.delay(job_id)
        except Exception:
            # Never shown as an error: the job says it is waiting, and the sweep queues it again.
            logger.exception(
                "Could not queue %d export(s) (broker unreachable?); the sweep retries.", len(job_ids) - queued
            )
            return queued
    return len(job_ids)


def export_run(*, job_id: int, now: datetime.datetime | None = None) -> ExportJob | None:
    """Write a waiting job's file and finish it, telling the user; None if it was not waiting.

    A task delivered twice finds the job taken and does nothing. Whatever goes wrong while the rows are
    read or written fails the job with its error, and the user is told that too.
    """
    job = _claim(job_id=job_id, now=now or timezone.now())
    if job is None:
        return None
    try:
        if not job.user.is_active:
            raise ExportError("inactive", "The account that asked for the export is no longer active.")
        with translation.override(job.language):
            sheet = sheet_for(name=job.name, user=job.user, params=QueryDict(job.params))
            stored, rows = _write(sheet)
    except Exception as exc:
        logger.exception("Export %s (%s) failed.", job.pk, job.name)
        return _finish(job_id=job.pk, status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
    return _finish(job_id=job.pk, status=Status.DONE, file=stored, filename=sheet.filename, rows=rows)


def _claim(*, job_id: int, now: datetime.datetime) -> ExportJob | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(of=("self",)).select_related("user").filter(pk=job_id).first()
        if job is None or job.status != Status.PENDING:
            return None
        job.status, job.started_at = Status.RUNNING, now
        job.save(update_fields=["status", "started_at"])
    return job


def _write(sheet: Sheet) -> tuple[str, int]:
    """Write the sheet to a temporary file, then to the private storage; return its name and the rows."""
    with tempfile.TemporaryFile() as spool:
        rows = xlsx_write(spool, sheet.headers, sheet.rows(), sheet_title=sheet.title)
        spool.seek(0)
        day = timezone.localdate()
        # A random name: nothing about the file can be guessed from it, and two jobs never share one.
        stored = default_storage.save(f"{FOLDER}/{day:%Y/%m}/{uuid.uuid4().hex}.xlsx", File(spool))
    return stored, rows


def _finish(
    *, job_id: int, status: str, file: str = "", filename: str = "", rows: int | None = None, error: str = ""
) -> ExportJob:
    """Record how the job ended and announce it, in one transaction: the user is told once."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(of=("self",)).select_related("user").get(pk=job_id)
        if job.status != Status.RUNNING:
            # The sweep gave up on it meanwhile (a worker that took too long): our file is nobody's.
            if file:
                default_storage.delete(file)
            return job
        job.status, job.finished_at, job.error = status, now, error
        job.row_count, job.filename = rows, filename
        if file:
            job.file.name = file
            job.expires_at = now + datetime.timedelta(hours=settings.CAMPAIGN_EXPORT_KEEP_HOURS)
        job.save(update_fields=["status", "finished_at", "error", "row_count", "filename", "file", "expires_at"])
        export_finished.send(sender=ExportJob, job=job)
    return job


# Sent inside the transaction that finishes a job (done or failed), with `job=`; notifications tells the user.
export_finished = Signal()


@dataclass(frozen=True)
class Swept:
    """What one sweep did."""

    expired: int
    failed: int
    requeued: int
    deleted: int


def exports_sweep(*, now: datetime.datetime | None = None) -> Swept:
    """Delete expired files, fail jobs whose worker died, queue again those never queued, forget old rows."""
    now = now or timezone.now()
    expired = 0
    due = ExportJob.objects.filter(status=Status.DONE, expires_at__lte=now)
    # In batches: one query to read a batch and one to mark it, however many files expire at once.
    while batch := list(due.values_list("pk", "file")[:EXPIRE_BATCH]):
        for _pk, name in batch:
            if name:
                default_storage.delete(name)
        expired += due.filter(pk__in=[pk for pk, _name in batch]).update(status=Status.EXPIRED, file="")
    failed = 0
    stale = ExportJob.objects.filter(status=Status.RUNNING, started_at__lt=now - STALE_AFTER)
    for job_id in stale.values_list("pk", flat=True):
        _finish(
            job_id=job_id, status=Status.FAILED, error="interrupted: the worker stopped before the file was written"
        )
        failed += 1
    waiting = ExportJob.objects.filter(status=Status.PENDING, created_at__lt=now - REQUEUE_AFTER)
    requeued = exports_enqueue(job_ids=list(waiting.values_list("pk", flat=True)))
    old = ExportJob.objects.filter(status__in=[Status.FAILED, Status.EXPIRED], created_at__lt=now - KEEP_ROWS)
    deleted, _by_model = old.delete()
    return Swept(expired=expired, failed=failed, requeued=requeued, deleted=deleted)
