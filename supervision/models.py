"""Supervision (督查): inspections of the campaign's work and the rectification items they order.

The leading group and the campaign office inspect (集中检查、明查暗访、跟踪督查): a cadre, an enterprise (and
through it the cadre who served it that day), a department or a whole street (its street office). An
inspection records how it was done, what it found and a rating; where it finds fault it raises
rectification items (整改事项) for a cadre or a unit, each with what must change and a deadline. The
responsible person answers with evidence; the inspector accepts the answer or sends it back. An
inspection is closed once every item is accepted.

Who sees what is each model's `visible_to`, the one home of the rule:

- the leading group and the campaign office: everything;
- a cadre: inspections about them (as the inspected cadre, or the cadre serving the inspected
  enterprise that day) and those that raised an item for them, and their own items;
- a department's staff: inspections of their unit and those that raised an item for it, and its items;
- an unannounced visit (暗访) is never shown to a cadre or a department, not even the one it is about:
  its notes (how it was done, what the enterprise said) are for the leading group and the office. They
  see only their items raised from it, with the visit's date and kind.
"""

import datetime
from pathlib import PurePosixPath
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import PortalUser, Role, roles_of, sees_everything
from core.workdays import due_soon_horizon
from visits import attachments


class Kind(models.TextChoices):
    CONCENTRATED = "concentrated", _("Concentrated inspection")
    OPEN_VISIT = "open_visit", _("Open visit")
    UNANNOUNCED = "unannounced", _("Unannounced visit")
    FOLLOW_UP = "follow_up", _("Follow-up supervision")


class Target(models.TextChoices):
    CADRE = "cadre", _("A cadre")
    ENTERPRISE = "enterprise", _("An enterprise")
    DEPARTMENT = "department", _("A department")
    STREET = "street", _("A street")


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    FAIRLY_GOOD = "fairly_good", _("Fairly good")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")


class ItemsState(models.TextChoices):
    """Where an inspection's rectification stands: items still open, all accepted (closed), or none raised."""

    OPEN = "open", _("Items open")
    CLOSED = "closed", _("Closed")
    NONE = "none", _("No items")


class Confirmation(models.TextChoices):
    """What the enterprise said, on an unannounced visit, about whether its cadre's visits happen."""

    CONFIRMED = "confirmed", _("Confirms the cadre's visits")
    PARTLY = "partly", _("Confirms some of them")
    DENIED = "denied", _("Says the visits did not happen")
    UNSURE = "unsure", _("Could not say")


def _cadre_of(user: PortalUser) -> Q:
    return Q(cadre__user_id=user.pk)


def _unit_of(user: PortalUser, lookup: str) -> Q:
    return Q(**{f"{lookup}__staff__user_id": user.pk})


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: PortalUser) -> Self:
        """Overseers all; a cadre or a department those about them or raising an item for them, never 暗访."""
        if sees_everything(user):
            return self
        roles = roles_of(user)
        if not roles & {Role.CADRE, Role.DEPARTMENT_STAFF}:
            return self.none()
        uid: int = user.pk or 0
        about = Q(pk__in=[])
        if Role.CADRE in roles:
            mine = Rectification.objects.filter(inspection=OuterRef("pk"), cadre__user_id=uid)
            about |= _cadre_of(user) | Q(Exists(mine))
        if Role.DEPARTMENT_STAFF in roles:
            ours = Rectification.objects.filter(inspection=OuterRef("pk"), department__staff__user_id=uid)
            about |= _unit_of(user, "department") | Q(Exists(ours))
        return self.filter(about).exclude(kind=Kind.UNANNOUNCED)

    def with_item_counts(self) -> Self:
        """Annotate `items_total` and `items_open` (not yet accepted), which `items_state` reads."""
        return self.annotate(
            items_total=Count("items"),
            items_open=Count("items", filter=~Q(items__status=Rectification.Status.ACCEPTED)),
        )

    def in_state(self, state: str) -> Self:
        """Inspections whose items stand so: some not yet accepted, all accepted, or none raised."""
        anything = Exists(Rectification.objects.filter(inspection=OuterRef("pk")))
        unaccepted = Exists(
            Rectification.objects.filter(inspection=OuterRef("pk")).exclude(status=Rectification.Status.ACCEPTED)
        )
        if state == ItemsState.OPEN:
            return self.filter(unaccepted)
        if state == ItemsState.CLOSED:
            return self.filter(anything).exclude(unaccepted)
        if state == ItemsState.NONE:
            return self.exclude(anything)
        return self

    def shows_notes_to(self, user: PortalUser) -> bool:
        """Whether the user may read unannounced visits' notes: the leading group and the office only."""
        return sees_everything(user)


class Inspection(models.Model):
    """One inspection: its kind, date, inspectors, what it inspected, how, what it found, its rating."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    inspected_on = models.DateField(_("date"))
    inspectors: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("inspectors")
    )
    target = models.CharField(_("inspected"), max_length=16, choices=Target)
    # The inspected cadre; for an enterprise, the cadre who served it on the day (its scores count there).
    cadre = models.ForeignKey(
        "organisation.Cadre",
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name=_("cadre"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name=_("enterprise"),
    )
    # The inspected department, or the street's office for a whole street.
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name=_("department or street office"),
    )
    # The earlier inspection a follow-up checks on.
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follows up"),
    )
    method = models.TextField(_("how it was done"), blank=True)
    findings = models.TextField(_("findings"))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating)
    # An unannounced visit to an enterprise: what the enterprise said (seen by the overseers only).
    visits_confirmed = models.CharField(
        _("the enterprise on its cadre's visits"), max_length=16, choices=Confirmation, blank=True
    )
    said_of_cadre = models.TextField(_("what the enterprise said of its cadre"), blank=True)
    said_of_departments = models.TextField(_("what the enterprise said of the departments"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Set when the last of its items is accepted; cleared when a new item is raised.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-pk"]
        indexes = [
            models.Index(fields=["inspected_on", "id"], name="inspection_date"),
            models.Index(fields=["kind", "inspected_on"], name="inspection_kind_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target=Target.CADRE, cadre__isnull=False)
                    | Q(target=Target.ENTERPRISE, enterprise__isnull=False)
                    | Q(target__in=(Target.DEPARTMENT, Target.STREET), department__isnull=False)
                ),
                name="inspection_names_what_it_inspected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.get_kind_display()} · {self.subject_name}"

    @property
    def subject_name(self) -> str:
        """What was inspected, by name."""
        if self.target == Target.ENTERPRISE and self.enterprise is not None:
            return self.enterprise.name
        if self.target == Target.CADRE and self.cadre is not None:
            return self.cadre.name
        return self.department.name if self.department is not None else ""

    @property
    def is_unannounced(self) -> bool:
        return self.kind == Kind.UNANNOUNCED

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def items_state(self) -> ItemsState:
        """Items open, closed (all accepted) or no items; from `with_item_counts`' figures when annotated."""
        total = getattr(self, "items_total", None)
        unaccepted = getattr(self, "items_open", None)
        if total is None or unaccepted is None:
            total = self.items.count()
            unaccepted = self.items.exclude(status=Rectification.Status.ACCEPTED).count()
        if not total:
            return ItemsState.NONE
        return ItemsState.OPEN if unaccepted else ItemsState.CLOSED


class RectificationQuerySet(models.QuerySet["Rectification"]):
    def visible_to(self, user: PortalUser) -> Self:
        """Overseers every item; a cadre their own; a department's staff their unit's."""
        if sees_everything(user):
            return self
        roles = roles_of(user)
        mine = Q(pk__in=[])
        if Role.CADRE in roles:
            mine |= _cadre_of(user)
        if Role.DEPARTMENT_STAFF in roles:
            mine |= _unit_of(user, "department")
        return self.filter(mine)

    def waiting_for_answer(self) -> Self:
        """Items the responsible person must (still, or again) answer."""
        return self.filter(status__in=(Rectification.Status.OPEN, Rectification.Status.SENT_BACK))

    def overdue(self, today: datetime.date) -> Self:
        """Waiting for an answer past their deadline (an answer waiting for its check is not overdue)."""
        return self.waiting_for_answer().filter(deadline__lt=today)

    def due_soon(self, today: datetime.date) -> Self:
        """Waiting for an answer, due within CAMPAIGN_DUE_SOON_DAYS working days (today included)."""
        return self.waiting_for_answer().filter(deadline__gte=today, deadline__lte=due_soon_horizon(today))

    def waiting_for_check(self) -> Self:
        """Answered items whose answer the inspectors have still to accept or send back."""
        return self.filter(status=Rectification.Status.ANSWERED)

    def accepted_on_time(self) -> Self:
        """Accepted items whose accepted answer came by the deadline (its local date), as `was_on_time` says."""
        return self.filter(status=Rectification.Status.ACCEPTED, answered_at__date__lte=models.F("deadline"))

    def accepted_late(self) -> Self:
        """Accepted items whose accepted answer came after the deadline (its local date)."""
        return self.filter(status=Rectification.Status.ACCEPTED, answered_at__date__gt=models.F("deadline"))


class Rectification(models.Model):
    """A rectification item (整改事项): what a cadre or a unit must change, by when, and how it went."""

    class Status(models.TextChoices):
        OPEN = "open", _("To rectify")
        ANSWERED = "answered", _("Answered, to check")
        SENT_BACK = "sent_back", _("Sent back")
        ACCEPTED = "accepted", _("Accepted")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="items", verbose_name=_("inspection")
    )
    # Exactly one of the two is responsible.
    cadre = models.ForeignKey(
        "organisation.Cadre",
        on_delete=models.PROTECT,
        related_name="rectifications",
        null=True,
        blank=True,
        verbose_name=_("responsible cadre"),
    )
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.PROTECT,
        related_name="rectifications",
        null=True,
        blank=True,
        verbose_name=_("responsible unit"),
    )
    requirement = models.TextField(_("what must change"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    # When the inspector accepted it, and when the accepted answer was given (on time: by the deadline).
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="rectification_due"),
            models.Index(fields=["deadline", "id"], name="rectification_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadre__isnull=False, department__isnull=True)
                | Q(cadre__isnull=True, department__isnull=False),
                name="rectification_one_responsible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.responsible_name} · {self.deadline}"

    @property
    def responsible_name(self) -> str:
        if self.cadre is not None:
            return self.cadre.name
        return self.department.name if self.department is not None else ""

    @property
    def is_waiting_for_answer(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.SENT_BACK)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_waiting_for_answer and self.deadline < (today or timezone.localdate())

    def warning(self, today: datetime.date | None = None) -> str:
        """The deadline's badge, as the querysets' `overdue` and `due_soon` say: "overdue", "due_soon" or ""."""
        if not self.is_waiting_for_answer:
            return ""
        today = today or timezone.localdate()
        if self.deadline < today:
            return "overdue"
        if self.deadline <= due_soon_horizon(today):
            return "due_soon"
        return ""

    @property
    def was_on_time(self) -> bool | None:
        """For an accepted item: whether the accepted answer came by the deadline (local date); else None."""
        if self.status != self.Status.ACCEPTED or self.answered_at is None:
            return None
        return timezone.localdate(self.answered_at) <= self.deadline


class Response(models.Model):
    """One answer to an item, with its evidence, and the inspector's check of it (accepted or sent back)."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        SENT_BACK = "sent_back", _("Sent back")

    item = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="responses", verbose_name=_("rectification item")
    )
    text = models.TextField(_("what was done"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("answered by")
    )
    responded_at = models.DateTimeField(_("answered at"), default=timezone.now)
    verdict = models.CharField(_("check"), max_length=16, choices=Verdict, blank=True)
    verdict_note = models.TextField(_("check note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification answer")
        verbose_name_plural = _("rectification answers")
        ordering = ["responded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} · {self.responded_at:%Y-%m-%d}"


def upload_path(instance: Any, filename: str) -> str:
    """Where a supervision file is stored: supervision/<year>/<its own name, shortened>."""
    path = PurePosixPath(filename.replace("\\", "/"))
    stem = path.stem.strip()[: attachments.STEM_CHARS] or "attachment"
    return f"supervision/{timezone.localdate().year}/{stem}{path.suffix.lower()}"


class SupervisionFile(models.Model):
    """A photo or scanned record on an inspection, or evidence on an answer; served only to who sees its record.

    Accepted as the policy library's attachments are (visits/attachments.py: allow-listed kinds, by
    content, at most CAMPAIGN_ATTACHMENT_MAX_BYTES).
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="files", null=True, blank=True, verbose_name=_("inspection")
    )
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="files", null=True, blank=True, verbose_name=_("answer")
    )
    file = models.FileField(_("file"), upload_to=upload_path, validators=[attachments.validate_attachment])
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("supervision file")
        verbose_name_plural = _("supervision files")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspection__isnull=False, response__isnull=True)
                | Q(inspection__isnull=True, response__isnull=False),
                name="supervision_file_on_one_record",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def visible_to(cls, user: PortalUser) -> "models.QuerySet[SupervisionFile]":
        """Files on an inspection the user sees, or on an answer to an item the user sees."""
        return cls.objects.filter(
            Q(inspection__in=Inspection.objects.visible_to(user).values("pk"))
            | Q(response__item__in=Rectification.objects.visible_to(user).values("pk"))
        )
