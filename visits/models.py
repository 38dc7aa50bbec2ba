"""The cadre's service work: visits, support policies, approval errands."""

import datetime
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.days import age_cutoff
from core.roles import PortalUser, roles_of, scope_to_cadre, sees_everything
from enterprises.models import Enterprise, Sector
from organisation.models import Pairing
from visits import attachments


class VisitQuerySet(models.QuerySet["Visit"]):
    def visible_to(self, user: PortalUser) -> Self:
        """Scope to what the user may see: overseers all visits, a cadre the visits of their pairings."""
        return scope_to_cadre(self, user, "pairing__cadre__user")

    def in_month(self, year: int, month: int) -> Self:
        return self.filter(visited_on__year=year, visited_on__month=month)


# Why a visit's version was saved, as its history stores it: a key, said in the reader's language when
# shown. A version saved before keys were stored says its stored reason.
CHANGE_REASONS = {"corrected": _("Corrected by the cadre")}


def change_reason(stored: str | None) -> str:
    """Return a version's reason in the active language: its key's sentence, else the text as stored."""
    if not stored:
        return ""
    return str(CHANGE_REASONS[stored]) if stored in CHANGE_REASONS else stored


class EnterpriseAnswer(models.TextChoices):
    """What the enterprise said of a visit through its link."""

    CONFIRMED = "confirmed", _("Confirmed by the enterprise")
    DENIED = "denied", _("The enterprise says it did not take place")


class Visit(models.Model):
    """A service visit by a cadre to the paired enterprise (服务 / 走访)."""

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On-site visit")
        SYMPOSIUM = "symposium", _("Symposium")
        REMOTE = "remote", _("Phone or video")
        AGENCY = "agency", _("Agency errand")
        ACCOMPANY = "accompany", _("Accompanied handling")
        POLICY_BRIEFING = "policy_briefing", _("Policy briefing")

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="visits", verbose_name=_("pairing"))
    visited_on = models.DateField(_("visited on"))
    mode = models.CharField(_("mode"), max_length=20, choices=Mode, default=Mode.ON_SITE)
    operations = models.TextField(_("construction and operations"), blank=True)
    opinions = models.TextField(_("opinions and suggestions"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    # The moment the server logged the visit, beside the date the cadre chose (`visited_on`).
    created_at = models.DateTimeField(_("logged at"), default=timezone.now)
    # The enterprise's own word on the visit, through its link (`voice/`): blank until it answers.
    enterprise_answer = models.CharField(
        _("enterprise's confirmation"), max_length=16, choices=EnterpriseAnswer, blank=True, default=""
    )
    enterprise_remark = models.TextField(_("enterprise's remark"), blank=True)
    enterprise_answered_at = models.DateTimeField(_("enterprise answered at"), null=True, blank=True)
    policies: "models.ManyToManyField[Policy, Any]" = models.ManyToManyField(
        "Policy", related_name="visits", blank=True, verbose_name=_("policies explained")
    )

    objects = VisitQuerySet.as_manager()
    # The policies explained are part of what a correction may change, so their history is kept too.
    history = HistoricalRecords(m2m_fields=[policies])

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["pairing", "visited_on"]),
            # The visit list's order, newest first, and the month's visits counted by date range (never by
            # EXTRACT(MONTH)) on the overseers' pages: from the index alone (`include`: what the counts read of a
            # visit, oversight/scope.py `visit_figures`), not from visits scattered over a province's heap.
            models.Index(
                fields=["-visited_on", "-id"],
                name="visit_list_order",
                include=["pairing", "enterprise_answer", "created_at"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.pairing.enterprise.name}"


class VisitTally(models.Model):
    """Visits per pairing per calendar month: a summary the services keep, never a source (visits/tallies.py).

    The two-visit rule reads it instead of counting every visit of a period; `tallies.rebuild` recounts it
    from the visits, and `manage.py rebuild_tallies --check` says whether it has drifted.
    """

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="+", verbose_name=_("pairing"))
    # The first day of the local calendar month of `Visit.visited_on` (a local date already).
    month = models.DateField(_("month"))
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("visit tally")
        verbose_name_plural = _("visit tallies")
        constraints = [models.UniqueConstraint(fields=["pairing", "month"], name="visit_tally_once")]
        indexes = [
            # "The months of a period, every pairing" (the grid, the summaries) read from the index alone on
            # PostgreSQL; one pairing's months come from the unique constraint's index.
            models.Index(fields=["month", "pairing"], include=["visits"], name="visit_tally_months"),
        ]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.month:%Y-%m}: {self.visits}"


class PolicyReach(models.Model):
    """The enterprises each policy has been explained to: a summary the services keep, never a source.

    One row per policy and enterprise with the visits that explained it there and the latest of their dates
    (visits/reach.py). The library's "explained to N enterprises" and the policy's page read it instead of
    joining every visit–policy link to its visit's pairing; `reach.rebuild` recounts it from the links.
    """

    # No index of its own: the unique (policy, enterprise) index leads with it.
    policy = models.ForeignKey(
        "Policy", on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("policy")
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise"))
    visits = models.PositiveIntegerField(_("visits"), default=0)
    # The latest `Visit.visited_on` among those visits.
    last_on = models.DateField(_("last explained on"))

    class Meta:
        verbose_name = _("policy reach")
        verbose_name_plural = _("policy reach")
        # The unique index serves the library's count per policy (index-only) and "not yet reached".
        constraints = [models.UniqueConstraint(fields=["policy", "enterprise"], name="policy_reach_once")]
        indexes = [
            # The policy's page: the enterprises reached, the latest first, a page at a time.
            models.Index(fields=["policy", "-last_on", "enterprise"], name="policy_reach_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.enterprise_id}: {self.visits}"


class PolicyQuerySet(models.QuerySet["Policy"]):
    def visible_to(self, user: PortalUser) -> Self:
        """Scope to what the user may see: overseers every policy, other roles the active ones, no role none."""
        if sees_everything(user):
            return self
        if roles_of(user):
            return self.filter(is_active=True)
        return self.none()


class Policy(models.Model):
    """A support policy (扶持政策) cadres explain to enterprises; the campaign office keeps the library."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")

    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("document link"), blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to=attachments.upload_path,
        validators=[attachments.validate_attachment],
        blank=True,
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("support policy")
        verbose_name_plural = _("support policies")
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def sector_codes(self) -> list[str]:
        return [s.sector for s in self.sectors.all()]


class PolicySector(models.Model):
    """A sector a policy applies to (a policy may apply to several)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="sectors", verbose_name=_("policy"))
    sector = models.CharField(_("sector"), max_length=16, choices=Sector)

    class Meta:
        verbose_name = _("policy sector")
        verbose_name_plural = _("policy sectors")
        constraints = [models.UniqueConstraint(fields=["policy", "sector"], name="policy_sector_once")]
        indexes = [models.Index(fields=["sector"])]

    def __str__(self) -> str:
        return self.get_sector_display()


class ErrandQuerySet(models.QuerySet["Errand"]):
    def visible_to(self, user: PortalUser) -> Self:
        """Scope to what the user may see: overseers all errands, a cadre those of their pairings."""
        return scope_to_cadre(self, user, "pairing__cadre__user")

    def open(self) -> Self:
        return self.exclude(stage=Errand.Stage.DELIVERED)

    def stale(self, today: datetime.date | None = None) -> Self:
        """Open errands that have not moved for CAMPAIGN_ERRAND_STALE_DAYS local days (the reminders ask this)."""
        return self.open().filter(moved_at__lt=Errand.stale_cutoff(today or timezone.localdate()))


class Errand(models.Model):
    """An approval item the cadre handles as the enterprise's agent, or accompanies it through (代办 / 陪同办理)."""

    class Mode(models.TextChoices):
        AGENT = "agent", _("As agent")
        ACCOMPANY = "accompany", _("Accompanying the enterprise")

    class Stage(models.IntegerChoices):
        SUBMITTED = 1, _("Materials submitted")
        REPORTED = 2, _("Reported upward")
        COORDINATING = 3, _("Coordinating")
        DELIVERED = 4, _("Result delivered")

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="errands", verbose_name=_("pairing"))
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="errands", null=True, blank=True, verbose_name=_("visit")
    )
    matter = models.CharField(_("matter"), max_length=200)
    approving_department = models.CharField(_("approving department"), max_length=100)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode, default=Mode.AGENT)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage, default=Stage.SUBMITTED)
    result = models.TextField(_("result"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the errand last moved to a stage: what the stale flag and the reminders look at.
    moved_at = models.DateTimeField(_("last moved at"), default=timezone.now)

    objects = ErrandQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval errand")
        verbose_name_plural = _("approval errands")
        ordering = ["-moved_at", "-pk"]
        indexes = [models.Index(fields=["stage", "moved_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(stage=4) | ~Q(result=""), name="errand_delivered_has_result"),
        ]

    def __str__(self) -> str:
        return self.matter

    @staticmethod
    def stale_cutoff(today: datetime.date) -> datetime.datetime:
        """Return the moment an open errand must have last moved before to be stale on `today`.

        The one home of the rule: CAMPAIGN_ERRAND_STALE_DAYS local days after the local date of the
        last move, whatever its hour. `ErrandQuerySet.stale` and `is_stale_on` both ask it.
        """
        return age_cutoff(today, settings.CAMPAIGN_ERRAND_STALE_DAYS)

    def is_stale_on(self, today: datetime.date) -> bool:
        return self.stage != self.Stage.DELIVERED and self.moved_at < self.stale_cutoff(today)

    @property
    def is_stale(self) -> bool:
        return self.is_stale_on(timezone.localdate())


class ErrandStep(models.Model):
    """One stage an errand reached, with its date and note."""

    errand = models.ForeignKey(Errand, on_delete=models.PROTECT, related_name="steps", verbose_name=_("errand"))
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Errand.Stage)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("errand step")
        verbose_name_plural = _("errand steps")
        ordering = ["stage", "pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_stage_display()}"


class VisitFileQuerySet(models.QuerySet["VisitFile"]):
    def visible_to(self, user: PortalUser) -> Self:
        """The files of the visits the user may see, and no others."""
        return self.filter(visit__in=Visit.objects.visible_to(user))


class VisitFile(models.Model):
    """A photo or file that shows a visit took place (现场照片, 签到表, 会议纪要).

    What is accepted, how photos lose their EXIF location and device data and get a thumbnail, is
    `visits/proof.py`; the file is served only by a view that asks `visible_to`.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="files", verbose_name=_("visit"))
    file = models.FileField(_("file"), upload_to="visits/%Y/%m/", max_length=255)
    thumbnail = models.FileField(_("thumbnail"), upload_to="visits/thumbs/%Y/%m/", max_length=255, blank=True)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = VisitFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit file")
        verbose_name_plural = _("visit files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
