"""What the portal keeps for itself: the forms already submitted, so that none is submitted twice; the holiday
schedule; the exports written in the background."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A form submitted once: its one-time token, who sent it, and the page that shows what it made.

    The row is written in the same transaction as what the form creates (`core.services.submission_run`),
    so it exists exactly when that does; a refused submission leaves none, and its token stays usable.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    token = models.UUIDField(_("token"))
    result_url = models.CharField(_("result page"), max_length=500)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            # The unique index is the lock: of two identical submissions at once, the second waits here
            # for the first to commit, then finds its result. Per user, so nobody's token touches another's.
            models.UniqueConstraint(fields=["user", "token"], name="submission_once_per_user_token"),
        ]

    def __str__(self) -> str:
        return f"{self.token} → {self.result_url}"


class CalendarDay(models.Model):
    """A day the official schedule makes different from an ordinary week (节假日 or 调休 working day).

    `core/workdays.py` asks the `chinese-calendar` package for the years it knows; a row here overrides it
    for its date, so the office can enter next year's schedule the day the State Council publishes it,
    before a release of the package carries it (and correct a package error should one appear).
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked: a working day (e.g. a 调休 Saturday). Unticked: a holiday.")
    )
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("E.g. 春节, 国庆节, 调休上班."))

    class Meta:
        # Not "calendar days": that names the count of every day (自然日), the opposite of working days.
        verbose_name = _("schedule day")
        verbose_name_plural = _("holiday schedule")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class ExportJob(models.Model):
    """A spreadsheet export too large to stream at once, written in the background for the user who asked.

    The rows are read when the job runs, with that user's visibility then (`core/exports.py`); the file
    lives in the private storage (MEDIA_ROOT, never served as a folder) until `expires_at`, and only its
    owner may download it (`core.views.export_download`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    # Which export (its name in the registry, core/exports.py) and the page's filters, as a query string.
    name = models.CharField(_("export"), max_length=50)
    params = models.TextField(_("filters"), blank=True)
    # The language the user read the page in: the headers and the file's name are said in it.
    language = models.CharField(_("language"), max_length=10)
    # A digest of the name, filters and language: an identical request while one waits reuses it.
    key = models.CharField(_("key"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file = models.FileField(_("file"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two identical requests at once: the second insert fails here and reuses the first job.
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=models.Q(status__in=["pending", "running"]),
                name="export_once_while_waiting",
            ),
        ]
        indexes = [
            # "My exports", newest first; the sweep's expired files and waiting jobs.
            models.Index(fields=["user", "-created_at"], name="export_recent"),
            models.Index(fields=["status", "expires_at"], name="export_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_status_display()}"

    def is_downloadable(self, now: datetime.datetime | None = None) -> bool:
        """Whether the file is there to download: written, and not past its expiry."""
        moment = now or timezone.now()
        return self.status == self.Status.DONE and bool(self.file) and (self.expires_at or moment) > moment

    @property
    def label(self) -> str:
        """Which export this is, in the active language (its registered label: core/exports.py)."""
        from core.exports import label_of  # the registry sits above the model in this app

        return label_of(self.name)

    @property
    def shown_status(self) -> "ExportJob.Status":
        """Its status as the user should see it: a file past its expiry is expired before the sweep deletes it."""
        if self.status == self.Status.DONE and not self.is_downloadable():
            return self.Status.EXPIRED
        return self.Status(self.status)


class FigureVersion(models.Model):
    """Which state of a month's data a kept figure was counted from (core/kept.py).

    One row per family of data (the problems, the visits…) and calendar month, whose `token` changes, in the
    writer's transaction, whenever something dated in that month and counted by the family changes; the row for
    `EVERY_MONTH` changes when a change reaches every month (a name, a pairing's dates). A kept figure is found
    again only under the tokens it was counted at. A new random token, not a counter: a database emptied and
    loaded again starts with new tokens, so nothing counted before can be mistaken for its figures.
    """

    family = models.CharField(_("family"), max_length=40)
    month = models.DateField(_("month"))
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("figure version")
        verbose_name_plural = _("figure versions")
        constraints = [models.UniqueConstraint(fields=["family", "month"], name="figure_version_once")]

    def __str__(self) -> str:
        return f"{self.family} {self.month:%Y-%m}: {self.token}"
