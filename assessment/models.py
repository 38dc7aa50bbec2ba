"""The annual assessment's stored parts: the office's weights and rating values, and frozen years.

The rules that turn figures into points live in `assessment/rules.py`; the weights they use are rows
here, which the campaign office edits in the administration pages (every change kept in their history).
A frozen year is a `Freeze` and its `FrozenScore` rows: the scores, ranks and breakdowns as they stood
when the leading group froze it, with the weights then in force. Later edits to data or weights do not
touch them. Unfreezing keeps the snapshot and records who unfroze it, when and why; freezing again makes
a new one.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Subject(models.TextChoices):
    CADRE = "cadre", _("Cadre")
    DEPARTMENT = "department", _("Department")


class Measure(models.TextChoices):
    """What a score is made of; each is defined in assessment/rules.py."""

    COMPLIANCE = "compliance", _("Visit compliance")
    RESPONSE = "response", _("Response rate")
    ON_TIME = "on_time", _("On-time resolution rate")
    SATISFACTION = "satisfaction", _("Satisfaction rate")
    RETURNS_REOPENED = "returns_reopened", _("Returns and reopenings")
    INSPECTIONS = "inspections", _("Inspection ratings")
    RECTIFICATION = "rectification", _("Rectification on time")


class Weight(models.Model):
    """How many points a measure is worth in a subject's score (the office edits these)."""

    subject = models.CharField(_("assessed"), max_length=16, choices=Subject)
    measure = models.CharField(_("measure"), max_length=24, choices=Measure)
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("The points the measure is worth when fully met; 0 leaves it out of the score."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment weight")
        verbose_name_plural = _("assessment weights")
        ordering = ["subject", "pk"]
        constraints = [models.UniqueConstraint(fields=["subject", "measure"], name="weight_once_per_measure")]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} · {self.get_measure_display()}: {self.points}"


class RatingValue(models.Model):
    """What share of the inspection measure's points an inspection's rating earns (the office edits these)."""

    rating = models.CharField(_("rating"), max_length=16, unique=True)
    percent = models.PositiveSmallIntegerField(_("per cent of the points"), validators=[MaxValueValidator(100)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection rating value")
        verbose_name_plural = _("inspection rating values")
        ordering = ["-percent"]

    def __str__(self) -> str:
        return f"{self.rating}: {self.percent}%"


class FreezeQuerySet(models.QuerySet["Freeze"]):
    def in_force(self) -> "FreezeQuerySet":
        return self.filter(unfrozen_at__isnull=True)


class Freeze(models.Model):
    """A year's assessment as the leading group froze it; unfrozen, it stays as a record with the reason."""

    year = models.PositiveSmallIntegerField(_("year"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("frozen by")
    )
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    # The weights and rating values in force when it was frozen, as {"cadre": {"compliance": "30.0", ...}, ...}.
    weights = models.JSONField(_("weights"), default=dict)
    unfrozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("unfrozen by"),
    )
    unfrozen_at = models.DateTimeField(_("unfrozen at"), null=True, blank=True)
    unfreeze_reason = models.TextField(_("why it was unfrozen"), blank=True)

    objects = FreezeQuerySet.as_manager()

    class Meta:
        verbose_name = _("frozen assessment year")
        verbose_name_plural = _("frozen assessment years")
        ordering = ["-year", "-frozen_at"]
        constraints = [
            models.UniqueConstraint(fields=["year"], condition=Q(unfrozen_at__isnull=True), name="one_freeze_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.frozen_at:%Y-%m-%d}"


class FrozenScore(models.Model):
    """One cadre's or department's score in a frozen year, with the breakdown that made it."""

    freeze = models.ForeignKey(Freeze, on_delete=models.CASCADE, related_name="scores", verbose_name=_("freeze"))
    subject = models.CharField(_("assessed"), max_length=16, choices=Subject)
    # The cadre's or the department's id (kept as a number: the snapshot outlives renames and deletions).
    unit_id = models.PositiveBigIntegerField(_("id"))
    name = models.CharField(_("name"), max_length=150)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    out_of = models.DecimalField(_("out of"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    # Each measure's raw figures, attainment, weight and points, as assessment/rules.py computed them.
    breakdown = models.JSONField(_("breakdown"), default=list)

    class Meta:
        verbose_name = _("frozen score")
        verbose_name_plural = _("frozen scores")
        ordering = ["freeze", "subject", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["freeze", "subject", "unit_id"], name="frozen_score_once"),
        ]
        indexes = [models.Index(fields=["freeze", "subject", "rank"], name="frozen_score_rank")]

    def __str__(self) -> str:
        return f"{self.name}: {self.score}"
