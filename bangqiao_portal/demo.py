"""The demo district: 139 fictional cadres paired one to one with 139 fictional enterprises.

`seed_demo()` is idempotent: everything is looked up by a natural key first, and
visits and problems are only generated while the district has none, so running
it again changes nothing.
"""

import calendar
import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from bangqiao_portal import demo_data as data
from bangqiao_portal.roles import Role
from cadres.models import Cadre, Department, DepartmentStaff, Pairing, Visit
from enterprises.models import Enterprise, Kind, Origin, Sector
from enterprises.uscc import CHARSET, check_character
from issues.models import Flow, Issue, IssueCategory, IssueEvent, Status

DEMO_PASSWORD = "Baqiao@2026"
CITY_COUNT = 63  # 市上确定的帮扶企业
DISTRICT_COUNT = 76  # 区里选取的企业和项目
TOTAL = CITY_COUNT + DISTRICT_COUNT
SWAPPED = (4, 5)  # two cadres who traded enterprises mid-campaign, so pairings have history

# One demo login for each role; README lists the same.
DEMO_LOGINS = [
    (Role.CADRE, "ganbu001"),
    (Role.DEPARTMENT_STAFF, "bumen01"),
    (Role.LEADING_GROUP, "lingdao01"),
    (Role.CAMPAIGN_OFFICE, "admin"),
]


@dataclass
class SeedResult:
    created: dict[str, int]

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def campaign_start(today: datetime.date) -> datetime.date:
    """Return the mobilisation meeting's date (17 June) at least four months before today."""
    start = datetime.date(today.year, 6, 17)
    return start if (today - start).days >= 120 else datetime.date(today.year - 1, 6, 17)


def _person_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)
        if name not in used:
            used.add(name)
            return name


def _uscc(rng: random.Random) -> str:
    # 9 = registered by market regulation, 1 = enterprise, 610111 = Baqiao's area code.
    body = "91610111" + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + check_character(body)


class _Seeder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.rng = random.Random(20260617)
        self.created = {"users": 0, "departments": 0, "cadres": 0, "enterprises": 0, "pairings": 0}
        self.password = make_password(DEMO_PASSWORD)  # hashed once: hashing 300 times is slow
        self.groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
        self.names: set[str] = set()

    def user(self, username: str, full_name: str, role: str, **extra) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "password": self.password, **extra}
        )
        if created:
            self.created["users"] += 1
            user.groups.add(self.groups[role])
        return user

    def departments(self) -> tuple[list[Department], list[Department]]:
        depts, streets = [], []
        for name in data.DEPARTMENTS:
            dept, created = Department.objects.get_or_create(name=name, defaults={"kind": Department.Kind.DEPARTMENT})
            self.created["departments"] += created
            depts.append(dept)
        for name in data.STREETS:
            dept, created = Department.objects.get_or_create(
                name=f"{name}办事处", defaults={"kind": Department.Kind.STREET}
            )
            self.created["departments"] += created
            streets.append(dept)
        return depts, streets

    def staff(self, depts: list[Department]) -> dict[int, User]:
        first_staff = {}
        for i, dept in enumerate(depts, start=1):
            name = _person_name(self.rng, self.names)
            user = self.user(f"bumen{i:02d}", name, Role.DEPARTMENT_STAFF)
            DepartmentStaff.objects.get_or_create(user=user, defaults={"department": dept, "name": name})
            first_staff[dept.pk] = user
        return first_staff

    def leading_group(self) -> list[User]:
        return [
            self.user(f"lingdao{i:02d}", _person_name(self.rng, self.names), Role.LEADING_GROUP) for i in range(1, 6)
        ]

    def office(self) -> User:
        admin = self.user("admin", "活动办公室", Role.CAMPAIGN_OFFICE, is_staff=True, is_superuser=True)
        self.user("bangongshi", _person_name(self.rng, self.names), Role.CAMPAIGN_OFFICE, is_staff=True)
        return admin

    def cadres(self, depts: list[Department], streets: list[Department]) -> list[Cadre]:
        cadres = []
        units = depts + streets
        for i in range(TOTAL):
            name = _person_name(self.rng, self.names)
            if i < len(data.DISTRICT_TITLES):
                rank, title, unit = Cadre.Rank.DISTRICT_LEADER, data.DISTRICT_TITLES[i], None
            else:
                unit = units[i % len(units)]
                rank = Cadre.Rank.DEPARTMENT_LEADER
                post = "主任" if unit.kind == Department.Kind.STREET else self.rng.choice(["局长", "副局长", "副主任"])
                title = f"{unit.name}{post}"
            user = self.user(f"ganbu{i + 1:03d}", name, Role.CADRE)
            cadre, created = Cadre.objects.get_or_create(
                user=user, defaults={"name": name, "title": title, "rank": rank, "unit": unit, "phone": self._phone()}
            )
            self.created["cadres"] += created
            cadres.append(cadre)
        return cadres

    def _phone(self) -> str:
        return "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def enterprises(self) -> list[Enterprise]:
        sectors = list(Sector.values)
        enterprises, used = [], set()
        for i in range(TOTAL):
            origin = Origin.CITY if i < CITY_COUNT else Origin.DISTRICT
            sector = sectors[i % len(sectors)]
            # Only the district's own selection includes projects still being built.
            is_project = origin == Origin.DISTRICT and i % 5 == 0
            while True:
                prefix = self.rng.choice(data.NAME_PREFIXES)
                if is_project:
                    name = f"{prefix}{self.rng.choice(data.PROJECT_CORES[sector])}"
                else:
                    suffix = self.rng.choice(["有限公司", "有限公司", "股份有限公司"])
                    name = f"西安{prefix}{self.rng.choice(data.SECTOR_CORES[sector])}{suffix}"
                if name not in used:
                    used.add(name)
                    break
            enterprise, created = Enterprise.objects.get_or_create(
                name=name,
                defaults={
                    "kind": Kind.PROJECT if is_project else Kind.ENTERPRISE,
                    "uscc": None if is_project else _uscc(self.rng),
                    "origin": origin,
                    "sector": sector,
                    "street": data.STREETS[i % len(data.STREETS)],
                    "address": f"西安市灞桥区{data.STREETS[i % len(data.STREETS)]}{self.rng.randint(1, 299)}号",
                    "contact_person": _person_name(self.rng, self.names),
                    "phone": self._phone(),
                },
            )
            self.created["enterprises"] += created
            enterprises.append(enterprise)
        return enterprises

    def pairings(self, cadres: list[Cadre], enterprises: list[Enterprise]) -> list[Pairing]:
        start = campaign_start(self.today)
        swap_on = datetime.date(self.today.year, self.today.month, 1) - datetime.timedelta(days=45)
        swap_on = swap_on.replace(day=1)
        active = []
        for i, (cadre, enterprise) in enumerate(zip(cadres, enterprises, strict=True)):
            if i in SWAPPED:
                continue
            pairing, created = Pairing.objects.get_or_create(
                cadre=cadre, enterprise=enterprise, defaults={"started_on": start}
            )
            self.created["pairings"] += created
            active.append(pairing)
        a, b = SWAPPED
        # The two swapped cadres each served the other's enterprise first.
        for old_c, new_c, enterprise in (
            (cadres[b], cadres[a], enterprises[a]),
            (cadres[a], cadres[b], enterprises[b]),
        ):
            _, created = Pairing.objects.get_or_create(
                cadre=old_c,
                enterprise=enterprise,
                defaults={"started_on": start, "ended_on": swap_on - datetime.timedelta(days=1)},
            )
            self.created["pairings"] += created
            pairing, created = Pairing.objects.get_or_create(
                cadre=new_c, enterprise=enterprise, defaults={"started_on": swap_on}
            )
            self.created["pairings"] += created
            active.append(pairing)
        return active

    def visits(self) -> int:
        """Three months of visits: most pairings keep the two-a-month rule, some do not."""
        if Visit.objects.exists():
            return 0
        first = (self.today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
        visits = []
        for pairing in Pairing.objects.select_related("cadre").order_by("pk"):
            habit = self.rng.random()
            month = first
            while month <= self.today:
                last_day = calendar.monthrange(month.year, month.month)[1]
                lo = max(month, pairing.started_on)
                hi = min(month.replace(day=last_day), pairing.ended_on or self.today, self.today)
                if lo <= hi:
                    count = 0 if habit < 0.04 else 1 if habit < 0.12 else self.rng.randint(2, 4)
                    for _ in range(count):
                        day = lo + datetime.timedelta(days=self.rng.randint(0, (hi - lo).days))
                        visits.append(self._visit(pairing, day))
                month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        Visit.objects.bulk_create(visits)
        return len(visits)

    def _visit(self, pairing: Pairing, day: datetime.date) -> Visit:
        mode = self.rng.choices(list(Visit.Mode.values), weights=[8, 2, 3, 1, 1, 2])[0]
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(self.rng.randint(9, 17), 0)))
        return Visit(
            pairing=pairing,
            visited_on=day,
            mode=mode,
            operations=self.rng.choice(data.OPERATIONS),
            opinions=self.rng.choice(data.OPINIONS),
            summary=f"{Visit.Mode(mode).label}：{self.rng.choice(data.OPERATIONS)}",
            created_by_id=pairing.cadre.user_id,
            created_at=at,
        )

    def issues(
        self, active: list[Pairing], depts: list[Department], staff: dict[int, User], leaders: list[User]
    ) -> int:
        """Problems in all three flows and several states; some overdue, some due within days."""
        if Issue.objects.exists():
            return 0
        categories = list(IssueCategory.objects.all())
        chosen = self.rng.sample(active, 48)
        plans = (
            [("spot", None)] * 10
            + [("assigned", -self.rng.randint(2, 20)) for _ in range(6)]  # overdue
            + [("assigned", self.rng.randint(0, 3)) for _ in range(4)]  # due soon
            + [("assigned", self.rng.randint(6, 30)) for _ in range(10)]
            + [("escalated", None)] * 6
            + [("supervised", self.rng.randint(-3, 25)) for _ in range(4)]
            + [("resolved", None)] * 5
            + [("returned", None)] * 3
        )
        for pairing, (plan, due_in) in zip(chosen, plans, strict=True):
            self._issue(pairing, plan, due_in, categories, depts, staff, leaders)
        return len(plans)

    def _issue(self, pairing, plan, due_in, categories, depts, staff, leaders) -> None:
        category = self.rng.choice(categories)
        reporter = pairing.cadre
        reported_at = timezone.now() - datetime.timedelta(days=self.rng.randint(10, 40), hours=self.rng.randint(0, 8))
        issue = Issue(
            enterprise=pairing.enterprise,
            reporter=reporter,
            category=category,
            title=self.rng.choice(data.ISSUE_TITLES[category.code]),
            description="企业在走访中反映，需相关部门协调解决。",
            created_at=reported_at,
        )
        dept = self.rng.choice(depts)
        steps: list[tuple[User, str, str, str, Department | None]] = []  # actor, from, to, note, dept
        if plan == "spot":
            issue.flow, issue.status = Flow.ON_THE_SPOT, Status.RESOLVED
            issue.resolution = "现场协调相关部门，当场答复并解决。"
            issue.resolved_at = reported_at
            steps.append((reporter.user, "", Status.RESOLVED, issue.resolution, None))
        elif plan in ("assigned", "resolved", "returned"):
            issue.flow = Flow.ASSIGNED
            issue.department, issue.responsible_person = dept, staff[dept.pk].first_name
            issue.deadline = self.today + datetime.timedelta(days=due_in if due_in is not None else -3)
            steps.append((reporter.user, "", Status.ASSIGNED, "交办责任单位，按时间表推进。", dept))
            if plan == "returned":
                issue.status, issue.department, issue.deadline, issue.responsible_person = (
                    Status.REPORTED,
                    None,
                    None,
                    "",
                )
                steps.append(
                    (staff[dept.pk], Status.ASSIGNED, Status.REPORTED, "不属于本单位职责范围，退回重新分办。", None)
                )
            elif plan == "resolved" or self.rng.random() < 0.6:
                issue.status = Status.IN_PROGRESS
                steps.append((staff[dept.pk], Status.ASSIGNED, Status.IN_PROGRESS, "已接收，正在办理。", dept))
                if plan == "resolved":
                    issue.status, issue.resolution = Status.RESOLVED, "已办结，答复企业。"
                    issue.resolved_at = timezone.now() - datetime.timedelta(days=self.rng.randint(1, 5))
                    steps.append((staff[dept.pk], Status.IN_PROGRESS, Status.RESOLVED, issue.resolution, dept))
            else:
                issue.status = Status.ASSIGNED
        else:  # escalated, and escalations the leading group already assigned with supervision
            issue.flow, issue.status = Flow.ESCALATED, Status.ESCALATED
            steps.append((reporter.user, "", Status.ESCALATED, "涉及多家企业的共性问题，上报领导小组研究。", None))
            if plan == "supervised":
                issue.status, issue.department, issue.supervised = Status.IN_PROGRESS, dept, True
                issue.responsible_person = staff[dept.pk].first_name
                issue.deadline = self.today + datetime.timedelta(days=due_in)
                steps.append(
                    (
                        self.rng.choice(leaders),
                        Status.ESCALATED,
                        Status.ASSIGNED,
                        "领导小组研究决定，交办并督办。",
                        dept,
                    )
                )
                steps.append((staff[dept.pk], Status.ASSIGNED, Status.IN_PROGRESS, "已接收，正在办理。", dept))
        issue.save()
        IssueEvent.objects.bulk_create(
            IssueEvent(
                issue=issue,
                actor=actor,
                from_status=from_status,
                to_status=to_status,
                note=note,
                department=department,
                created_at=reported_at + datetime.timedelta(hours=n),
            )
            for n, (actor, from_status, to_status, note, department) in enumerate(steps)
        )


@transaction.atomic
def seed_demo(today: datetime.date | None = None) -> SeedResult:
    """Create the demo district, or leave it as it is where it exists already."""
    seeder = _Seeder(today or timezone.localdate())
    depts, streets = seeder.departments()
    staff = seeder.staff(depts)
    leaders = seeder.leading_group()
    seeder.office()
    cadres = seeder.cadres(depts, streets)
    enterprises = seeder.enterprises()
    active = seeder.pairings(cadres, enterprises)
    seeder.created["visits"] = seeder.visits()
    seeder.created["issues"] = seeder.issues(active, depts, staff, leaders)
    return SeedResult(created=seeder.created)
