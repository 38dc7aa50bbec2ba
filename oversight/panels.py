"""What each role's home page shows: one small function per role, each a handful of queries."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.utils import timezone

from core import kept, workdays
from core.months import days_left_in_month
from core.roles import PortalUser
from enterprises.models import Enterprise, Origin
from issues.models import DEADLINE_STATUSES, OPEN_STATUSES, ROW_RELATED, Issue, Status, overdue_q
from organisation.models import Cadre, DepartmentStaff, Pairing
from oversight import keeping
from supervision.models import Rectification
from visits import compliance
from visits.models import Visit

T = TypeVar("T")


@dataclass(frozen=True)
class CadrePanel:
    """The cadre's enterprise, this month's standing under the two-visit rule, open problems, recent visits.

    And the problems resolved and awaiting the enterprise's feedback, which only the cadre can record.
    """

    cadre: Cadre
    pairing: Pairing | None
    cell: compliance.Cell
    days_left: int
    issues: list[Issue]
    recent_visits: list[Visit]
    awaiting_feedback: list[Issue] = field(default_factory=list)  # the longest waiting first
    awaiting_feedback_count: int = 0


@dataclass(frozen=True)
class DepartmentPanel:
    staff: DepartmentStaff
    counts: dict[str, int]
    urgent: list[Issue]
    due_soon_days: int


@dataclass(frozen=True)
class OversightPanel:
    counts: dict[str, int]
    visits: compliance.MonthSummary
    escalated: list[Issue]


@dataclass(frozen=True)
class OfficePanel:
    enterprises: int
    city: int
    district: int
    active_pairings: int
    unpaired_enterprises: int
    unpaired_cadres: int
    # Upcoming years without the official holiday schedule, counted Monday to Friday until entered (core/workdays.py).
    schedule_missing: list[int] = field(default_factory=list)


def cadre_panel(user: PortalUser, today: datetime.date) -> CadrePanel | None:
    if not user.is_authenticated:
        return None
    # The pairing brings its cadre: one query for a paired cadre, a second only for one without a pairing.
    pairing = Pairing.objects.active().filter(cadre__user_id=user.pk).select_related("cadre", "enterprise").first()
    cadre = pairing.cadre if pairing else Cadre.objects.filter(user_id=user.pk).first()
    if cadre is None:
        return None
    cell = compliance.Cell()
    issues: list[Issue] = []
    recent_visits: list[Visit] = []
    awaiting_feedback: list[Issue] = []
    awaiting_feedback_count = 0
    if pairing:
        # The rule module judges the cadre's month (all their pairings in it), as the grid and 我的企业 do.
        cell = compliance.cadre_month(cadre, today)
        issues = list(
            Issue.objects.visible_to(user)
            .open()
            .filter(enterprise=pairing.enterprise)
            .select_related(*ROW_RELATED)
            .order_by("deadline", "-created_at")[:10]
        )
        recent_visits = list(pairing.visits.order_by("-visited_on", "-pk")[:5])
        waiting = Issue.objects.visible_to(user).awaiting_feedback().filter(enterprise=pairing.enterprise)
        # How many wait in all comes with the first ten (a window over the rows before LIMIT): one query.
        waiting = waiting.select_related(*ROW_RELATED).annotate(waiting_in_all=Window(Count("pk")))
        awaiting_feedback = list(waiting.order_by("resolved_at", "pk")[:10])
        if awaiting_feedback:
            awaiting_feedback_count = awaiting_feedback[0].waiting_in_all  # type: ignore[attr-defined]  # annotated
    return CadrePanel(
        cadre=cadre,
        pairing=pairing,
        cell=cell,
        days_left=days_left_in_month(today),
        issues=issues,
        recent_visits=recent_visits,
        awaiting_feedback=awaiting_feedback,
        awaiting_feedback_count=awaiting_feedback_count,
    )


def department_panel(user: PortalUser, today: datetime.date) -> DepartmentPanel | None:
    if not user.is_authenticated:
        return None
    staff = DepartmentStaff.objects.filter(user_id=user.pk).select_related("department").first()
    if staff is None:
        return None
    # Every figure and row is of problems still with the department: its (department, status) index finds them.
    mine = Issue.objects.visible_to(user).filter(department=staff.department, status__in=DEADLINE_STATUSES)
    urgent = list(mine.select_related(*ROW_RELATED).order_by("deadline", "pk")[:10])
    return DepartmentPanel(
        staff=staff, counts=mine.desk_counts(today), urgent=urgent, due_soon_days=settings.CAMPAIGN_DUE_SOON_DAYS
    )


@dataclass(frozen=True)
class OversightFigures:
    """What the overseers' panel counts (kept, core/kept.py): the open problems' figures, this month's rule."""

    counts: dict[str, int]
    visits: compliance.MonthSummary


def count_open(user: PortalUser, today: datetime.date) -> dict[str, int]:
    """Count the overseers' figures of the problems open now (nothing kept): one query."""
    issues = Issue.objects.visible_to(user)
    # Every figure is of open problems: the status index narrows the count to them, not a city's every problem.
    return dict(
        issues.filter(status__in=OPEN_STATUSES).aggregate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            escalated=Count("pk", filter=Q(status=Status.ESCALATED)),
            overdue=Count("pk", filter=overdue_q(today)),
            awaiting_routing=Count("pk", filter=Q(status__in=[Status.REPORTED, Status.REOPENED])),
            supervised=Count("pk", filter=Q(supervised=True, status__in=DEADLINE_STATUSES)),
        )
    )


@dataclass(frozen=True)
class OverseerFigures:
    """The overseers' home figures (kept, core/kept.py), and the campaign office's for the office."""

    oversight: OversightFigures
    office: "OfficePanel | None" = None


def overseer_figures(user: PortalUser, today: datetime.date, *, office: bool = False) -> OverseerFigures:
    """The overseers' figures (and, `office`, the campaign office's), each part kept on what it reads alone, so a
    move counts only the open problems again and a visit only this month's rule; one query when kept (the
    versions, read once a request).

    The open problems' figures read the problems of any month; this month's rule its visits and pairings; the
    office's the enterprises, cadres and pairings in force now (the visits' family of any month, the names) and
    the calendar. Judged on today (overdue, the running month's rule, the years ahead).
    """
    sight = keeping.sight(user)

    def keep(name: str, depends: dict[str, kept.Months], count: Callable[[], T]) -> T:
        return kept.remember(f"oversight.home.{name}", depends, count, judged_on=today, parts=(sight,))

    return OverseerFigures(
        OversightFigures(
            counts=keep("open", {"problems": None}, lambda: count_open(user, today)),
            visits=keep(
                "rule",
                {"visits": [today]},
                lambda: compliance.month_summary(today, Pairing.objects.visible_to(user)),
            ),
        ),
        keep("office", {"visits": None, "names": None, "calendar": None}, lambda: count_office(user, today))
        if office
        else None,
    )


def oversight_panel(user: PortalUser, today: datetime.date, figures: OversightFigures | None = None) -> OversightPanel:
    """The overseers' panel: the figures (kept: `overseer_figures`, or as given) and the ten escalated rows."""
    found = figures or overseer_figures(user, today).oversight
    # The ten escalated rows are read live (a model each, never kept): the status index finds them.
    escalated = list(
        Issue.objects.visible_to(user)
        .filter(status=Status.ESCALATED)
        .select_related(*ROW_RELATED)
        .order_by("created_at", "pk")[:10]
    )
    return OversightPanel(counts=dict(found.counts), visits=found.visits, escalated=escalated)


def count_office(user: PortalUser, today: datetime.date) -> OfficePanel:
    """Count the campaign office's figures (nothing kept): three queries and the calendar's."""
    enterprises = Enterprise.objects.visible_to(user).active()
    paired = Pairing.objects.active().filter(enterprise=OuterRef("pk"))
    figures = enterprises.aggregate(
        total=Count("pk"),
        city=Count("pk", filter=Q(origin=Origin.CITY)),
        district=Count("pk", filter=Q(origin=Origin.DISTRICT)),
        unpaired=Count("pk", filter=~Exists(paired)),
    )
    return OfficePanel(
        enterprises=figures["total"],
        city=figures["city"],
        district=figures["district"],
        active_pairings=Pairing.objects.active().count(),
        unpaired_enterprises=figures["unpaired"],
        unpaired_cadres=Cadre.objects.active().exclude(pairings__ended_on__isnull=True).count(),
        schedule_missing=workdays.missing_years(today),
    )


def office_panel(user: PortalUser, today: datetime.date) -> OfficePanel:
    """The campaign office's figures (plain numbers), kept with the overseers' (`overseer_figures`)."""
    found = overseer_figures(user, today, office=True).office
    assert found is not None  # asked for
    return found


@dataclass(frozen=True)
class ItemsPanel:
    """Rectification items waiting for the user's answer (a cadre's own, or their unit's), the most urgent first."""

    items: list[Rectification]
    count: int
    overdue: int


@dataclass(frozen=True)
class SupervisionPanel:
    """For the overseers: answers waiting for the inspectors' check, and items overdue."""

    answered: int
    overdue: int


# How many waiting items a home page lists; the items list has the rest.
PANEL_ITEMS = 10


def items_panel(user: PortalUser, today: datetime.date, *, as_unit: bool) -> ItemsPanel | None:
    """The items waiting for the cadre's answer (or, `as_unit`, their department's); None when nothing waits."""
    mine = Q(department__staff__user_id=user.pk) if as_unit else Q(cadre__user_id=user.pk)
    waiting = Rectification.objects.visible_to(user).filter(mine).waiting_for_answer()
    # The earliest deadline first: the overdue ones lead.
    # How many wait in all comes with the first rows (a window over them before LIMIT).
    # The row names who answers (`responsible_name`: the cadre, else the unit): read with the rows.
    counted = waiting.select_related("inspection", "cadre", "department").annotate(waiting_in_all=Window(Count("pk")))
    items = list(counted.order_by("deadline", "pk")[:PANEL_ITEMS])
    if not items:
        return None
    count = items[0].waiting_in_all  # type: ignore[attr-defined]  # annotated above
    return ItemsPanel(items=items, count=count, overdue=waiting.overdue(today).count())


def supervision_panel(user: PortalUser, today: datetime.date) -> SupervisionPanel:
    items = Rectification.objects.visible_to(user)
    # Both figures in one query; each still asked of the rule's own queryset method.
    figures = items.aggregate(
        answered=Count("pk", filter=Q(pk__in=items.waiting_for_check().values("pk"))),
        overdue=Count("pk", filter=Q(pk__in=items.overdue(today).values("pk"))),
    )
    return SupervisionPanel(answered=figures["answered"], overdue=figures["overdue"])


def today() -> datetime.date:
    return timezone.localdate()
