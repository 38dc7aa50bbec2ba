"""The organisation: departments and their staff, cadres, and the one-to-one pairings."""

import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.mobiles import MobileField
from core.roles import PortalUser, Role, scope_to_cadre


class DepartmentQuerySet(models.QuerySet["Department"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def can_receive(self) -> Self:
        """Units a problem may be assigned to: active, with at least one staff account that can accept it.

        A unit nobody can act for would leave an assigned problem stuck: the assign forms do not offer
        it and the assign move refuses it (issues/effects.py).
        """
        return self.active().filter(_has_acting_staff())

    def awaiting_staff(self) -> Self:
        """Active units that cannot receive problems until the campaign office adds a staff account."""
        return self.active().exclude(_has_acting_staff())


def _has_acting_staff() -> Exists:
    return Exists(DepartmentStaff.objects.acting().filter(department=OuterRef("pk")))


class Department(models.Model):
    """A district department or a street's office: where cadres work and problems are assigned."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        STREET = "street", _("Street office")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.DEPARTMENT)
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class DepartmentStaffQuerySet(models.QuerySet["DepartmentStaff"]):
    def acting(self) -> Self:
        """Staff who can act for their unit: the account is active and holds the department-staff role."""
        return self.filter(user__is_active=True, user__groups__name=Role.DEPARTMENT_STAFF)


class DepartmentStaff(models.Model):
    """A department's staff member (承办人), who works the problems assigned to the department."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="department_staff", verbose_name=_("user")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = DepartmentStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("department staff member")
        verbose_name_plural = _("department staff")
        ordering = ["department", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.department}）"


class CadreQuerySet(models.QuerySet["Cadre"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def visible_to(self, user: PortalUser) -> Self:
        """Scope to what the user may see: overseers all cadres, a cadre only themselves."""
        return scope_to_cadre(self, user, "user")


class Cadre(models.Model):
    """A district or department leader serving one enterprise one to one (助企干部)."""

    class Rank(models.TextChoices):
        DISTRICT_LEADER = "district_leader", _("District leader")
        DEPARTMENT_LEADER = "department_leader", _("Department leader")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cadre", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=100, blank=True)
    rank = models.CharField(_("rank"), max_length=20, choices=Rank, default=Rank.DEPARTMENT_LEADER)
    unit = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cadres", null=True, blank=True, verbose_name=_("unit")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The key the lists carry (干部手机): a list finds the cadre by it, whatever the name's namesakes
    # or a new title. Unknown for cadres no list has keyed yet.
    mobile = MobileField(
        _("mobile"), blank=True, help_text=_("11 digits; the key enterprise lists find this cadre by.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CadreQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mobile"],
                condition=~Q(mobile=""),
                name="cadre_mobile_unique",
                violation_error_code="cadre_mobile_taken",
                violation_error_message=_("Another cadre has this mobile number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class PairingQuerySet(models.QuerySet["Pairing"]):
    def active(self) -> Self:
        return self.filter(ended_on__isnull=True)

    def in_force_on(self, day: datetime.date) -> Self:
        """The pairings in force on a day (结对在册): begun on or before it, not ended before it."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day), started_on__lte=day)

    def visible_to(self, user: PortalUser) -> Self:
        """Scope to what the user may see: overseers all pairings, a cadre their own, past ones too."""
        return scope_to_cadre(self, user, "cadre__user")

    def current_for(self, user: PortalUser) -> "Pairing | None":
        """The user's active pairing, with its enterprise, or None."""
        if not user.is_authenticated:
            return None
        return self.active().filter(cadre__user=user).select_related("enterprise", "cadre").first()


class Pairing(models.Model):
    """One cadre serving one enterprise (结对); ended pairings stay as history."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("cadre"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="pairings", verbose_name=_("enterprise")
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-started_on", "pk"]
        constraints = [
            # The campaign pairs one to one (一对一): one active pairing per cadre and per enterprise.
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(ended_on__isnull=True),
                name="one_active_pairing_per_cadre",
                violation_error_code="cadre_already_paired",
                violation_error_message=_("This cadre already has an active pairing."),
            ),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(ended_on__isnull=True),
                name="one_active_pairing_per_enterprise",
                violation_error_code="enterprise_already_paired",
                violation_error_message=_("This enterprise already has an active pairing."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pairing_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} ↔ {self.enterprise.name}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None
