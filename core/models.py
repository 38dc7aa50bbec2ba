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
