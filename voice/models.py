from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LinkSubmission(models.Model):
    """A request form sent through an enterprise's link, by its one-time token: sent again, it raises nothing new.

    `core.submissions` does this for users; the enterprise has no account, so its forms' tokens are
    remembered per link (`voice.services.request_raise`).
    """

    link = models.ForeignKey(
        "enterprises.EnterpriseLink", on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise link")
    )
    token = models.UUIDField(_("token"))
    issue = models.ForeignKey(
        "issues.Issue", on_delete=models.CASCADE, related_name="+", null=True, verbose_name=_("problem")
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("request sent through a link")
        verbose_name_plural = _("requests sent through links")
        constraints = [
            models.UniqueConstraint(fields=["link", "token"], name="link_submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.link_id}: {self.token}"
