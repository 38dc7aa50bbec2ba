"""Build a district, a city or a province of fictional data quickly: the one builder the benchmarks use.

`manage.py bench_data --tier district|city|province [--stress]` runs it (demo/management/commands/bench_data.py);
bench/suite.py times the pages on what it builds. Every tier has the same shape, so its pages can be compared:
cadres with accounts, each paired with one enterprise (valid USCCs; 1% swap enterprises mid-month last month),
the visits of every month, problems with the timeline each one lived (solved on the spot, assigned, accepted,
resolved, rated, some reopened, returned or extended; escalations), `updated_at` from the problem's last move,
one staff member per department (the first's desk the same at every tier: `_desk`), and the logins `city-lead`
(leading group), `city-office` (campaign office), `city00001`… (cadres), `city-dept001`… (department staff) at
every tier.

The rows are written with explicit ids, by PostgreSQL's COPY from an in-memory buffer, or by bulk_create on
SQLite (the district only); so they carry no history records. The sequences are moved past them afterwards and
the tables VACUUMed and ANALYZEd (as autovacuum leaves a running database). The stress set (`build_stress`) is
1,000,000 open problems, 5% of them overdue (or, with `due_soon`, half of those due soon), for the reminder scan;
it is made by `INSERT … SELECT generate_series` on PostgreSQL, and `drop_stress` removes it.
"""

import datetime
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core import kept
from core.months import last_months
from core.roles import Role
from enterprises.models import Enterprise, Kind, Origin, Sector
from enterprises.uscc import check_character
from issues.models import Action, Flow, Issue, IssueCategory, IssueEvent, Status
from notifications.models import Delivery, Notification, Reminder
from organisation.models import Cadre, Department, DepartmentStaff, Pairing
from visits import tallies
from visits.models import Visit

BATCH = 2_000
LEAD, OFFICE = "city-lead", "city-office"


@dataclass(frozen=True)
class Tier:
    pairings: int
    months: int  # of visits and of problems, up to today
    problems: int
    visits_a_month: tuple[int, ...]  # drawn at random for each pairing and month
    postgresql_only: bool


TIERS = {
    "district": Tier(139, 36, 1_000, (1, 1, 2, 2, 2, 3), postgresql_only=False),
    "city": Tier(13_900, 13, 100_000, (1, 1, 2, 2, 2, 3), postgresql_only=True),
    "province": Tier(135_000, 36, 300_000, (2,), postgresql_only=True),
}
STRESS_OPEN, STRESS_DUE_SHARE = 1_000_000, 0.05
STRESS_TITLE = "压力测试问题"  # every stress problem's, and no real problem's


def cadre_username(i: int) -> str:
    return f"city{i + 1:05d}"


def staff_username(i: int) -> str:
    return f"city-dept{i + 1:03d}"


def units_for(pairings: int) -> int:
    """Departments for a tier: 12 for a district, 120 for a city, about 1,200 for a province."""
    return max(12, pairings // 115)


class Rows:
    """Rows of one table with explicit ids, written in batches: COPY on PostgreSQL, bulk_create elsewhere.

    Columns not given take the field's default (auto_now fields: now), the same for every row.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str], chunk: int = 50_000) -> None:
        self.model, self.columns, self.chunk = model, list(columns), chunk
        self.rows: list[tuple] = []
        self.written = 0
        self.postgresql = connection.vendor == "postgresql"
        now = timezone.now()
        rest: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.attname in self.columns:
                continue
            rest[field.column] = _default(field, now)
        self.rest = rest
        column_of = {field.attname: field.column for field in model._meta.concrete_fields}
        names = [column_of[c] for c in self.columns] + list(rest)
        self.copy_sql = (
            f"COPY {model._meta.db_table} ({', '.join(connection.ops.quote_name(n) for n in names)}) FROM STDIN"
        )
        self.suffix = "".join("\t" + _text(v) for v in rest.values())

    def add(self, *values: Any) -> None:
        self.rows.append(values)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.postgresql:
            buffer = io.StringIO()
            suffix = self.suffix + "\n"
            buffer.writelines("\t".join(map(_text, row)) + suffix for row in self.rows)
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(self.copy_sql, buffer)
        else:
            model = self.model
            model._default_manager.bulk_create(
                (model(**dict(zip(self.columns, row, strict=True))) for row in self.rows), batch_size=BATCH
            )
        self.written += len(self.rows)
        self.rows = []


def _default(field: models.Field, now: datetime.datetime) -> Any:
    """The value a row gets for a field it does not give."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    value = field.get_default()
    if value is None and not field.null:
        raise ValueError(f"{field.model.__name__}.{field.name} needs a value")
    return value


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, dict | list):
        return _text(json.dumps(value, ensure_ascii=False))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(*models_: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)


def analyze() -> None:
    """Statistics for the planner, and, outside a transaction, the visibility map a running database's autovacuum
    would have set by the time it is read: without it the period's moves are read from the table's pages, not from
    their covering index alone (issues/models.py `issue_event_moves`), and the bench would time a state no
    installation stays in."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def build_people(n: int, today: datetime.date, months: int) -> None:
    """n cadres with accounts, each paired with an enterprise; departments with one staff member each; the leads."""
    password = make_password(None)  # unusable: the benchmarks log in with force_login
    groups = {role: Group.objects.get_or_create(name=role)[0].pk for role in Role}
    n_units = units_for(n)
    first_user = _next_id(User)
    users = Rows(User, ["id", "username", "first_name", "password"])
    for i in range(n):
        users.add(first_user + i, cadre_username(i), f"干部{i}", password)
    for i in range(n_units):
        users.add(first_user + n + i, staff_username(i), f"承办人{i}", password)
    users.add(first_user + n + n_units, LEAD, "领导小组", password)
    users.add(first_user + n + n_units + 1, OFFICE, "专班", password)
    users.flush()
    memberships = Rows(User.groups.through, ["id", "user_id", "group_id"])
    first = _next_id(User.groups.through)
    for i in range(n):
        memberships.add(first + i, first_user + i, groups[Role.CADRE])
    for i in range(n_units):
        memberships.add(first + n + i, first_user + n + i, groups[Role.DEPARTMENT_STAFF])
    memberships.add(first + n + n_units, first_user + n + n_units, groups[Role.LEADING_GROUP])
    memberships.add(first + n + n_units + 1, first_user + n + n_units + 1, groups[Role.CAMPAIGN_OFFICE])
    memberships.flush()

    first_unit = _next_id(Department)
    units = Rows(Department, ["id", "name"])
    for i in range(n_units):
        units.add(first_unit + i, f"基准单位{i:04d}")
    units.flush()
    staff = Rows(DepartmentStaff, ["id", "user_id", "department_id", "name"])
    first_staff = _next_id(DepartmentStaff)
    for i in range(n_units):
        staff.add(first_staff + i, first_user + n + i, first_unit + i, f"承办人{i:04d}")
    staff.flush()

    first_cadre = _next_id(Cadre)
    cadres = Rows(Cadre, ["id", "user_id", "name", "title", "unit_id"])
    for i in range(n):
        cadres.add(first_cadre + i, first_user + i, f"干部{i:06d}", "局长", first_unit + i % n_units)
    cadres.flush()
    sectors, origins = list(Sector.values), list(Origin.values)
    first_enterprise = _next_id(Enterprise)
    enterprises = Rows(Enterprise, ["id", "name", "uscc", "kind", "origin", "sector", "street"])
    for i in range(n):
        body = f"91610112{i:09d}"  # 91610111… are the test factories'
        enterprises.add(
            first_enterprise + i,
            f"基准企业{i:06d}有限公司",
            body + check_character(body),
            Kind.ENTERPRISE,
            origins[i % 2],
            sectors[i % len(sectors)],
            f"街道{i % 30:02d}",
        )
    enterprises.flush()

    spans = last_months(today, months)
    start = spans[0].first
    swap_on = spans[-2].first.replace(day=16)  # 1% of the cadres swap with a neighbour on the 16th of last month
    after = swap_on + datetime.timedelta(days=1)
    pairings = Rows(Pairing, ["id", "cadre_id", "enterprise_id", "started_on", "ended_on"])
    pk = _next_id(Pairing)
    for i in range(n):
        cadre, enterprise = first_cadre + i, first_enterprise + i
        if (i % 100 == 0 and i + 1 < n) or (i % 100 == 1):
            neighbour = enterprise + 1 if i % 100 == 0 else enterprise - 1
            pairings.add(pk, cadre, neighbour, start, swap_on)
            pairings.add(pk + 1, cadre, enterprise, after, None)
            pk += 2
        else:
            pairings.add(pk, cadre, enterprise, start, None)
            pk += 1
    pairings.flush()


def build_visits(today: datetime.date, months: int, per_month: tuple[int, ...]) -> int:
    """The visits of every pairing in each of the last `months` months, logged the evening of the visit; their tally."""
    rng = random.Random(139)
    tz = timezone.get_current_timezone()
    spans = last_months(today, months)
    visits = Rows(Visit, ["id", "pairing_id", "visited_on", "created_by_id", "created_at"], chunk=200_000)
    pk = _next_id(Visit)
    evening: dict[datetime.date, datetime.datetime] = {}
    held = Pairing.objects.values_list("pk", "started_on", "ended_on", "cadre__user_id").order_by("pk")
    for pairing_id, started_on, ended_on, user_id in held.iterator(chunk_size=10_000):
        for month in spans:
            lo, hi = max(month.first, started_on), min(month.last, ended_on or today, today)
            if lo > hi:
                continue
            days = (hi - lo).days
            for _ in range(rng.choice(per_month)):
                day = lo + datetime.timedelta(days=rng.randint(0, days))
                at = evening.get(day)
                if at is None:
                    at = evening[day] = datetime.datetime.combine(day, datetime.time(18), tzinfo=tz)
                visits.add(pk, pairing_id, day, user_id, at)
                pk += 1
    visits.flush()
    tallies.rebuild()  # set-based, as the data migration backfills it: one INSERT … SELECT
    return visits.written


def _at(day: datetime.date, rng: random.Random, tz: datetime.tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=tz)


def _life(
    rng: random.Random, reported: datetime.datetime, now: datetime.datetime, units: list[int], user: int, lead: int
):
    """The events a problem lived, its status, department, deadline and when it was resolved and closed."""
    way = rng.choices((Flow.ON_THE_SPOT, Flow.ASSIGNED, Flow.ESCALATED), (25, 60, 15))[0]
    events: list[tuple] = [(Action.REPORT, "", Status.REPORTED, None, None, None, reported, user, "")]
    status, department, deadline, when = Status.RESOLVED, None, None, reported
    resolved_at = closed_at = None
    if way == Flow.ON_THE_SPOT:
        events.append((Action.RESOLVE, Status.REPORTED, Status.RESOLVED, None, None, None, when, user, ""))
        resolved_at = when
    elif way == Flow.ESCALATED:
        events.append((Action.ESCALATE, Status.REPORTED, Status.ESCALATED, None, None, None, when, user, ""))
        status = Status.ESCALATED
    else:
        department = rng.choice(units)
        deadline = (when + datetime.timedelta(days=15)).date()
        events.append((Action.ASSIGN, Status.REPORTED, Status.ASSIGNED, None, department, deadline, when, user, ""))
        status = Status.ASSIGNED
        if rng.random() < 0.05:  # returned, then assigned elsewhere
            when += datetime.timedelta(days=1)
            events.append((Action.RETURN, Status.ASSIGNED, Status.REPORTED, department, None, None, when, lead, ""))
            department, deadline = rng.choice(units), (when + datetime.timedelta(days=15)).date()
            events.append((Action.ASSIGN, Status.REPORTED, Status.ASSIGNED, None, department, deadline, when, user, ""))
        accepted = when + datetime.timedelta(days=rng.randint(0, 3))
        if accepted < now:
            when, status = accepted, Status.IN_PROGRESS
            step: tuple[Any, ...] = (
                Action.ACCEPT,
                Status.ASSIGNED,
                Status.IN_PROGRESS,
                department,
                department,
                deadline,
                when,
                lead,
            )
            events.append((*step, ""))
            if rng.random() < 0.05:
                deadline = deadline + datetime.timedelta(days=10)
                step = (Action.DECIDE_EXTENSION, status, status, department, department, deadline, when, lead)
                events.append((*step, "extension_approved"))
            replied = when + datetime.timedelta(days=rng.randint(2, 25))
            if replied < now:
                when, status, resolved_at = replied, Status.RESOLVED, replied
                step = (Action.RESOLVE, Status.IN_PROGRESS, Status.RESOLVED, department, department, deadline, when)
                events.append((*step, lead, ""))
    if status == Status.RESOLVED:
        rated = when + datetime.timedelta(days=rng.randint(1, 10))
        if rated < now:
            if rng.random() < 0.08:
                events.append(
                    (Action.REOPEN, Status.RESOLVED, Status.REOPENED, department, None, None, rated, user, "")
                )
                status, department, deadline, resolved_at = Status.REOPENED, None, None, None
            else:
                step = (Action.CLOSE, Status.RESOLVED, Status.CLOSED, department, department, deadline, rated, user)
                events.append((*step, ""))
                status, closed_at = Status.CLOSED, rated
    return way, events, status, department, deadline, resolved_at, closed_at


# The first department's desk, the same at every tier (`_desk`): so many problems of each kind its inbox's tabs list.
DESK_EACH = 6
DESK_KINDS = {"new": 15, "on_track": 20, "due_soon": 1, "overdue": -2, "resolved": 10}  # each with its deadline's days
# And what it handed on (returned, then assigned to the second department): its inbox's "handled before" tab, a
# full page of it (issues/views.py PAGE_SIZE) at every tier.
DESK_HANDED_ON = 25
DESK = len(DESK_KINDS) * DESK_EACH + DESK_HANDED_ON  # problems on it, beyond a tier's `problems`


def _desk(now: datetime.datetime, unit: int, user: int, lead: int, other: int) -> list[tuple]:
    """The first department's desk (its staff member is the bench's department user), the same at every tier: new,
    in progress on track, due soon and overdue, and resolved, `DESK_EACH` of each, and `DESK_HANDED_ON` it
    returned (then assigned to `other`), reported by the first cadre in the last days. Without it a district's
    department holds what chance left open (the district's first held nothing), and its pages compared an empty
    list with a city's full one. Each as `_life` returns it; `user` (the cadre's account) reports and assigns."""
    today = timezone.localdate(now)
    lives: list[tuple] = []
    for i in range(DESK_HANDED_ON):
        reported = now - datetime.timedelta(days=4, hours=i + 1)
        returned, deadline = reported + datetime.timedelta(hours=1), today + datetime.timedelta(days=15)
        handed = [
            (Action.REPORT, "", Status.REPORTED, None, None, None, reported, user, ""),
            (Action.ASSIGN, Status.REPORTED, Status.ASSIGNED, None, unit, deadline, reported, user, ""),
            (Action.RETURN, Status.ASSIGNED, Status.REPORTED, unit, None, None, returned, lead, ""),
            (Action.ASSIGN, Status.REPORTED, Status.ASSIGNED, None, other, deadline, returned, user, ""),
        ]
        lives.append((Flow.ASSIGNED, handed, Status.ASSIGNED, other, deadline, None, None))
    for kind, due in DESK_KINDS.items():
        for i in range(DESK_EACH):
            reported = now - datetime.timedelta(days=3, hours=i + 1)
            deadline = today + datetime.timedelta(days=due)
            assigned = (Action.ASSIGN, Status.REPORTED, Status.ASSIGNED, None, unit, deadline, reported, user, "")
            events: list[tuple] = [(Action.REPORT, "", Status.REPORTED, None, None, None, reported, user, ""), assigned]
            status, resolved_at = Status.ASSIGNED, None
            if kind != "new":
                accepted = reported + datetime.timedelta(hours=1)
                step = (Action.ACCEPT, Status.ASSIGNED, Status.IN_PROGRESS, unit, unit, deadline, accepted, lead, "")
                events.append(step)
                status = Status.IN_PROGRESS
            if kind == "resolved":
                resolved_at = reported + datetime.timedelta(days=1)
                done = (Status.IN_PROGRESS, Status.RESOLVED, unit, unit, deadline, resolved_at, lead, "")
                events.append((Action.RESOLVE, *done))
                status = Status.RESOLVED
            lives.append((Flow.ASSIGNED, events, status, unit, deadline, resolved_at, None))
    return lives


def build_problems(count: int, today: datetime.date, months: int) -> int:
    """`count` problems over the last `months` months, each with its timeline, and the first department's desk
    (`_desk`); return the events written."""
    rng = random.Random(13)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    lead = User.objects.get(username=LEAD).pk
    units = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    categories = list(IssueCategory.objects.order_by("pk").values_list("pk", flat=True))
    held = list(
        Pairing.objects.filter(ended_on__isnull=True)
        .order_by("pk")
        .values_list("enterprise_id", "cadre_id", "cadre__user_id")
    )
    start = last_months(today, months)[0].first
    span = (today - start).days
    desk_enterprise, desk_cadre, desk_user = (
        Pairing.objects.filter(ended_on__isnull=True, cadre__user__username=cadre_username(0))
        .values_list("enterprise_id", "cadre_id", "cadre__user_id")
        .get()
    )
    issues = Rows(
        Issue,
        [
            "id", "enterprise_id", "reporter_id", "title", "category_id", "flow", "status", "department_id",
            "responsible_person", "deadline", "created_at", "updated_at", "resolved_at", "closed_at",
        ],
    )  # fmt: skip
    events = Rows(
        IssueEvent,
        [
            "id", "issue_id", "action", "from_status", "to_status", "from_department_id", "department_id",
            "deadline", "created_at", "actor_id", "kind", "flow",
        ],
    )  # fmt: skip
    issue_pk, event_pk = _next_id(Issue), _next_id(IssueEvent)
    first_issue = issue_pk

    def write(enterprise_id: int, cadre_id: int, category: int, lived: tuple) -> None:
        """A problem and its timeline, as `_life` (or `_desk`) gives them; reported at its first event."""
        nonlocal issue_pk, event_pk
        way, life, status, department, deadline, resolved_at, closed_at = lived
        reported, last_move = life[0][6], max(event[6] for event in life)
        issues.add(
            issue_pk, enterprise_id, cadre_id, "基准问题", category, way, status, department,
            "经办人" if department else "", deadline, reported, last_move, resolved_at, closed_at,
        )  # fmt: skip
        for action, from_status, to_status, from_department, department_id, due, when, actor, kind in life:
            events.add(
                event_pk, issue_pk, action, from_status, to_status, from_department, department_id, due, when,
                actor, kind, way,
            )  # fmt: skip
            event_pk += 1
        issue_pk += 1

    for _ in range(count):
        enterprise_id, cadre_id, user_id = rng.choice(held)
        reported = _at(start + datetime.timedelta(days=rng.randint(0, span)), rng, tz)
        lived = _life(rng, reported, now, units, user_id, lead)
        write(enterprise_id, cadre_id, rng.choice(categories), lived)
        if len(issues.rows) >= 20_000:  # the problems before their events (the foreign key)
            issues.flush()
            events.flush()
    for lived in _desk(now, units[0], desk_user, lead, units[-1]):
        write(desk_enterprise, desk_cadre, categories[0], lived)
    issues.flush()
    events.flush()
    if connection.vendor != "postgresql":  # bulk_create stamps auto_now's `updated_at` now: the last move's, then
        last_move = IssueEvent.objects.filter(issue=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
        Issue.objects.filter(pk__gte=first_issue).update(updated_at=Subquery(last_move))
    return events.written


def build(tier: Tier, today: datetime.date | None = None) -> dict[str, float]:
    """Build a tier into an empty database; return the seconds each part took."""
    import time

    today = today or timezone.localdate()
    took: dict[str, float] = {}
    with transaction.atomic():
        started = time.perf_counter()
        build_people(tier.pairings, today, tier.months)
        took["people"] = time.perf_counter() - started
        started = time.perf_counter()
        build_visits(today, tier.months, tier.visits_a_month)
        took["visits"] = time.perf_counter() - started
        started = time.perf_counter()
        build_problems(tier.problems, today, tier.months)
        took["problems"] = time.perf_counter() - started
        _reset_sequences(User, User.groups.through, Department, DepartmentStaff, Cadre, Enterprise, Pairing)
        _reset_sequences(Visit, Issue, IssueEvent)
        kept.touch_every_family()  # COPY sends no signal: every kept figure is counted again
    started = time.perf_counter()
    analyze()
    took["analyze"] = time.perf_counter() - started
    return took


def _insert_select(model: type[models.Model], given: dict[str, str], source: str, params: dict[str, Any]) -> str:
    """`INSERT … SELECT` every column of the model: the expressions given, the field's default for the rest."""
    now = timezone.now()
    columns, values = [], []
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in given:
            values.append(given[field.attname])
        else:
            key = f"default_{model._meta.model_name}_{field.column}"
            params[key] = field.get_db_prep_save(_default(field, now), connection)
            values.append(f"%({key})s")
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} {source}"


def build_stress(
    open_problems: int = STRESS_OPEN, due_share: float = STRESS_DUE_SHARE, *, due_soon: bool = False
) -> int:
    """Add `open_problems` problems in progress with departments, `due_share` of them due; PostgreSQL only.

    Each has its assignment event and the title STRESS_TITLE (how `drop_stress` finds them). Every
    1/due_share-th problem is due: overdue by 3 days (`make bench`'s set), or with `due_soon` alternately
    due today or tomorrow (a due-soon reminder) and overdue by 1 to 20 days (some past the leading group's
    threshold), so that bench/stress_scan.py times every kind of problem reminder. The rest are due in 60
    days. Return the number of problems due.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The stress set is built on PostgreSQL only.")
    today = timezone.localdate()
    every = max(1, round(1 / due_share)) if due_share else 0
    lead = User.objects.get(username=LEAD).pk
    first_issue, first_event = _next_id(Issue), _next_id(IssueEvent)
    params: dict[str, Any] = {
        "first": first_issue,
        "first_event": first_event,
        "every": every,
        "today": today,
        "n": open_problems,
        "lead": lead,
        "title": STRESS_TITLE,
        "due_soon": due_soon,
    }
    # k = g / every numbers the due problems: the even ones due soon, the odd ones overdue (with due_soon).
    due = """CASE
        WHEN NOT %(due_soon)s THEN %(today)s::date - 3
        WHEN (g / %(every)s) %% 2 = 0 THEN %(today)s::date + (g / %(every)s / 2) %% 2
        ELSE %(today)s::date - 1 - (g / %(every)s / 2) %% 20
    END"""
    issues = _insert_select(
        Issue,
        {
            "id": "%(first)s + g",
            "enterprise_id": "held.e[1 + g %% cardinality(held.e)]",
            "reporter_id": "held.c[1 + g %% cardinality(held.c)]",
            "title": "%(title)s",
            "category_id": "cats.id",
            "flow": f"'{Flow.ASSIGNED}'",
            "status": f"'{Status.IN_PROGRESS}'",
            "department_id": "units.ids[1 + g %% cardinality(units.ids)]",
            "responsible_person": "'经办人'",
            "deadline": f"CASE WHEN %(every)s > 0 AND g %% GREATEST(%(every)s, 1) = 0 "
            f"THEN {due} ELSE %(today)s::date + 60 END",
            "created_at": "now() - interval '20 days'",
            "updated_at": "now() - interval '19 days'",
        },
        """FROM generate_series(0, %(n)s - 1) AS g,
            (SELECT array_agg(id ORDER BY id) AS ids FROM organisation_department) AS units,
            (SELECT array_agg(enterprise_id ORDER BY id) AS e, array_agg(cadre_id ORDER BY id) AS c
             FROM organisation_pairing WHERE ended_on IS NULL) AS held,
            (SELECT min(id) AS id FROM issues_issuecategory) AS cats""",
        params,
    )
    events = _insert_select(
        IssueEvent,
        {
            "id": "%(first_event)s + (i.id - %(first)s)",
            "issue_id": "i.id",
            "actor_id": "%(lead)s",
            "action": f"'{Action.ASSIGN}'",
            "from_status": f"'{Status.REPORTED}'",
            "to_status": f"'{Status.ASSIGNED}'",
            "department_id": "i.department_id",
            "flow": "i.flow",
            "deadline": "i.deadline",
            "created_at": "i.created_at",
        },
        f"FROM {Issue._meta.db_table} i WHERE i.id >= %(first)s",
        params,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(issues, params)
        cursor.execute(events, params)
        _reset_sequences(Issue, IssueEvent)
        kept.touch("problems", None)  # raw inserts: no signal (issues/kept.py)
    analyze()
    return len(range(0, open_problems, every)) if every else 0


def drop_stress() -> int:
    """Remove the stress problems, their events and the reminders about them; return how many problems."""
    # Raw deletes: the ORM's would first read a million problems to cascade in Python. The SQL is built from
    # the models' own table names only; the one value is a parameter.
    issues, events = Issue._meta.db_table, IssueEvent._meta.db_table
    problems = f"SELECT id FROM {issues} WHERE title = %(title)s"  # nosec B608
    reminders = f"SELECT id FROM {Reminder._meta.db_table} WHERE kind LIKE 'issue%%' AND object_id IN ({problems})"  # nosec B608
    statements = [
        f"DELETE FROM {Delivery._meta.db_table} WHERE reminder_id IN ({reminders})",  # nosec B608
        f"DELETE FROM {Notification._meta.db_table} WHERE reminder_id IN ({reminders})",  # nosec B608
        f"DELETE FROM {Reminder._meta.db_table} WHERE id IN ({reminders})",  # nosec B608
        f"DELETE FROM {events} WHERE issue_id IN ({problems})",  # nosec B608
        f"DELETE FROM {issues} WHERE id IN ({problems})",  # nosec B608
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, {"title": STRESS_TITLE})
        dropped = cursor.rowcount  # the last statement's: the problems
        kept.touch("problems", None)  # raw deletes: no signal (issues/kept.py)
    analyze()
    return dropped


def counts() -> dict[str, int]:
    """The sizes of what was built, for the report."""
    return {
        "cadres": Cadre.objects.count(),
        "pairings": Pairing.objects.count(),
        "departments": Department.objects.count(),
        "visits": Visit.objects.count(),
        "problems": Issue.objects.count(),
        "timeline events": IssueEvent.objects.count(),
    }


def has_data() -> bool:
    return Pairing.objects.exists() or Issue.objects.exists()
