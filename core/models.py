"""What the portal keeps for itself: the forms already submitted, so that none is submitted twice."""

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
