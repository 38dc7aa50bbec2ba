"""What each role's home page shows: one small function per role, each a handful of queries."""

import calendar
import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from enterprises.models import Enterprise, Origin
from issues.models import DEADLINE_STATUSES, OPEN_STATUSES, ROW_RELATED, Issue, Status, overdue_q
from organisation.models import Cadre, DepartmentStaff, Pairing


def _month_left(today: datetime.date) -> int:
    return calendar.monthrange(today.year, today.month)[1] - today.day


def cadre_panel(user, today: datetime.date) -> dict | None:
    cadre = Cadre.objects.filter(user=user).first()
    if cadre is None:
        return None
    pairing = (
        Pairing.objects.active()
        .filter(cadre=cadre)
        .with_visits_in_month(today.year, today.month)
        .select_related("enterprise")
        .first()
    )
    issues = []
    recent_visits = []
    if pairing:
        issues = list(
            Issue.objects.visible_to(user)
            .open()
            .filter(enterprise=pairing.enterprise)
            .select_related(*ROW_RELATED)
            .order_by("deadline", "-created_at")[:10]
        )
        recent_visits = list(pairing.visits.order_by("-visited_on", "-pk")[:5])
    return {
        "cadre": cadre,
        "pairing": pairing,
        "required": settings.CAMPAIGN_VISITS_PER_MONTH,
        "days_left": _month_left(today),
        "issues": issues,
        "recent_visits": recent_visits,
    }


def department_panel(user, today: datetime.date) -> dict | None:
    staff = DepartmentStaff.objects.filter(user=user).select_related("department").first()
    if staff is None:
        return None
    mine = Issue.objects.visible_to(user).filter(department=staff.department)
    counts = mine.desk_counts(today)
    urgent = list(mine.filter(status__in=DEADLINE_STATUSES).select_related(*ROW_RELATED).order_by("deadline")[:10])
    return {"staff": staff, "counts": counts, "urgent": urgent, "due_soon_days": settings.CAMPAIGN_DUE_SOON_DAYS}


def oversight_panel(user, today: datetime.date) -> dict:
    issues = Issue.objects.visible_to(user)
    counts = issues.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        escalated=Count("pk", filter=Q(status=Status.ESCALATED)),
        overdue=Count("pk", filter=overdue_q(today)),
        awaiting_routing=Count("pk", filter=Q(status__in=[Status.REPORTED, Status.REOPENED])),
        supervised=Count("pk", filter=Q(supervised=True, status__in=DEADLINE_STATUSES)),
    )
    pairings = Pairing.objects.active().with_visits_in_month(today.year, today.month)
    visit_stats = pairings.aggregate(
        total=Count("pk"),
        compliant=Count("pk", filter=Q(month_visits__gte=settings.CAMPAIGN_VISITS_PER_MONTH)),
    )
    escalated = list(issues.filter(status=Status.ESCALATED).select_related(*ROW_RELATED).order_by("created_at")[:10])
    return {
        "counts": counts,
        "visit_stats": visit_stats,
        "required": settings.CAMPAIGN_VISITS_PER_MONTH,
        "escalated": escalated,
    }


def office_panel(user, today: datetime.date) -> dict:
    enterprises = Enterprise.objects.visible_to(user).active()
    by_origin = dict(enterprises.values_list("origin").annotate(n=Count("pk")).values_list("origin", "n"))
    return {
        "enterprises": sum(by_origin.values()),
        "city": by_origin.get(Origin.CITY, 0),
        "district": by_origin.get(Origin.DISTRICT, 0),
        "active_pairings": Pairing.objects.active().count(),
        "unpaired_enterprises": enterprises.exclude(pairings__ended_on__isnull=True).count(),
        "unpaired_cadres": Cadre.objects.active().exclude(pairings__ended_on__isnull=True).count(),
    }


def today() -> datetime.date:
    return timezone.localdate()
