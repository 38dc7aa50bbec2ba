"""A hand-built September 2026 for the roll-ups and the department table, made through the real services.

Two cadres, two departments (D1 = `department`, D2 = `other_department`), eight problems:

- P1 (王建国): assigned to D1 on 1 Sep (deadline 10 Sep), accepted on the 2nd, an extension asked on the 8th and
  granted on the 9th (to the 20th), resolved on the 15th (on time), closed satisfied on the 16th;
- P2 (王建国): assigned to D1 on 3 Sep, returned by D1 on the 4th, assigned by the office to D2 on the 5th
  (deadline 20 Oct), accepted on the 6th: in progress, on track, at the month's end;
- P3 (李志强): assigned to D2 on 2 Sep (deadline 10 Sep), accepted on the 5th (three days: not in time), resolved
  on the 14th (late), reopened dissatisfied on the 15th;
- P4 (李志强): assigned to D1 on 5 Sep (deadline 20 Sep), never accepted: overdue at the month's end;
- P5 (王建国): solved on the spot on 7 Sep;
- P6 (李志强): escalated on 8 Sep, unanswered;
- P7 (王建国): assigned to D1 on 20 Sep (deadline 2 Oct): due soon at the month's end;
- P8 (王建国): reported and assigned to D1 in August (deadline 30 Sep), accepted in August, resolved on 5 Sep.

王建国's enterprise is industry in 纺织城街道, 李志强's industry in 洪庆街道. Visits in September: 王建国 two (the
rule met), 李志强 one (missed); one more of 王建国's in August.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from issues.models import Action, Feedback, Issue
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionDecisionPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    ResolvePayload,
    ReturnPayload,
)
from issues.services import issue_report, issue_transition
from organisation.models import Department
from tests import factories

SEPTEMBER = "2026-09"


def at(month: int, day: int, hour: int = 9) -> datetime.datetime:
    """A moment in 2026, local time (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def assign_to(department: Department, person: str, deadline: datetime.date) -> AssignPayload:
    return AssignPayload(
        department=department, responsible_person=person, deadline=deadline, milestones=(("办结答复", deadline),)
    )


@dataclass
class September:
    d1: Department
    d2: Department
    idle: Department  # active, nothing in the period: still listed
    gone: Department  # inactive, nothing in the period: not listed
    problems: dict[str, Issue]


def _move(issue: Issue, user, action: Action, payload, when: datetime.datetime) -> Issue:
    issue.refresh_from_db()
    return issue_transition(
        issue_id=issue.pk, actor=user, action=action, version=issue.version, payload=payload, now=when
    )


def _report(cadre, enterprise, route, when: datetime.datetime, title: str) -> Issue:
    category = factories.category("approvals")
    return issue_report(actor=cadre.user, enterprise=enterprise, title=title, category=category, route=route, now=when)


def build_september(cadre, other_cadre, enterprise, other_enterprise, staff, other_staff, leader, office):
    enterprise.street, enterprise.sector = "纺织城街道", "industry"
    enterprise.save()
    other_enterprise.street, other_enterprise.sector = "洪庆街道", "industry"
    other_enterprise.save()
    d1, d2 = staff.department, other_staff.department
    a, b = cadre, other_cadre
    day = datetime.date

    p1 = _report(a, enterprise, assign_to(d1, "张晓明", day(2026, 9, 10)), at(9, 1), "P1")
    _move(p1, staff.user, Action.ACCEPT, AcceptPayload(), at(9, 2))
    more_time = ExtensionRequestPayload(new_deadline=day(2026, 9, 20), note="等待批复")
    _move(p1, staff.user, Action.REQUEST_EXTENSION, more_time, at(9, 8))
    _move(p1, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True), at(9, 9))
    _move(p1, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(9, 15))
    _move(p1, a.user, Action.CLOSE, FeedbackPayload(rating=Feedback.Rating.SATISFIED), at(9, 16))

    p2 = _report(a, enterprise, assign_to(d1, "张晓明", day(2026, 9, 12)), at(9, 3), "P2")
    _move(p2, staff.user, Action.RETURN, ReturnPayload(note="非本单位职责"), at(9, 4))
    _move(p2, office, Action.ASSIGN, assign_to(d2, "赵丽华", day(2026, 10, 20)), at(9, 5))
    _move(p2, other_staff.user, Action.ACCEPT, AcceptPayload(), at(9, 6))

    p3 = _report(b, other_enterprise, assign_to(d2, "赵丽华", day(2026, 9, 10)), at(9, 2), "P3")
    _move(p3, other_staff.user, Action.ACCEPT, AcceptPayload(), at(9, 5))
    _move(p3, other_staff.user, Action.RESOLVE, ResolvePayload(note="已答复"), at(9, 14))
    reopen = FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="问题没有解决")
    _move(p3, b.user, Action.REOPEN, reopen, at(9, 15))

    p4 = _report(b, other_enterprise, assign_to(d1, "张晓明", day(2026, 9, 20)), at(9, 5), "P4")
    p5 = _report(a, enterprise, ResolvePayload(note="现场讲解政策"), at(9, 7), "P5")
    p6 = _report(b, other_enterprise, EscalatePayload(note="涉及多个部门"), at(9, 8), "P6")
    p7 = _report(a, enterprise, assign_to(d1, "张晓明", day(2026, 10, 2)), at(9, 20), "P7")

    p8 = _report(a, enterprise, assign_to(d1, "张晓明", day(2026, 9, 30)), at(8, 20), "P8")
    _move(p8, staff.user, Action.ACCEPT, AcceptPayload(), at(8, 21))
    _move(p8, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(9, 5))

    for visited_on in (day(2026, 9, 3), day(2026, 9, 18), day(2026, 8, 12)):
        factories.VisitFactory(
            pairing=a.pairings.get(), visited_on=visited_on, created_at=factories.logged_on(visited_on)
        )
    factories.VisitFactory(
        pairing=b.pairings.get(), visited_on=day(2026, 9, 10), created_at=factories.logged_on(day(2026, 9, 10))
    )

    idle = factories.DepartmentFactory(name="区统计局")
    gone = factories.DepartmentFactory(name="区已撤并局", is_active=False)
    problems = {f"P{i}": p for i, p in enumerate((p1, p2, p3, p4, p5, p6, p7, p8), start=1)}
    return September(d1, d2, idle, gone, problems)


# Named so that a test module imports it (`september_fixture`) without its parameter `september` shadowing the import.
@pytest.fixture(name="september")
def september_fixture(cadre, other_cadre, enterprise, other_enterprise, staff, other_staff, leader, office):
    return build_september(cadre, other_cadre, enterprise, other_enterprise, staff, other_staff, leader, office)


def build_problems(n: int, departments: list, cadres: list, leader) -> None:
    """`n` problems over the departments and cadres, in September, each moved a step or two: for query counts."""
    for i in range(n):
        cadre, enterprise = cadres[i % len(cadres)]
        staff = departments[i % len(departments)]
        kind = i % 4
        if kind == 3:
            _report(cadre, enterprise, EscalatePayload(note="涉及多个部门"), at(9, 1 + i % 20), f"Q{i}")
            continue
        route = assign_to(staff.department, staff.name, datetime.date(2026, 9, 25))
        issue = _report(cadre, enterprise, route, at(9, 1 + i % 20), f"Q{i}")
        if kind >= 1:
            _move(issue, staff.user, Action.ACCEPT, AcceptPayload(), at(9, 2 + i % 20))
        if kind == 2:
            _move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(9, 3 + i % 20))
        factories.VisitFactory(
            pairing=cadre.pairings.get(),
            visited_on=datetime.date(2026, 9, 1 + i % 28),
            created_at=factories.logged_on(datetime.date(2026, 9, 1 + i % 28)),
        )


def many_cadres(k: int) -> list:
    """`k` cadres, each paired with an enterprise of their own, over several streets and sectors."""
    streets = ["纺织城街道", "洪庆街道", "席王街道", "狄寨街道"]
    sectors = ["industry", "commerce", "technology"]
    found = []
    for i in range(k):
        enterprise = factories.EnterpriseFactory(street=streets[i % len(streets)], sector=sectors[i % len(sectors)])
        cadre = factories.CadreFactory()
        factories.PairingFactory(cadre=cadre, enterprise=enterprise)
        found.append((cadre, enterprise))
    return found
