"""Every main page of every role, as (role, username, url, label), on a tier built by demo/scale.py.

The same list at every tier (the same users, the same kind of record picked), so the tiers compare page by page.
A page whose record or URL cannot be found is still listed, with its URL empty and the reason, so that the report
shows it as an error row.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from core.months import Month, last_months, month_label
from demo import scale


@dataclass(frozen=True)
class Page:
    role: str
    username: str
    label: str
    url: str
    error: str = ""


def _page(role: str, username: str, label: str, url: Callable[[], str]) -> Page:
    try:
        return Page(role, username, label, url())
    except Exception as failed:
        return Page(role, username, label, "", f"{type(failed).__name__}: {failed}")


def _cadre_problem() -> str:
    from issues.models import Issue

    user = User.objects.get(username=scale.cadre_username(0))
    issue = Issue.objects.visible_to(user).order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    return reverse("issues:detail", args=[issue])


def _staff_problem() -> str:
    from issues.models import Issue, Status

    # One in progress (its page asks whether an extension is pending): at every tier one of the desk's at least.
    user = User.objects.get(username=scale.staff_username(0))
    issue = Issue.objects.filter(department__staff__user=user, status=Status.IN_PROGRESS).order_by("-created_at", "-pk")
    return reverse("issues:detail", args=[issue.values_list("pk", flat=True).first()])


def _first_department() -> str:
    from organisation.models import Department

    return str(Department.objects.order_by("pk").values_list("pk", flat=True).first())


def pages() -> list[Page]:
    today = timezone.localdate()
    cadre, staff, lead, office = scale.cadre_username(0), scale.staff_username(0), scale.LEAD, scale.OFFICE
    last = month_label(last_months(today, 2)[0])
    this = month_label(Month.of(today))
    rows = [
        ("cadre", cadre, "home", lambda: reverse("home")),
        ("cadre", cadre, "my enterprise", lambda: reverse("visits:my_enterprise")),
        ("cadre", cadre, "log a visit (form)", lambda: reverse("visits:visit_new")),
        ("cadre", cadre, "visit list", lambda: reverse("visits:visit_list")),
        ("cadre", cadre, "errand list", lambda: reverse("visits:errand_list")),
        ("cadre", cadre, "policy list", lambda: reverse("visits:policy_list")),
        ("cadre", cadre, "a problem", _cadre_problem),
        ("cadre", cadre, "notifications", lambda: reverse("notifications:list")),
        ("department", staff, "home", lambda: reverse("home")),
        *[
            ("department", staff, f"inbox: {tab}", lambda tab=tab: reverse("issues:inbox") + f"?tab={tab}")
            for tab in ("new", "in_progress", "due_soon", "overdue", "history")
        ],
        ("department", staff, "a problem", _staff_problem),
        ("department", staff, "notifications", lambda: reverse("notifications:list")),
        ("leading group", lead, "home", lambda: reverse("home")),
        ("leading group", lead, "dashboard", lambda: reverse("oversight:dashboard")),
        ("leading group", lead, "review desk", lambda: reverse("issues:review")),
        ("leading group", lead, "ledger page 1", lambda: reverse("issues:ledger")),
        ("leading group", lead, "ledger last page", lambda: reverse("issues:ledger") + "?page=last"),
        ("leading group", lead, "ledger search", lambda: reverse("issues:ledger") + "?q=基准企业000123"),
        (
            "leading group",
            lead,
            "ledger filtered",
            lambda: reverse("issues:ledger") + f"?status=in_progress&department={_first_department()}",
        ),
        (
            "leading group",
            lead,
            "ledger: overdue now",
            lambda: reverse("issues:ledger") + f"?measure=overdue&from={this}&to={this}",
        ),
        ("leading group", lead, "compliance grid", lambda: reverse("visits:compliance")),
        ("leading group", lead, "departments table", lambda: reverse("oversight:departments")),
        ("leading group", lead, "roll-up per cadre", lambda: reverse("oversight:rollup", args=["cadre"])),
        ("leading group", lead, "roll-up per department", lambda: reverse("oversight:rollup", args=["department"])),
        ("leading group", lead, "roll-up per street", lambda: reverse("oversight:rollup", args=["street"])),
        ("leading group", lead, "roll-up per sector", lambda: reverse("oversight:rollup", args=["sector"])),
        ("leading group", lead, "monthly report, last month", lambda: reverse("oversight:report", args=[last])),
        ("leading group", lead, "supervision ledger", lambda: reverse("supervision:ledger")),
        ("leading group", lead, "assessment year", lambda: reverse("assessment:year", args=[today.year])),
        ("leading group", lead, "notifications", lambda: reverse("notifications:list")),
        ("campaign office", office, "home", lambda: reverse("home")),
        ("campaign office", office, "import page", lambda: reverse("organisation:import")),
        ("campaign office", office, "exports page", lambda: reverse("organisation:exports")),
    ]
    return [_page(role, username, label, url) for role, username, label, url in rows]
