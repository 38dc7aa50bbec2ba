"""A year built by hand (2025), move by move, through the real services: the assessment's exact points follow from it.

Times are 10:00 in Asia/Shanghai. The cadres are `cadre` (王建国, paired from 1 Jan 2025) and `other_cadre`
(李志强, paired from 1 Jul 2025); the departments D1 (`department`, staff charlie) and D2 (`other_department`,
staff dave).

Visits. 王建国: two a month from January to October; one in November; two dated in December, one of them
logged only on 5 Jan 2026 (a finished year counts the visits logged by its end): 10 of 12 months met.
李志强: two in July, August, October and November; one in September; none in December: 4 of 6 months met.

Problems.
- A1 (王建国, 10 Feb): to D1 (deadline 28 Feb), accepted 11 Feb, resolved 20 Feb (on time), satisfied 22 Feb.
- A2 (王建国, 5 Mar): to D1 (deadline 20 Mar), accepted 6 Mar, resolved 25 Mar (late), dissatisfied 26 Mar so
  reopened; to D2 27 Mar (deadline 30 Apr), accepted 28 Mar, resolved 10 Apr (on time), satisfied 12 Apr.
- A3 (王建国, 1 Jun): to D1 (deadline 15 Jun), returned 3 Jun; to D2 4 Jun (deadline 30 Jun), accepted 5 Jun,
  never resolved: overdue at the year's end.
- A4 (王建国, 1 Aug): solved on the spot, satisfied 3 Aug.
- A5 (王建国, 20 Dec): escalated, unanswered at the year's end.
- B1 (李志强, 1 Sep): to D2 (deadline 30 Sep), accepted 2 Sep, resolved 20 Sep (on time), satisfied 21 Sep.
- B2 (李志强, 8 Oct): to D1 (deadline 31 Oct), never accepted: unanswered, overdue at the year's end.

Supervision (the leader inspects; each item is answered by the one responsible and checked by the leader).
- I1 (15 Mar, concentrated, 王建国, good): item R1 for 王建国 due 15 Apr, answered 10 Apr, accepted 12 Apr: on time.
- I2 (20 Jul, unannounced visit to 王建国's enterprise, so his; average): item R2 for 王建国 due 10 Aug, answered
  20 Aug, accepted 22 Aug: late.
- I3 (10 Sep, open visit, D1, fairly good): item R3 for D1 due 10 Oct, answered 5 Oct, accepted 6 Oct (on time);
  item R4 for D1 due 20 Dec, answered 18 Dec, accepted only on 3 Jan 2026: not on time as the year ended.
- I4 (5 Nov, concentrated, D2, poor): item R5 for D2 due 20 Jan 2026 (not this year's).
- I5 (1 Dec, follow-up, 李志强, good).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from issues.models import Action, Feedback, Issue
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    FeedbackPayload,
    ResolvePayload,
    ReturnPayload,
)
from supervision.models import Inspection, Kind, Rating, Rectification, Target
from supervision.services import InspectionData, inspection_record, item_answer, item_check, item_raise
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2025


def at(month: int, day: int, year: int = YEAR, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def day(month: int, d: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, d)


def to(department, deadline: datetime.date) -> AssignPayload:
    return AssignPayload(
        department=department, responsible_person="经办人", deadline=deadline, milestones=(("办结", deadline),)
    )


SATISFIED = FeedbackPayload(rating=Feedback.Rating.SATISFIED, note="满意")
DISSATISFIED = FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="没解决")


@dataclass
class Year:
    """The hand-built year's people and records by name."""

    cadre: object
    other_cadre: object
    d1: object
    d2: object
    staff: object
    other_staff: object
    leader: object

    def report(self, cadre, when, route) -> Issue:
        return factories.reported_at(cadre, when, route)

    def move(self, issue: Issue, user, action: Action, payload, when) -> Issue:
        return factories.moved_at(issue, user, action, payload, when)

    def inspect(self, when, kind, rating, **subject) -> Inspection:
        data = InspectionData(
            kind=kind,
            inspected_on=when.date(),
            inspectors=[self.leader],
            findings="检查发现的问题。",
            rating=rating,
            **subject,
        )
        return inspection_record(actor=self.leader, data=data, now=when)

    def item(self, inspection, deadline, raised, *, answered=None, by=None, accepted=None, **responsible):
        item = item_raise(
            actor=self.leader,
            inspection=inspection,
            requirement="限期整改。",
            deadline=deadline,
            now=raised,
            **responsible,
        )
        if answered is not None:
            item_answer(actor=by, item_id=item.pk, text="已整改。", now=answered)
        if accepted is not None:
            item_check(actor=self.leader, item_id=item.pk, accept=True, now=accepted)
        return Rectification.objects.get(pk=item.pk)


def build(cadre, other_cadre, staff, other_staff, leader) -> Year:
    mine = cadre.pairings.get()
    theirs = other_cadre.pairings.get()
    mine.started_on, theirs.started_on = day(1, 1), day(7, 1)
    mine.save(), theirs.save()
    y = Year(cadre, other_cadre, staff.department, other_staff.department, staff, other_staff, leader)

    for month in range(1, 11):
        factories.visit_logged(mine, day(month, 5))
        factories.visit_logged(mine, day(month, 20))
    factories.visit_logged(mine, day(11, 5))
    factories.visit_logged(mine, day(12, 5))
    factories.VisitFactory(pairing=mine, visited_on=day(12, 20), created_at=at(1, 5, year=2026))
    for month in (7, 8, 10, 11):
        factories.visit_logged(theirs, day(month, 5))
        factories.visit_logged(theirs, day(month, 20))
    factories.visit_logged(theirs, day(9, 5))

    d1, d2, s1, s2 = y.d1, y.d2, staff.user, other_staff.user
    a1 = y.report(cadre, at(2, 10), to(d1, day(2, 28)))
    y.move(a1, s1, Action.ACCEPT, AcceptPayload(), at(2, 11))
    y.move(a1, s1, Action.RESOLVE, ResolvePayload(note="已办结"), at(2, 20))
    y.move(a1, cadre.user, Action.CLOSE, SATISFIED, at(2, 22))

    a2 = y.report(cadre, at(3, 5), to(d1, day(3, 20)))
    y.move(a2, s1, Action.ACCEPT, AcceptPayload(), at(3, 6))
    y.move(a2, s1, Action.RESOLVE, ResolvePayload(note="已办结"), at(3, 25))
    y.move(a2, cadre.user, Action.REOPEN, DISSATISFIED, at(3, 26))
    y.move(a2, cadre.user, Action.ASSIGN, to(d2, day(4, 30)), at(3, 27))
    y.move(a2, s2, Action.ACCEPT, AcceptPayload(), at(3, 28))
    y.move(a2, s2, Action.RESOLVE, ResolvePayload(note="已办结"), at(4, 10))
    y.move(a2, cadre.user, Action.CLOSE, SATISFIED, at(4, 12))

    a3 = y.report(cadre, at(6, 1), to(d1, day(6, 15)))
    y.move(a3, s1, Action.RETURN, ReturnPayload(note="非本单位职责"), at(6, 3))
    y.move(a3, cadre.user, Action.ASSIGN, to(d2, day(6, 30)), at(6, 4))
    y.move(a3, s2, Action.ACCEPT, AcceptPayload(), at(6, 5))

    a4 = y.report(cadre, at(8, 1), ResolvePayload(note="现场答复"))
    y.move(a4, cadre.user, Action.CLOSE, SATISFIED, at(8, 3))

    y.report(cadre, at(12, 20), EscalatePayload(note="涉及多个部门"))

    b1 = y.report(other_cadre, at(9, 1), to(d2, day(9, 30)))
    y.move(b1, s2, Action.ACCEPT, AcceptPayload(), at(9, 2))
    y.move(b1, s2, Action.RESOLVE, ResolvePayload(note="已办结"), at(9, 20))
    y.move(b1, other_cadre.user, Action.CLOSE, SATISFIED, at(9, 21))

    y.report(other_cadre, at(10, 8), to(d1, day(10, 31)))

    i1 = y.inspect(at(3, 15), Kind.CONCENTRATED, Rating.GOOD, target=Target.CADRE, cadre=cadre)
    y.item(i1, day(4, 15), at(3, 15), answered=at(4, 10), by=cadre.user, accepted=at(4, 12), cadre=cadre)
    i2 = y.inspect(at(7, 20), Kind.UNANNOUNCED, Rating.AVERAGE, target=Target.ENTERPRISE, enterprise=mine.enterprise)
    assert i2.cadre == cadre
    y.item(i2, day(8, 10), at(7, 20), answered=at(8, 20), by=cadre.user, accepted=at(8, 22), cadre=cadre)
    i3 = y.inspect(at(9, 10), Kind.OPEN_VISIT, Rating.FAIRLY_GOOD, target=Target.DEPARTMENT, department=d1)
    y.item(i3, day(10, 10), at(9, 10), answered=at(10, 5), by=s1, accepted=at(10, 6), department=d1)
    y.item(i3, day(12, 20), at(9, 10), answered=at(12, 18), by=s1, accepted=at(1, 3, year=2026), department=d1)
    i4 = y.inspect(at(11, 5), Kind.CONCENTRATED, Rating.POOR, target=Target.DEPARTMENT, department=d2)
    y.item(i4, day(1, 20, year=2026), at(11, 5), department=d2)
    y.inspect(at(12, 1), Kind.FOLLOW_UP, Rating.GOOD, target=Target.CADRE, cadre=other_cadre)
    return y
