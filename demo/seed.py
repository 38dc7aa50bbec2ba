"""The demo district: 139 fictional cadres paired one to one with 139 fictional enterprises.

`seed_demo()` is idempotent: everything is looked up by a natural key first, and
visits and problems are only generated while the district has none, so running
it again changes nothing.
"""

import calendar
import datetime
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from core import kept_receivers
from core.roles import Role
from demo import data
from demo.proof import seed_proof
from demo.supervision import People, seed_supervision
from demo.voice import seed_voice
from enterprises.models import Enterprise, Kind, Origin, Sector
from enterprises.uscc import CHARSET, check_character
from issues.models import Action, DayCount, Issue, IssueCategory
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    LinkPayload,
    MovePayload,
    ProgressPayload,
    ResolvePayload,
    ReturnPayload,
)
from issues.services import issue_report, issue_transition, matter_create
from organisation.models import Cadre, Department, DepartmentStaff, Pairing
from visits import reach, tallies
from visits.models import Errand, Policy, PolicySector, Visit
from visits.services import errand_advance, errand_open

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

DEMO_PASSWORD = "Baqiao@2026"  # nosec B105 # the demo district's published password
CITY_COUNT = 63  # 市上确定的帮扶企业
DISTRICT_COUNT = 76  # 区里选取的企业和项目
TOTAL = CITY_COUNT + DISTRICT_COUNT
SWAPPED = (4, 5)  # two cadres who traded enterprises mid-campaign, so pairings have history

LEADERS = 5


@dataclass(frozen=True)
class DemoLogin:
    """A range of demo logins of one role: `first` to `last`, numbered alike (ganbu001 … ganbu139), and a note."""

    role: str
    first: str
    last: str
    note: "StrPromise | str" = ""

    def usernames(self) -> list[str]:
        """Every login of the range, from first to last."""
        prefix = self.first.rstrip("0123456789")
        if self.first == self.last or not self.first[len(prefix) :]:
            return [self.first]
        start, end, width = int(self.first[len(prefix) :]), int(self.last[len(prefix) :]), len(self.first) - len(prefix)
        return [f"{prefix}{n:0{width}d}" for n in range(start, end + 1)]


# The demo logins: `manage.py demo_logins` and `seed_demo` print them (`make run` shows them), README lists them.
# A test holds this list to the accounts the seed makes, so neither can drift from the other.
DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(Role.CADRE, "ganbu001", f"ganbu{TOTAL:03d}"),
    DemoLogin(Role.DEPARTMENT_STAFF, "bumen01", f"bumen{len(data.DEPARTMENTS):02d}", Department.Kind.DEPARTMENT.label),
    DemoLogin(Role.DEPARTMENT_STAFF, "jiedao01", f"jiedao{len(data.STREETS):02d}", Department.Kind.STREET.label),
    DemoLogin(Role.LEADING_GROUP, "lingdao01", f"lingdao{LEADERS:02d}"),
    DemoLogin(Role.CAMPAIGN_OFFICE, "admin", "admin", gettext_lazy("superuser")),
    DemoLogin(
        Role.CAMPAIGN_OFFICE,
        "bangongshi",
        "bangongshi",
        gettext_lazy("the office's clerk: the administration pages, within the portal's roles"),
    ),
]


def demo_login_lines() -> list[str]:
    """The demo logins as `make run` prints them, in the active language: the password, then one line a range."""
    lines = [gettext("Demo logins (the password of every one is %(password)s):") % {"password": DEMO_PASSWORD}]
    for login in DEMO_LOGINS:
        values = {
            "role": Role(login.role).label,
            "logins": login.first if login.first == login.last else f"{login.first} … {login.last}",
            "note": login.note,
        }
        line = gettext("%(role)s: %(logins)s (%(note)s)") if login.note else gettext("%(role)s: %(logins)s")
        lines.append("  " + line % values)
    return lines


@dataclass
class SeedResult:
    created: dict[str, int]

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def _month_start(day: datetime.date, back: int) -> datetime.date:
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1)


def campaign_start(today: datetime.date) -> datetime.date:
    """The demo's pairings start on the first day of the month two months back: three months of service."""
    return _month_start(today, 2)


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
        self.rng = random.Random(20260617)  # nosec B311 # a repeatable demo, not security
        self.visit_rng = random.Random(20260618)  # nosec B311 # the visits' own: see visits()
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

    def staff(self, depts: list[Department], prefix: str = "bumen") -> dict[int, User]:
        """One staff account for each unit, so that every unit offered for a problem can accept it."""
        first_staff = {}
        for i, dept in enumerate(depts, start=1):
            name = _person_name(self.rng, self.names)
            user = self.user(f"{prefix}{i:02d}", name, Role.DEPARTMENT_STAFF)
            DepartmentStaff.objects.get_or_create(user=user, defaults={"department": dept, "name": name})
            first_staff[dept.pk] = user
        return first_staff

    def leading_group(self) -> list[User]:
        return [
            self.user(f"lingdao{i:02d}", _person_name(self.rng, self.names), Role.LEADING_GROUP)
            for i in range(1, LEADERS + 1)
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
                user=user,
                # The mobile is the key the office's lists carry (干部手机), so the demo's export re-imports by it.
                defaults={"name": name, "title": title, "rank": rank, "unit": unit, "mobile": self._phone()},
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
        # Mid-month last month, so each cadre is judged on their part of that month.
        swap_on = _month_start(self.today, 1).replace(day=16)
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

    def policies(self) -> list[Policy]:
        policies = []
        for n, (title, level, body, sectors) in enumerate(data.POLICIES):
            policy, created = Policy.objects.get_or_create(
                title=title,
                defaults={
                    "level": level,
                    "issuing_body": body,
                    "summary": f"{title}的主要内容、适用对象、申报条件和办理流程。",
                    "published_on": datetime.date(self.today.year, 1, 1) + datetime.timedelta(days=17 * n),
                },
            )
            if created:
                PolicySector.objects.bulk_create(PolicySector(policy=policy, sector=s) for s in sectors)
            policies.append(policy)
        return policies

    def visit_policies(self, policies: list[Policy]) -> None:
        """Policies explained in about a third of the visits, those of the enterprise's sector."""
        if Visit.policies.through.objects.exists():
            return
        by_sector: dict[str, list[Policy]] = {}
        for policy in policies:
            for sector in policy.sector_codes:
                by_sector.setdefault(sector, []).append(policy)
        links = []
        for visit in Visit.objects.select_related("pairing__enterprise").order_by("pk"):
            candidates = by_sector.get(visit.pairing.enterprise.sector, [])
            if candidates and self.rng.random() < 0.35:
                links.append(Visit.policies.through(visit_id=visit.pk, policy_id=self.rng.choice(candidates).pk))
        Visit.policies.through.objects.bulk_create(links)
        reach.rebuild()  # bulk_create bypasses the services that keep the policies' reach

    def errands(self, active: list[Pairing]) -> int:
        """Approval errands at every stage; a few have not moved for weeks."""
        if Errand.objects.exists():
            return 0
        stale_days = settings.CAMPAIGN_ERRAND_STALE_DAYS
        for n, pairing in enumerate(self.rng.sample(active, 24)):
            matter, department = self.rng.choice(data.ERRAND_MATTERS)
            # Opened 10 to 50 days ago, but never before the pairing began (a pairing swapped last month is younger).
            age = (self.today - pairing.started_on).days
            started = self.rng.randint(min(10, age), min(50, age))
            opened_at = timezone.now() - datetime.timedelta(days=started)
            errand = errand_open(
                actor=pairing.cadre.user,
                pairing=pairing,
                matter=f"代办{matter}",
                approving_department=department,
                mode=Errand.Mode.ACCOMPANY if n % 4 == 0 else Errand.Mode.AGENT,
                on=timezone.localdate(opened_at),
                note="材料已齐全，送审。",
                now=opened_at,
            )
            # A quarter stays where it started, long enough to be flagged as not moving.
            last_stage = 1 if n % 4 == 1 and started > stale_days else self.rng.randint(1, 4)
            for stage in range(2, last_stage + 1):
                at = opened_at + datetime.timedelta(days=(stage - 1) * started // 4)
                errand_advance(
                    actor=pairing.cadre.user,
                    errand=errand,
                    stage=stage,
                    on=timezone.localdate(at),
                    note=str(Errand.Stage(stage).label),
                    result="审批结果已送达企业。" if stage == Errand.Stage.DELIVERED else "",
                    now=at,
                )
        return 24

    def visits(self) -> int:
        """Three months of visits: most pairings keep the two-a-month rule, some do not."""
        if Visit.objects.exists():
            return 0
        first = campaign_start(self.today)
        visits = []
        # Visits draw from their own generator: how many there are depends on today's date, and the
        # errands and problems drawn after them should not (the same cadres have them whatever the day).
        rng = self.visit_rng
        for pairing in Pairing.objects.select_related("cadre").order_by("pk"):
            habit = rng.random()
            month = first
            while month <= self.today:
                last_day = calendar.monthrange(month.year, month.month)[1]
                lo = max(month, pairing.started_on)
                hi = min(month.replace(day=last_day), pairing.ended_on or self.today, self.today)
                if lo <= hi:
                    count = 0 if habit < 0.04 else 1 if habit < 0.12 else rng.randint(2, 4)
                    for _ in range(count):
                        day = lo + datetime.timedelta(days=rng.randint(0, (hi - lo).days))
                        visits.append(self._visit(pairing, day))
                month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        Visit.objects.bulk_create(visits)
        tallies.rebuild()  # bulk_create bypasses the services that keep the tally
        return len(visits)

    def _visit(self, pairing: Pairing, day: datetime.date) -> Visit:
        mode = self.visit_rng.choices(list(Visit.Mode.values), weights=[8, 2, 3, 1, 1, 2])[0]
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(self.visit_rng.randint(9, 17), 0)))
        return Visit(
            pairing=pairing,
            visited_on=day,
            mode=mode,
            operations=self.visit_rng.choice(data.OPERATIONS),
            opinions=self.visit_rng.choice(data.OPINIONS),
            summary=self.visit_rng.choice(data.SUMMARIES),
            created_by_id=pairing.cadre.user_id,
            created_at=at,
        )

    def issues(
        self, active: list[Pairing], depts: list[Department], staff: dict[int, User], leaders: list[User]
    ) -> int:
        """Problems in all three flows and many states, made through the workflow service itself."""
        if Issue.objects.exists():
            return 0
        categories = list(IssueCategory.objects.all())
        chosen = self.rng.sample(active, 52)
        plans = (
            ["closed"] * 6
            + ["spot"] * 4
            + [("assigned", -self.rng.randint(2, 15)) for _ in range(6)]  # overdue
            + [("assigned", self.rng.randint(0, 3)) for _ in range(4)]  # due within days
            + [("assigned", self.rng.randint(6, 30)) for _ in range(8)]
            + ["extension", "extension"]
            + ["escalated"] * 4
            + ["matter"] * 3
            + [("supervised", self.rng.randint(-3, 25)) for _ in range(4)]
            + ["resolved"] * 5
            + ["returned"] * 3
            + ["reopened"] * 3
        )
        matter = None
        for pairing, plan in zip(chosen, plans, strict=True):
            plan, due_in = plan if isinstance(plan, tuple) else (plan, self.rng.randint(5, 20))
            issue = self._issue(pairing, plan, due_in, categories, depts, staff, leaders)
            if plan != "matter":
                continue
            if matter is None:
                matter = matter_create(
                    actor=leaders[0],
                    title="东部园区企业普遍反映供电容量不足",
                    description="多家企业反映同一问题，需统筹研究。",
                    issue_ids=[issue.pk],
                    now=self._at(2),
                )
            else:
                issue_transition(
                    issue_id=issue.pk,
                    actor=leaders[0],
                    action=Action.LINK,
                    version=None,
                    payload=LinkPayload(matter=matter),
                    now=self._at(1),
                )
        return len(plans)

    def _at(self, days_ago: int) -> datetime.datetime:
        return timezone.now() - datetime.timedelta(days=days_ago, hours=self.rng.randint(0, 6))

    def _issue(self, pairing, plan, due_in, categories, depts, staff, leaders) -> Issue:
        category = self.rng.choice(categories)
        cadre_user = pairing.cadre.user
        dept = self.rng.choice(depts)
        worker = staff[dept.pk]
        reported = self._at(self.rng.randint(max(12, 2 - due_in), 40))
        deadline = self.today + datetime.timedelta(days=due_in)

        def at(day: int) -> datetime.datetime:
            return reported + datetime.timedelta(days=day)

        def assignment(note: str) -> AssignPayload:
            start = timezone.localdate(reported)
            return AssignPayload(
                department=dept,
                responsible_staff=worker.department_staff,  # told in person, as the assign form offers
                responsible_person="",
                deadline=deadline,
                milestones=(("核实情况、制定方案", start + (deadline - start) / 2), ("办结并答复企业", deadline)),
                note=note,
            )

        def move(issue: Issue, actor: User, action: Action, day: int, payload: MovePayload) -> Issue:
            return issue_transition(
                issue_id=issue.pk, actor=actor, action=action, version=None, payload=payload, now=at(day)
            )

        report = {
            "actor": cadre_user,
            "enterprise": pairing.enterprise,
            "title": self.rng.choice(data.ISSUE_TITLES[category.code]),
            "description": "企业在走访中反映，需相关部门协调解决。",
            "category": category,
            "now": reported,
        }
        if plan in ("closed", "spot"):
            issue = issue_report(**report, route=ResolvePayload(note="现场协调相关部门，当场答复并解决。"))
            if plan == "closed":
                rating = self.rng.choice(["satisfied", "basically_satisfied"])
                issue = move(issue, cadre_user, Action.CLOSE, 1, FeedbackPayload(rating=rating))
            return issue
        if plan in ("escalated", "matter", "supervised"):
            issue = issue_report(**report, route=EscalatePayload(note="涉及多家企业的共性问题，上报领导小组研究。"))
            if plan == "supervised":
                leader = self.rng.choice(leaders)
                move(issue, leader, Action.ASSIGN, 1, assignment("领导小组研究决定，交办并督办。"))
                issue = move(issue, worker, Action.ACCEPT, 2, AcceptPayload())
            return issue
        issue = issue_report(**report, route=assignment("请按时间表推进。"))
        if plan == "returned":
            return move(issue, worker, Action.RETURN, 1, ReturnPayload(note="不属于本单位职责范围，退回重新分办。"))
        if plan == "assigned" and self.rng.random() < 0.4:
            return issue  # not yet accepted
        issue = move(issue, worker, Action.ACCEPT, 1, AcceptPayload())
        if plan == "extension":
            later = deadline + datetime.timedelta(days=15)
            request = ExtensionRequestPayload(new_deadline=later, note="需等待上级部门批复。")
            return move(issue, worker, Action.REQUEST_EXTENSION, 2, request)
        if plan in ("resolved", "reopened"):
            first = issue.milestones.order_by("planned_on", "pk")[0]
            done = ProgressPayload(milestone_id=first.pk, done_on=timezone.localdate(at(3)))
            move(issue, worker, Action.PROGRESS, 3, done)
            issue = move(issue, worker, Action.RESOLVE, 5, ResolvePayload(note="已办结，书面答复企业。"))
            if plan == "reopened":
                note = "企业认为问题未实际解决。"
                issue = move(issue, cadre_user, Action.REOPEN, 6, FeedbackPayload(rating="dissatisfied", note=note))
        return issue


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
    policies = seeder.policies()
    seeder.created["visits"] = seeder.visits()
    seeder.visit_policies(policies)
    seeder.created["errands"] = seeder.errands(active)
    # How each category counts its default deadline, before the problems (docs/working-days.md).
    IssueCategory.objects.filter(code__in=data.CALENDAR_DAY_CATEGORIES).update(deadline_counts=DayCount.CALENDAR)
    seeder.created["issues"] = seeder.issues(active, depts, staff, leaders)
    seeder.created.update(seed_voice(seeder.today, active, User.objects.get(username="bangongshi")))
    # The street offices' staff last, so that the rest of the district draws the same names as before.
    street_staff = seeder.staff(streets, prefix="jiedao")
    people = People(
        leaders=leaders,
        clerk=User.objects.get(username="bangongshi"),
        department=depts[0],
        department_staff=staff[depts[0].pk],
        street=streets[0],
        street_staff=street_staff[streets[0].pk],
        first_pairing=active[0],
    )
    made = seed_supervision(seeder.today, campaign_start(seeder.today), people, active)
    seeder.created["inspections"], seeder.created["rectifications"] = made
    seeder.created["visit_files"] = seed_proof(active[0])
    result = SeedResult(created=seeder.created)
    if result.changed:
        # Written in bulk (visits, policies, the categories' day count) as well as through the services: every
        # kept figure of every family is counted again (core/kept.py).
        kept_receivers.touch_every_family()
    return result
