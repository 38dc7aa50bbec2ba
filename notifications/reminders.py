"""The reminder scan: what is due now, to whom, under which key. It reads; it never writes.

Each kind is one small function that turns a fixed number of indexed queries into
`Due` items, whatever the number of problems, errands or pairings (the many-row kinds read
plain value rows and reverse their link once, not per reminder: docs/reminder-scan.md). All dates are
local dates in Asia/Shanghai (TIME_ZONE), taken from the injected `now`, so a test
or `send_reminders --now` can move the clock. "N days after" an event means N local
days after the local date of the event, whatever its hour (`core/days.py`):
a problem escalated at 23:30 is reminded on the same morning as one escalated at 08:00.
Waiting for someone's decision or answer is counted in working days (core/workdays.py: the
official schedule, with its holidays and 调休 working days); the overdue repeat and the days
overdue, in calendar days. docs/working-days.md lists every threshold with its count.

The period is what makes a repeat a new reminder (the unique key is kind, object,
recipient, period):

| kind | object | to | period |
| --- | --- | --- | --- |
| visit_short | pairing | the cadre | the reminder day (2026-11-20) |
| visits_missed | none (0) | the campaign office | last month (2026-10) |
| issue_due_soon | problem | the responsible account, else the department's staff | the deadline |
| issue_overdue | problem | the same, and the cadre | deadline and repeat step (2026-11-12#2) |
| issue_supervise | problem | the leading group | the deadline |
| escalation_undecided | problem | the leading group | when it was escalated |
| feedback_waiting | problem | the cadre | when it was resolved |
| errand_stale | errand | the cadre | when it last moved |
| extension_pending | extension request | the leading group, the campaign office | the request's date |
| rectification_raised | rectification item | its cadre, or its unit's acting staff | the local date it was raised |
| rectification_due_soon | rectification item | the same | the deadline (+ answers sent back: 2026-11-22+1) |
| rectification_overdue | rectification item | the same | deadline and repeat step (2026-11-12#2, 2026-11-12#2+1) |
| rectification_answered | rectification item | its inspectors and whoever recorded the inspection | the answer's time |

A scan that did not run for a while catches up with the latest reminder due, not
with every one it missed: on the 26th it sends the 25th's visit reminder, not the
20th's too, and a problem eight days overdue gets its step-2 reminder, not steps
0, 1 and 2. A deadline moved by an extension starts its reminders afresh. A rectification item's
answer stops its reminders; an answer sent back starts them again, as for a new item (the period
counts the answers sent back), and each new answer is put to the inspectors.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from core.days import age_cutoff
from core.months import Month, month_label
from core.roles import Role
from core.workdays import DayCount
from issues.models import ExtensionRequest, Issue, Status
from notifications.models import Kind
from notifications.texts import say
from organisation.models import DepartmentStaff, Pairing
from supervision.models import Inspection, Rectification, Response
from visits import compliance
from visits.models import Errand

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Due:
    """One reminder the scan found due: its unique key and the values it is said from (notifications/texts.py)."""

    kind: str
    object_id: int
    recipient_id: int
    period: str
    params: dict[str, Any]
    link: str = ""

    @property
    def key(self) -> tuple[str, int, int, str]:
        return (self.kind, self.object_id, self.recipient_id, self.period)

    @property
    def title(self) -> str:
        """What it says, in the active language."""
        return say(self.kind, self.params).title

    @property
    def body(self) -> str:
        return say(self.kind, self.params).body


@dataclass
class Clock:
    now: datetime.datetime
    today: datetime.date = field(init=False)

    def __post_init__(self):
        self.today = timezone.localdate(self.now)

    def days_since(self, moment: datetime.datetime) -> int:
        return (self.today - timezone.localdate(moment)).days

    def cutoff(self, days: int, counts: str = DayCount.CALENDAR) -> datetime.datetime:
        """Return the moment before which an event is `days` local (working) days old today (see core/days.py)."""
        return age_cutoff(self.today, days, counts)


class People:
    """Who receives what; each lookup is one query for all the items of a kind."""

    def __init__(self) -> None:
        self._groups: dict[str, list[int]] = {}

    def group(self, role: str) -> list[int]:
        """Active users holding the role (superusers count as the campaign office, as in roles.py)."""
        if role not in self._groups:
            holds = Q(groups__name=role)
            if role == Role.CAMPAIGN_OFFICE:
                holds |= Q(is_superuser=True)
            users = get_user_model().objects.filter(holds, is_active=True).distinct().order_by("pk")
            self._groups[role] = list(users.values_list("pk", flat=True))
        return self._groups[role]

    @staticmethod
    def responsible(desks: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int | None], list[int]]:
        """Who answers for each (department, responsible account) desk, in one query.

        The responsible person's own account while it is active on that department's staff;
        otherwise (a typed name, an account since disabled or moved) every active staff account.
        """
        desks = set(desks)
        rows = DepartmentStaff.objects.filter(
            department_id__in={department_id for department_id, _staff_id in desks}, user__is_active=True
        )
        staff: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pk, department_id, user_id in rows.order_by("user_id").values_list("pk", "department_id", "user_id"):
            staff[department_id].append((pk, user_id))
        answer: dict[tuple[int, int | None], list[int]] = {}
        for department_id, staff_id in desks:
            everyone = staff[department_id]
            linked = [user_id for pk, user_id in everyone if pk == staff_id]
            answer[department_id, staff_id] = linked or [user_id for _pk, user_id in everyone]
        return answer

    @staticmethod
    def issue_cadres(issues: Iterable[Issue]) -> dict[int, int]:
        """The user told as "the cadre" of each problem, in one query: the enterprise's cadre now, else the reporter.

        A problem whose enterprise has no active cadre and whose reporter's account is disabled has nobody.
        """
        current = Pairing.objects.active().filter(enterprise=OuterRef("enterprise"), cadre__user__is_active=True)
        reporter = Case(When(reporter__user__is_active=True, then=F("reporter__user_id")))
        rows = Issue.objects.filter(pk__in={issue.pk for issue in issues}).annotate(
            cadre_user=Coalesce(Subquery(current.values("cadre__user_id")[:1]), reporter, output_field=IntegerField())
        )
        return {pk: user_id for pk, user_id in rows.values_list("pk", "cadre_user") if user_id is not None}

    @staticmethod
    def units(department_ids: Iterable[int]) -> dict[int, list[int]]:
        """The accounts acting for each unit (active, with the department-staff role), in one query."""
        rows = DepartmentStaff.objects.acting().filter(department_id__in=set(department_ids)).order_by("user_id")
        staff: dict[int, list[int]] = defaultdict(list)
        for department_id, user_id in rows.values_list("department_id", "user_id"):
            staff[department_id].append(user_id)
        return staff

    @staticmethod
    def cadres(enterprise_ids: Iterable[int]) -> dict[int, int]:
        """The user of each enterprise's currently paired cadre."""
        rows = Pairing.objects.active().filter(enterprise_id__in=set(enterprise_ids), cadre__user__is_active=True)
        return dict(rows.values_list("enterprise_id", "cadre__user_id"))


# An id no object reaches, whose digits stand for the id in a reversed path.
_MARKER = 987_654_321_012_345


def _link_to(name: str) -> Callable[[int], str]:
    """Return a maker of the path of `name` for an object id: one reverse() per kind and scan, not per reminder.

    At a city's size reverse() per reminder took half the scan's time (15,000 escalations, 0.6 s).
    """
    head, _marker, tail = reverse(name, args=[_MARKER]).rpartition(str(_MARKER))
    return lambda pk: f"{head}{pk}{tail}"


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _issue_context(issue: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """The values a problem's reminder is said from, out of its ISSUE_VALUES row."""
    deadline: datetime.date | None = issue["deadline"]
    return {
        "title": issue["title"],
        "enterprise": issue["enterprise__name"],
        "deadline": deadline.isoformat() if deadline else "",
        "department": issue["department__name"] or "",
        "person": issue["responsible_person"] or "—",
        "days": (clock.today - deadline).days if deadline else 0,
    }


# --- Visits -----------------------------------------------------------------


def latest_visit_reminder_day(today: datetime.date) -> datetime.date | None:
    """Return this month's latest reminder day on or before today (20th, 25th), or None."""
    last = calendar.monthrange(today.year, today.month)[1]
    days = [min(d, last) for d in settings.CAMPAIGN_VISIT_REMINDER_DAYS if min(d, last) <= today.day]
    return today.replace(day=max(days)) if days else None


def visit_short(clock: Clock, people: People) -> Iterator[Due]:
    """On the 20th and the 25th: each cadre with an active pairing who is short of this month's visits.

    The cadre's month is the rule module's, as their home page shows it; the key names the active pairing.
    """
    day = latest_visit_reminder_day(clock.today)
    if day is None:
        return
    month = Month.of(clock.today)
    link = reverse("visits:visit_new")
    reachable = Pairing.objects.filter(cadre__is_active=True, cadre__user__is_active=True)
    for row in compliance.judge([month], clock.today, reachable):
        cell = row.cells[0]
        if not (row.pairing.is_active and cell.is_at_risk):
            continue
        values = {
            "enterprise": row.enterprise.name,
            "done": cell.visits,
            "required": cell.required,
            "month_end": (cell.part_end or month.last).isoformat(),
        }
        yield Due(Kind.VISIT_SHORT, row.pairing.pk, row.cadre.user_id, day.isoformat(), values, link)


def visits_missed(clock: Clock, people: People) -> Iterator[Due]:
    """From the 1st: one summary to the campaign office of the cadres who fell short last month."""
    month = Month.of(clock.today.replace(day=1) - DAY)
    missed = [
        {
            "cadre": row.cadre.name,
            "enterprise": row.enterprise.name,
            "visits": row.cells[0].visits,
            "required": row.cells[0].required,
        }
        for row in compliance.judge([month], clock.today)
        if row.cells[0].standing == compliance.Standing.MISSED
    ]
    if not missed:
        return
    label = month_label(month)
    values = {"month": label, "count": len(missed), "lines": missed}
    for user_id in people.group(Role.CAMPAIGN_OFFICE):
        yield Due(Kind.VISITS_MISSED, 0, user_id, label, values, reverse("visits:compliance"))


# --- Problems ---------------------------------------------------------------


# A problem's reminders are made from rows of plain values, not model instances: at a city's size
# (and a million open problems) building instances took longer than the queries.
ISSUE_VALUES = (
    "pk",
    "title",
    "enterprise_id",
    "enterprise__name",
    "department_id",
    "department__name",
    "deadline",
    "responsible_person",
    "responsible_staff_id",
    "reporter__user_id",
)


def _with_department(issues: "models.QuerySet[Issue]") -> list[dict[str, Any]]:
    """The rows of the problems with a department and a deadline, which the database guarantees while with one."""
    rows = issues.filter(department__isnull=False, deadline__isnull=False).order_by("pk").values(*ISSUE_VALUES)
    return list(rows)


def issue_due_soon(clock: Clock, people: People) -> Iterator[Due]:
    """Within CAMPAIGN_DUE_SOON_DAYS working days of the deadline: the department's staff."""
    issues = _with_department(Issue.objects.due_soon(clock.today))
    staff = people.responsible((i["department_id"], i["responsible_staff_id"]) for i in issues)
    link = _link_to("issues:detail")
    for issue in issues:
        values = _issue_context(issue, clock)
        for user_id in staff[issue["department_id"], issue["responsible_staff_id"]]:
            yield Due(Kind.ISSUE_DUE_SOON, issue["pk"], user_id, values["deadline"], values, link(issue["pk"]))


def issue_overdue(clock: Clock, people: People) -> Iterator[Due]:
    """On the first overdue day and every CAMPAIGN_OVERDUE_REPEAT_DAYS after: the department and the cadre.

    Once it has been overdue CAMPAIGN_OVERDUE_ESCALATE_DAYS, the leading group too (督办), once per deadline.
    """
    issues = _with_department(Issue.objects.overdue(clock.today))
    staff = people.responsible((i["department_id"], i["responsible_staff_id"]) for i in issues)
    cadres = people.cadres(i["enterprise_id"] for i in issues)
    issue_link = _link_to("issues:detail")
    for issue in issues:
        values = _issue_context(issue, clock)
        step = (values["days"] - 1) // settings.CAMPAIGN_OVERDUE_REPEAT_DAYS
        period = f"{values['deadline']}#{step}"
        # The enterprise's cadre now; the reporter if the enterprise has none at the moment.
        cadre_user = cadres.get(issue["enterprise_id"], issue["reporter__user_id"])
        link = issue_link(issue["pk"])
        for user_id in dict.fromkeys([*staff[issue["department_id"], issue["responsible_staff_id"]], cadre_user]):
            yield Due(Kind.ISSUE_OVERDUE, issue["pk"], user_id, period, values, link)
        if values["days"] >= settings.CAMPAIGN_OVERDUE_ESCALATE_DAYS:
            for user_id in people.group(Role.LEADING_GROUP):
                yield Due(Kind.ISSUE_SUPERVISE, issue["pk"], user_id, values["deadline"], values, link)


def escalation_undecided(clock: Clock, people: People) -> Iterator[Due]:
    """Escalated and not decided within CAMPAIGN_ESCALATION_DECIDE_DAYS working days: the leading group."""
    issues = (
        Issue.objects.filter(status=Status.ESCALATED)
        .annotate(escalated_at=Max("events__created_at", filter=Q(events__to_status=Status.ESCALATED)))
        .filter(escalated_at__lt=clock.cutoff(settings.CAMPAIGN_ESCALATION_DECIDE_DAYS, DayCount.WORKING))
        .order_by("pk")
        .values_list("pk", "title", "enterprise__name", "escalated_at")
    )
    link = _link_to("issues:detail")
    leaders = people.group(Role.LEADING_GROUP)
    for pk, title, enterprise, escalated_at in issues:
        values = {
            "title": title,
            "enterprise": enterprise,
            "days": clock.days_since(escalated_at),
            "date": timezone.localdate(escalated_at).isoformat(),
        }
        for user_id in leaders:
            yield Due(Kind.ESCALATION_UNDECIDED, pk, user_id, _local(escalated_at), values, link(pk))


def feedback_waiting(clock: Clock, people: People) -> Iterator[Due]:
    """Resolved CAMPAIGN_FEEDBACK_WAIT_DAYS working days ago with no feedback recorded: the cadre."""
    limit = clock.cutoff(settings.CAMPAIGN_FEEDBACK_WAIT_DAYS, DayCount.WORKING)
    issues = list(
        Issue.objects.filter(status=Status.RESOLVED, resolved_at__lt=limit).select_related("enterprise", "reporter")
    )
    cadres = people.cadres(i.enterprise_id for i in issues)
    link = _link_to("issues:detail")
    for issue in issues:
        resolved_at = issue.resolved_at
        if resolved_at is None:  # the filter above excludes it; this tells the type checker
            continue
        values = {
            "title": issue.title,
            "enterprise": issue.enterprise.name,
            "days": clock.days_since(resolved_at),
            "date": timezone.localdate(resolved_at).isoformat(),
        }
        yield Due(
            Kind.FEEDBACK_WAITING,
            issue.pk,
            cadres.get(issue.enterprise_id, issue.reporter.user_id),
            _local(resolved_at),
            values,
            link(issue.pk),
        )


def extension_pending(clock: Clock, people: People) -> Iterator[Due]:
    """Pending CAMPAIGN_EXTENSION_DECIDE_DAYS working days: whoever may decide (the leading group, the office)."""
    limit = clock.cutoff(settings.CAMPAIGN_EXTENSION_DECIDE_DAYS, DayCount.WORKING)
    requests = list(
        ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING, created_at__lt=limit)
        .select_related("issue__department")
        .order_by("pk")
    )
    deciders = list(dict.fromkeys(people.group(Role.LEADING_GROUP) + people.group(Role.CAMPAIGN_OFFICE)))
    link = _link_to("issues:detail")
    for request in requests:
        values = {
            "title": request.issue.title,
            "department": request.issue.department.name if request.issue.department else "",
            "days": clock.days_since(request.created_at),
            "old": request.old_deadline.isoformat(),
            "new": request.new_deadline.isoformat(),
            "reason": request.reason,
        }
        for user_id in deciders:
            yield Due(
                Kind.EXTENSION_PENDING,
                request.pk,
                user_id,
                timezone.localdate(request.created_at).isoformat(),
                values,
                link(request.issue_id),
            )


# --- Errands ----------------------------------------------------------------


def errand_stale(clock: Clock, people: People) -> Iterator[Due]:
    """An open errand that has not moved for CAMPAIGN_ERRAND_STALE_DAYS: the cadre (the rule is the errand's)."""
    errands = list(Errand.objects.stale(clock.today).select_related("pairing__enterprise", "pairing__cadre"))
    cadres = people.cadres(e.pairing.enterprise_id for e in errands)
    link = _link_to("visits:errand_detail")
    for errand in errands:
        values = {
            "matter": errand.matter,
            "enterprise": errand.pairing.enterprise.name,
            "department": errand.approving_department,
            "stage": errand.stage,  # said as the stage's label in the reader's language
            "days": clock.days_since(errand.moved_at),
            "date": timezone.localdate(errand.moved_at).isoformat(),
        }
        yield Due(
            Kind.ERRAND_STALE,
            errand.pk,
            cadres.get(errand.pairing.enterprise_id, errand.pairing.cadre.user_id),
            _local(errand.moved_at),
            values,
            link(errand.pk),
        )


# --- Rectification items -----------------------------------------------------


ITEM_RELATED = ("inspection", "cadre__user", "department")


def _item_context(item: Rectification, clock: Clock) -> dict[str, Any]:
    return {
        "item": Truncator(item.requirement).chars(60),
        "requirement": Truncator(item.requirement).chars(300),
        "responsible": item.responsible_name,
        "deadline": item.deadline.isoformat(),
        "inspection_kind": item.inspection.kind,  # said as the kind's label in the reader's language
        "date": item.inspection.inspected_on.isoformat(),
        "days": (clock.today - item.deadline).days,
    }


def _waiting(items: "models.QuerySet[Rectification]", people: People) -> list[tuple[Rectification, list[int], str]]:
    """Items waiting for an answer, each with who answers for it and its round ("" or "+N", N answers sent back).

    A cadre's item goes to the cadre's account while it is active; a unit's to its acting staff.
    """
    rows = list(items.select_related(*ITEM_RELATED).annotate(sent_back=Count("responses")).order_by("pk"))
    units = people.units(item.department_id for item in rows if item.department_id is not None)
    found: list[tuple[Rectification, list[int], str]] = []
    for item in rows:
        if item.cadre is not None:
            users = [item.cadre.user_id] if item.cadre.user.is_active else []
        else:
            users = units.get(item.department_id or 0, [])
        rounds: int = item.sent_back  # every answer of an item waiting for one was sent back
        found.append((item, users, f"+{rounds}" if rounds else ""))
    return found


def rectification_raised(clock: Clock, people: People) -> Iterator[Due]:
    """An item waiting for its first answer: whoever answers for it, once."""
    item_link = _link_to("supervision:item")
    waiting = Rectification.objects.filter(status=Rectification.Status.OPEN)
    for item, users, _round in _waiting(waiting, people):
        period = timezone.localdate(item.created_at).isoformat()
        values = _item_context(item, clock)
        for user_id in users:
            yield Due(Kind.RECTIFICATION_RAISED, item.pk, user_id, period, values, item_link(item.pk))


def rectification_due_soon(clock: Clock, people: People) -> Iterator[Due]:
    """Waiting for an answer within CAMPAIGN_DUE_SOON_DAYS working days of the deadline: whoever answers for it."""
    item_link = _link_to("supervision:item")
    for item, users, round_ in _waiting(Rectification.objects.due_soon(clock.today), people):
        values = _item_context(item, clock)
        for user_id in users:
            period = f"{item.deadline.isoformat()}{round_}"
            yield Due(Kind.RECTIFICATION_DUE_SOON, item.pk, user_id, period, values, item_link(item.pk))


def rectification_overdue(clock: Clock, people: People) -> Iterator[Due]:
    """Waiting for an answer past the deadline: on its first overdue day and every CAMPAIGN_OVERDUE_REPEAT_DAYS."""
    item_link = _link_to("supervision:item")
    for item, users, round_ in _waiting(Rectification.objects.overdue(clock.today), people):
        values = _item_context(item, clock)
        step = (values["days"] - 1) // settings.CAMPAIGN_OVERDUE_REPEAT_DAYS
        period = f"{item.deadline.isoformat()}#{step}{round_}"
        for user_id in users:
            yield Due(Kind.RECTIFICATION_OVERDUE, item.pk, user_id, period, values, item_link(item.pk))


def rectification_answered(clock: Clock, people: People) -> Iterator[Due]:
    """An answer waiting for its check: the inspection's inspectors and whoever recorded it (who may check)."""
    item_link = _link_to("supervision:item")
    latest = Response.objects.filter(item=OuterRef("pk")).order_by("-responded_at", "-pk")
    items = list(
        Rectification.objects.filter(status=Rectification.Status.ANSWERED)
        .select_related(*ITEM_RELATED, *(f"inspection__{name}" for name in ("cadre", "enterprise", "department")))
        .annotate(answered=Subquery(latest.values("responded_at")[:1]), answer=Subquery(latest.values("text")[:1]))
        .order_by("pk")
    )
    inspectors: dict[int, list[int]] = defaultdict(list)
    through = Inspection.inspectors.through.objects.filter(inspection_id__in={item.inspection_id for item in items})
    for inspection_id, user_id in through.order_by("user_id").values_list("inspection_id", "user_id"):
        inspectors[inspection_id].append(user_id)
    # Who may check now (supervision.services.may_check): active, in the leading group or the office.
    overseers = set(people.group(Role.LEADING_GROUP)) | set(people.group(Role.CAMPAIGN_OFFICE))
    for item in items:
        # `answered` and `answer` are the annotations above: an answered item has an answer.
        answered: datetime.datetime = item.answered  # type: ignore[attr-defined]
        values = {
            **_item_context(item, clock),
            "subject": item.inspection.subject_name,
            "answered": timezone.localdate(answered).isoformat(),
            "answer": Truncator(item.answer).chars(300),  # type: ignore[attr-defined]
        }
        people_checking = [*inspectors[item.inspection_id], item.inspection.created_by_id]
        for user_id in dict.fromkeys(u for u in people_checking if u in overseers):
            yield Due(Kind.RECTIFICATION_ANSWERED, item.pk, user_id, _local(answered), values, item_link(item.pk))


SCANS: tuple[Callable[[Clock, People], Iterable[Due]], ...] = (
    visit_short,
    visits_missed,
    issue_due_soon,
    issue_overdue,
    escalation_undecided,
    feedback_waiting,
    errand_stale,
    extension_pending,
    rectification_raised,
    rectification_due_soon,
    rectification_overdue,
    rectification_answered,
)


def scan(*, now: datetime.datetime) -> list[Due]:
    """Return every reminder due at `now`, each key once, in a fixed number of queries."""
    clock, people = Clock(now), People()
    found: dict[tuple, Due] = {}
    for kind_scan in SCANS:
        for due in kind_scan(clock, people):
            found.setdefault(due.key, due)
    return list(found.values())
