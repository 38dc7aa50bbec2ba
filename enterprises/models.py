from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.mobiles import MobileField
from core.roles import PortalUser, Role, roles_of, sees_everything
from enterprises.uscc import USCCField


class Kind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    PROJECT = "project", _("Project")


class Origin(models.TextChoices):
    # 市上确定的帮扶企业 / 区里选取的企业和项目
    CITY = "city", _("City-designated")
    DISTRICT = "district", _("District-selected")


class Sector(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    COMMERCE = "commerce", _("Commerce and trade")
    CONSTRUCTION = "construction", _("Construction")
    TECHNOLOGY = "technology", _("Technology")
    CULTURE = "culture", _("Culture")
    TOURISM = "tourism", _("Tourism")


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def visible_to(self, user: PortalUser) -> Self:
        """Scope to what the user may see: overseers all, a cadre the enterprises paired with them."""
        if sees_everything(user):
            return self
        roles = roles_of(user)
        scope = Q(pk__in=[])
        # Each arm a subquery, not a join: ORed joins read every pairing and problem, and need DISTINCT.
        if Role.CADRE in roles:
            # Past pairings too: a cadre keeps read access to the enterprises they served.
            scope |= Q(pk__in=Enterprise.objects.filter(pairings__cadre__user=user.pk).values("pk"))
        if Role.DEPARTMENT_STAFF in roles:
            scope |= Q(pk__in=Enterprise.objects.filter(issues__department__staff__user=user.pk).values("pk"))
        return self.filter(scope)


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    uscc = USCCField(
        _("unified social credit code"),
        unique=True,
        null=True,
        blank=True,
        help_text=_("18 characters; required for an enterprise, optional for a project."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.ENTERPRISE)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector)
    street = models.CharField(_("street"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The contact's mobile: where the office sends the enterprise's link by SMS.
    contact_mobile = MobileField(_("contact's mobile"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise or project")
        verbose_name_plural = _("enterprises and projects")
        ordering = ["name"]
        constraints = [
            # An enterprise is registered and so has a code; a project may not have one yet.
            models.CheckConstraint(
                condition=Q(kind="project") | Q(uscc__isnull=False),
                name="enterprise_has_uscc",
                violation_error_message=_("An enterprise must have a unified social credit code."),
            ),
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="enterprise_origin_valid"),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="enterprise_sector_valid"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="enterprise_kind_valid"),
        ]
        indexes = [models.Index(fields=["origin", "sector"]), models.Index(fields=["street"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == Kind.ENTERPRISE and not self.uscc:
            message = _("An enterprise must have a unified social credit code.")
            raise ValidationError({"uscc": ValidationError(message, code="uscc_required")})


class EnterpriseLinkQuerySet(models.QuerySet["EnterpriseLink"]):
    def live(self) -> Self:
        """Links not revoked (an expired one is still live here: its token says when it was signed)."""
        return self.filter(revoked_at__isnull=True)


class EnterpriseLink(models.Model):
    """The enterprise's personal link (企业码): no account, no password, a signed token naming this row.

    The token is signed with Django's signing and carries this row's id and `key` and the time it was
    signed; it expires after `CAMPAIGN_ENTERPRISE_LINK_DAYS` (`enterprises/links.py`, the rule's one
    home). Revoking the row ends every token of it at once; a new link is a new row, so an old QR code
    printed on a visit card stops working the moment the office or the cadre issues another.
    """

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="links", verbose_name=_("enterprise")
    )
    key = models.CharField(_("key"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = EnterpriseLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise link")
        verbose_name_plural = _("enterprise links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one live link per enterprise: issuing a new one revokes the old in the same transaction.
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(revoked_at__isnull=True), name="enterprise_one_live_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.created_at:%Y-%m-%d}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
