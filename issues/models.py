import datetime
from typing import Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import PortalUser, Role, roles_of, sees_everything
from core.workdays import DayCount, deadline_for, due_soon_horizon


class Flow(models.TextChoices):
    # The campaign's three ways for a problem (坚持问题导向).
    ON_THE_SPOT = "on_the_spot", _("Solved on the spot")
    ASSIGNED = "assigned", _("Assigned to a department")
    ESCALATED = "escalated", _("Escalated to the leading group")


class Status(models.TextChoices):
    REPORTED = "reported", _("Awaiting routing")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class Action(models.TextChoices):
    """What a user does to a problem; workflow.py says from where, to where, and by whom."""

    REPORT = "report", _("Report")
    RESOLVE = "resolve", _("Resolve")
    ASSIGN = "assign", _("Assign")
    ESCALATE = "escalate", _("Escalate")
    ACCEPT = "accept", _("Accept")
    PROGRESS = "progress", _("Record progress")
    RETURN = "return", _("Return as not our remit")
    REASSIGN = "reassign", _("Take back and reassign")
    SEND_BACK = "send_back", _("Send back")
    REQUEST_EXTENSION = "request_extension", _("Request an extension")
    DECIDE_EXTENSION = "decide_extension", _("Decide an extension")
    LINK = "link", _("Link to a systemic matter")
    CLOSE = "close", _("Close with feedback")
    REOPEN = "reopen", _("Reopen on dissatisfaction")


# A problem in one of these states still needs someone to act on it.
OPEN_STATUSES = (Status.REPORTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.ESCALATED, Status.REOPENED)
# What a problem's row in any list shows (templates/issues/_issue_row.html): select these with it.
ROW_RELATED = ("enterprise", "department", "category")
# Only a department's assignment carries a deadline that can run out.
DEADLINE_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)


class Source(models.TextChoices):
    """Who put the problem into the portal: the cadre (most), or the enterprise itself through its link (诉求)."""

    CADRE = "cadre", _("Reported by the cadre")
    ENTERPRISE = "enterprise", _("Raised by the enterprise via its link")


class DeadlineWarning(models.TextChoices):
    NONE = "", ""
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class IssueCategory(models.Model):
    """A kind of difficulty (审批、用地、融资……); the campaign office keeps the list."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    # The time an assigned department gets by default; the assigner may change it for one problem.
    default_deadline_days = models.PositiveSmallIntegerField(
        _("default deadline (days)"),
        default=15,
        validators=[MinValueValidator(1)],
    )
    # Most matters are counted in working days (工作日), as the official schedule has them; a few, such
    # as a safety hazard, in calendar days. docs/working-days.md lists the demo's categories.
    deadline_counts = models.CharField(
        _("deadline counted in"), max_length=10, choices=DayCount, default=DayCount.WORKING
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    def default_deadline(self, today: datetime.date) -> datetime.date:
        """The deadline an assignment made on `today` gets by default: the default days, counted as set."""
        return deadline_for(today, self.default_deadline_days, self.deadline_counts)


def _today() -> datetime.date:
    return timezone.localdate()


def overdue_q(today: datetime.date) -> Q:
    """Deadline passed and still with the department: red."""
    return Q(status__in=DEADLINE_STATUSES, deadline__lt=today)


def due_soon_q(today: datetime.date) -> Q:
    """Deadline within CAMPAIGN_DUE_SOON_DAYS working days and still with the department: yellow."""
    return Q(status__in=DEADLINE_STATUSES, deadline__gte=today, deadline__lte=due_soon_horizon(today))


def desk_tabs(today: datetime.date) -> dict[str, Q]:
    """The department's desk, split the way its inbox and home page show it."""
    return {
        "new": Q(status=Status.ASSIGNED),
        "in_progress": Q(status=Status.IN_PROGRESS),
        "due_soon": due_soon_q(today),
        "overdue": overdue_q(today),
    }


class IssueQuerySet(models.QuerySet["Issue"]):
    def visible_to(self, user: PortalUser) -> Self:
        """Scope to what the user may see; every list, page, export and count uses this."""
        if sees_everything(user):
            return self
        from organisation.models import DepartmentStaff, Pairing  # organisation's models load first

        roles = roles_of(user)
        # The keys of what the user may see, each way read on its own index and put together (UNION), so
        # the outer query reads a short list of keys: ORed joins (or ORed EXISTS) walk every problem
        # and its events. A subquery, not a join: the outer query stays free of duplicates and DISTINCT.
        ways: list[models.QuerySet] = []
        if Role.CADRE in roles:
            # The cadre who reported it, and whoever serves the enterprise now.
            serving = Pairing.objects.filter(cadre__user=user.pk, ended_on__isnull=True).values("enterprise")
            ways += [
                Issue.objects.filter(reporter__user=user.pk).order_by().values("pk"),
                Issue.objects.filter(enterprise__in=serving).order_by().values("pk"),
            ]
        if Role.DEPARTMENT_STAFF in roles:
            # The department it is with now, and any it was assigned to before (its timeline's departments).
            units = DepartmentStaff.objects.filter(user=user.pk).values("department")
            ways += [
                Issue.objects.filter(department__in=units).order_by().values("pk"),
                IssueEvent.objects.filter(department__in=units).order_by().values("issue_id"),
            ]
        if not ways:
            return self.none()
        return self.filter(pk__in=ways[0].union(*ways[1:]))

    def awaiting_routing(self) -> Self:
        return self.filter(status__in=(Status.REPORTED, Status.REOPENED))

    def awaiting_feedback(self) -> Self:
        """Resolved, waiting for the enterprise's word, which the cadre records to close or reopen it."""
        return self.filter(status=Status.RESOLVED)

    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> Self:
        return self.filter(overdue_q(today or _today()))

    def due_soon(self, today: datetime.date | None = None) -> Self:
        return self.filter(due_soon_q(today or _today()))

    def department_counts(self, department_id: int, today: datetime.date) -> dict[str, int]:
        """A department's inbox tabs: what it holds (new, in progress, due soon, overdue) and what it held before.

        Each set read on its own index, never joined to every problem: the problems with the department now,
        (department, status), counted by tab and by whether its timeline names the department too; and the
        problems its timeline names, by the events' department index. Those it held before and does not hold now
        are the second set less the problems of the first that are in it.
        """
        before = IssueEvent.objects.filter(department=department_id).order_by().values("issue_id")
        counts = self.filter(department=department_id).aggregate(
            **{name: models.Count("pk", filter=q) for name, q in desk_tabs(today).items()},
            again=models.Count("pk", filter=Q(pk__in=before)),
        )
        named = before.aggregate(n=models.Count("issue_id", distinct=True))["n"]
        counts["history"] = named - counts.pop("again")
        return counts

    def desk_counts(self, today: datetime.date) -> dict[str, int]:
        """Count the department desk's tabs (new, in progress, due soon, overdue) in one query."""
        return self.aggregate(**{name: models.Count("pk", filter=q) for name, q in desk_tabs(today).items()})


class Issue(models.Model):
    """A difficulty an enterprise raised (困难和问题), and how it was handled."""

    # No index of its own: (enterprise, status) below starts with it.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="issues",
        verbose_name=_("enterprise"),
        db_index=False,
    )
    reporter = models.ForeignKey(
        "organisation.Cadre", on_delete=models.PROTECT, related_name="reported_issues", verbose_name=_("reporter")
    )
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.PROTECT,
        related_name="issues",
        null=True,
        blank=True,
        verbose_name=_("visit"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(IssueCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    # Blank only for a request the enterprise raised that its cadre has not routed yet.
    flow = models.CharField(_("flow"), max_length=20, choices=Flow, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source, default=Source.CADRE)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.REPORTED)
    # No index of its own: (department, status) below starts with it.
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.PROTECT,
        related_name="issues",
        null=True,
        blank=True,
        verbose_name=_("responsible department"),
        db_index=False,
    )
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    # The responsible person's account, when they have one: hand-overs and reminders then go to them
    # alone rather than to every staff member of the department. The name above is kept either way.
    responsible_staff = models.ForeignKey(
        "organisation.DepartmentStaff",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("responsible person's account"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    supervised = models.BooleanField(_("supervised by the leading group"), default=False)
    matter = models.ForeignKey(
        "SystemicMatter",
        on_delete=models.PROTECT,
        related_name="issues",
        null=True,
        blank=True,
        verbose_name=_("systemic matter"),
    )
    # Bumped by every move: a form carries the version it was drawn from, so a move
    # made on a page that someone else has since changed is refused, not applied twice.
    version = models.PositiveIntegerField(_("version"), default=0)
    resolution = models.TextField(_("resolution"), blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(flow__in=Flow.values) | Q(flow="", status=Status.REPORTED), name="issue_flow_valid"
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="issue_source_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="issue_status_valid"),
            # A problem in a department's hands always has the department and a deadline.
            models.CheckConstraint(
                condition=~Q(status__in=DEADLINE_STATUSES) | Q(department__isnull=False, deadline__isnull=False),
                name="issue_assigned_has_department_and_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["enterprise", "status"]),
            # The ledger's order, newest first (core/paging.py reads any page on it, from either end),
            # and the period's problems (`created_at` ranges) for the figures.
            models.Index(fields=["-created_at", "-id"], name="issue_ledger_order"),
            # Problems moved since a moment: a past period's figures read their state back from their events
            # (issues/measures.py), and the dashboard's cache asks for the latest move (oversight/dashboard.py).
            models.Index(fields=["updated_at"], name="issue_updated_at"),
            # The review desk's and the home pages' lists of one status in order (escalated, oldest first).
            models.Index(fields=["status", "created_at", "id"], name="issue_status_order"),
        ]
        # On PostgreSQL the ledger's search has trigram indexes too (migration 0008, docs/indexes.md):
        # PostgreSQL-only DDL, so they are made by the migration and not declared here.

    def __str__(self) -> str:
        return self.title

    def warning(self, today: datetime.date | None = None) -> str:
        """Return the deadline warning: overdue (red), due soon (yellow), or none; never stored."""
        if self.status not in DEADLINE_STATUSES or self.deadline is None:
            return DeadlineWarning.NONE
        today = today or _today()
        if self.deadline < today:
            return DeadlineWarning.OVERDUE
        if self.deadline <= due_soon_horizon(today):
            return DeadlineWarning.DUE_SOON
        return DeadlineWarning.NONE


class SystemicMatter(models.Model):
    """A common or systemic problem (共性和系统性问题): several enterprises' problems, decided once."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("systemic matter")
        verbose_name_plural = _("systemic matters")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    """One step of an assigned problem's roadmap (路线图), with its planned date."""

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("problem"))
    title = models.CharField(_("milestone"), max_length=200)
    planned_on = models.DateField(_("planned date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("progress note"), blank=True)
    department = models.ForeignKey(
        "organisation.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    # Set when the problem leaves the department (returned, taken back, reopened): kept, never deleted.
    superseded = models.BooleanField(_("superseded"), default=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.title}"


class ExtensionRequest(models.Model):
    """A department's request for more time; the leading group or the campaign office decides."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        # Nobody decided it: the problem left the department first (resolved, returned, taken back, reopened).
        WITHDRAWN = "withdrawn", _("Withdrawn")

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("problem"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    old_deadline = models.DateField(_("original deadline"))
    new_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue"], condition=Q(decision="pending"), name="one_pending_extension_per_issue"
            ),
            models.CheckConstraint(condition=Q(new_deadline__gt=models.F("old_deadline")), name="extension_is_later"),
        ]
        # The review desk's tab of requests waiting for a decision, oldest first: only the pending few.
        indexes = [
            models.Index(fields=["created_at", "id"], condition=Q(decision="pending"), name="extension_pending_order")
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.old_deadline} → {self.new_deadline}"

    @property
    def decision_text(self) -> str:
        """The decision's note in the active language: a withdrawal's reason is a key (issues/timeline.py)."""
        from issues.timeline import WITHDRAWN_BECAUSE  # the catalogue reads this module's choices

        note = self.decision_note
        if self.decision == self.Decision.WITHDRAWN and note in WITHDRAWN_BECAUSE:
            return str(WITHDRAWN_BECAUSE[note])
        return note  # the decider's own words, or a withdrawal stored before as text


class Feedback(models.Model):
    """The enterprise's word on a resolved problem (满意度); without it a problem is not closed."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("problem"))
    rating = models.CharField(_("rating"), max_length=20, choices=Rating)
    comment = models.TextField(_("comment"), blank=True)
    # Who gave it: the enterprise itself through its link, or a cadre recording it on its behalf.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )
    enterprise_link = models.ForeignKey(
        "enterprises.EnterpriseLink",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("given through the enterprise's link"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("enterprise feedback")
        verbose_name_plural = _("enterprise feedback")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False, enterprise_link__isnull=True)
                | Q(recorded_by__isnull=True, enterprise_link__isnull=False),
                name="feedback_given_by_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.get_rating_display()}"

    @property
    def by_enterprise(self) -> bool:
        """Given by the enterprise itself (through its link), not recorded by a cadre on its behalf."""
        return self.enterprise_link_id is not None


class IssueEvent(models.Model):
    """One step in a problem's timeline: who, when, from which state to which, and why."""

    # No index of its own: (issue, created_at) below starts with it.
    issue = models.ForeignKey(
        Issue, on_delete=models.PROTECT, related_name="events", verbose_name=_("problem"), db_index=False
    )
    # Who made the step: a user, or the enterprise through its link (exactly one of the two).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("actor"),
    )
    enterprise_link = models.ForeignKey(
        "enterprises.EnterpriseLink",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("by the enterprise via its link"),
    )
    action = models.CharField(_("action"), max_length=30, choices=Action)
    from_status = models.CharField(_("from"), max_length=20, choices=Status, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status)
    # The department the problem was with before this step: a return or a reassignment names the unit it left.
    from_department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("from department"),
    )
    # The department the problem was with after this step, so staff keep sight of past assignments.
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("department"),
    )
    # The problem's flow and deadline after this step: with `to_status` and `department`, its state then,
    # so a past period's figures are read from the events' own dates (issues/measures.py).
    flow = models.CharField(_("flow"), max_length=20, choices=Flow, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # What the step says, put together in the reader's language when shown (issues/timeline.py): the kind
    # of sentence and its values. Blank on the rows written before: their note is the whole sentence.
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    params = models.JSONField(_("values"), default=dict, blank=True)
    # The user's own words, shown as typed.
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor__isnull=False, enterprise_link__isnull=True)
                | Q(actor__isnull=True, enterprise_link__isnull=False),
                name="issue_event_one_actor",
            ),
        ]
        indexes = [
            models.Index(fields=["issue", "created_at"]),
            # A period's moves of one kind (the dashboard, the department table, the monthly report). On
            # PostgreSQL it also carries what the figures ask of a move (issues/measures.py: who rated it, an
            # extension's decision, the answers), so the period's moves are read from the index alone (an
            # index-only scan), not from the table's pages.
            models.Index(
                fields=["action", "created_at"],
                include=[
                    "issue",
                    "department",
                    "from_department",
                    "from_status",
                    "deadline",
                    "actor",
                    "enterprise_link",
                    "kind",
                ],
                name="issue_event_moves",
            ),
            # When each waiting escalation was made (the escalation_undecided reminder, the review desk's age):
            # the escalations' few events, not every move of every problem.
            models.Index(
                fields=["issue", "created_at"], condition=Q(to_status="escalated"), name="issue_event_escalations"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def by_enterprise(self) -> bool:
        """Made by the enterprise itself, through its link."""
        return self.enterprise_link_id is not None

    @property
    def text(self) -> str:
        """The step's sentence and note in the active language (issues/timeline.py)."""
        from issues.timeline import sentence  # the catalogue reads this module's choices

        return sentence(self.kind, self.params, self.note)
