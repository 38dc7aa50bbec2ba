import datetime
from dataclasses import replace

import pytest
from django.db import transaction

from issues.errors import MoveNotAllowed, StaleIssue, WorkflowError
from issues.models import Action, ExtensionRequest, Feedback, Flow, Issue, IssueEvent, Milestone, Status, SystemicMatter
from issues.moves import MOVE_SPECS
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionDecisionPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    LinkPayload,
    ProgressPayload,
    ReassignPayload,
    ResolvePayload,
    ReturnPayload,
    SendBackPayload,
)
from issues.services import issue_record_feedback, issue_report, issue_transition, matter_create, matter_decide
from issues.workflow import MOVES, WITH_DEPARTMENT, Capacity, available_actions
from organisation.models import Department
from tests.factories import IssueFactory, category, issue_in

pytestmark = pytest.mark.django_db


def _timeline(issue):
    return [(e.action, e.from_status, e.to_status) for e in IssueEvent.objects.filter(issue=issue)]


# --- The three ways at report time -------------------------------------------------


def test_a_problem_solved_on_the_spot_is_resolved_with_its_note(report):
    issue = report(ResolvePayload(note="现场协调供电公司，当场答复。"))
    assert issue.status == Status.RESOLVED and issue.flow == Flow.ON_THE_SPOT
    assert issue.resolution == "现场协调供电公司，当场答复。" and issue.resolved_at
    assert _timeline(issue) == [("report", "", "reported"), ("resolve", "reported", "resolved")]


def test_solving_on_the_spot_needs_a_resolution_note_and_writes_nothing_without_it(report):
    with pytest.raises(WorkflowError) as exc:
        report(ResolvePayload(note="  "))
    assert exc.value.code == "note_required"
    assert not Issue.objects.exists() and not IssueEvent.objects.exists()


def test_an_assigned_problem_has_department_person_deadline_and_roadmap(report, assignment, department):
    issue = report(assignment)
    assert issue.status == Status.ASSIGNED and issue.flow == Flow.ASSIGNED
    assert issue.department == department and issue.responsible_person == "张晓明"
    assert issue.deadline == assignment.deadline and not issue.supervised
    assert [m.title for m in issue.milestones.all()] == ["核实材料", "办结答复"]
    assert IssueEvent.objects.filter(issue=issue).last().department == department


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"department": None}, "department_required"),
        ({"responsible_person": " "}, "person_required"),
        ({"deadline": None}, "deadline_required"),
        ({"deadline": datetime.date(2020, 1, 1)}, "deadline_past"),
        ({"milestones": ()}, "roadmap_required"),
        ({"milestones": ((" ", datetime.date(2099, 1, 1)),)}, "milestone_incomplete"),
        ({"milestones": (("办结答复", datetime.date(2099, 1, 1)),)}, "milestone_after_deadline"),
        ({"deadline": datetime.date(9999, 12, 31)}, "date_out_of_range"),
        ({"milestones": (("核实材料", datetime.date(1, 1, 1)),)}, "date_out_of_range"),
        ({"milestones": (("\u200b\u200c\u200d\ufeff\u200f", datetime.date(2026, 1, 1)),)}, "milestone_incomplete"),
    ],
)
def test_an_assignment_without_its_parts_is_refused_and_nothing_is_written(report, assignment, change, code):
    with pytest.raises(WorkflowError) as exc:
        report(replace(assignment, **change))
    assert exc.value.code == code
    assert not Issue.objects.exists() and not Milestone.objects.exists()


@pytest.mark.parametrize("title", [" ", "\u200b\u200c\u200d\ufeff", "\u200e\u200f\u202e\u3000"])
def test_a_problem_without_a_title_is_refused(report, assignment, title):
    with pytest.raises(WorkflowError) as exc:
        report(assignment, title=title)
    assert exc.value.code == "title_required"
    assert not Issue.objects.exists()


def test_an_escalation_needs_its_reason(report):
    with pytest.raises(WorkflowError) as exc:
        report(EscalatePayload(note=""))
    assert exc.value.code == "note_required"
    issue = report(EscalatePayload(note="园区十余家企业都反映供电容量不足。"))
    assert issue.status == Status.ESCALATED and issue.flow == Flow.ESCALATED


def test_a_cadre_cannot_report_for_an_enterprise_they_do_not_serve(other_cadre, enterprise):
    with pytest.raises(MoveNotAllowed) as exc:
        issue_report(
            actor=other_cadre.user,
            enterprise=enterprise,
            title="x",
            category=category(),
            route=EscalatePayload(note="共性问题"),
        )
    assert exc.value.code == "not_paired"
    assert not Issue.objects.exists()


# --- The department --------------------------------------------------------------


def test_the_department_accepts_records_progress_and_replies(report, assignment, staff, move, today):
    issue = report(assignment)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    first = issue.milestones.first()
    move(issue, staff.user, Action.PROGRESS, ProgressPayload(milestone_id=first.pk, done_on=today, note="材料已核实"))
    first.refresh_from_db()
    assert first.done_on == today and first.note == "材料已核实"
    issue = move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="许可证已核发。"))
    assert issue.status == Status.RESOLVED and issue.resolution == "许可证已核发。"
    assert [a for a, _f, _t in _timeline(issue)] == ["report", "assign", "accept", "progress", "resolve"]


def test_a_milestone_cannot_be_done_in_the_future(report, assignment, staff, move, today):
    issue = report(assignment)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    with pytest.raises(WorkflowError) as exc:
        move(
            issue,
            staff.user,
            Action.PROGRESS,
            ProgressPayload(milestone_id=issue.milestones.first().pk, done_on=today.replace(year=2099)),
        )
    assert exc.value.code == "milestone_in_future"
    assert not issue.milestones.filter(done_on__isnull=False).exists()


def test_progress_is_a_milestone_of_the_current_roadmap_or_a_note(report, assignment, staff, move):
    issue = report(assignment)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    with pytest.raises(WorkflowError) as exc:
        move(issue, staff.user, Action.PROGRESS, ProgressPayload(milestone_id=0))
    assert exc.value.code == "milestone_unknown"
    with pytest.raises(WorkflowError) as exc:
        move(issue, staff.user, Action.PROGRESS, ProgressPayload(note=" "))
    assert exc.value.code == "note_required"


def test_returning_sends_the_problem_back_to_routing_and_keeps_the_old_roadmap(report, assignment, staff, move):
    issue = report(assignment)
    with pytest.raises(WorkflowError) as exc:
        move(issue, staff.user, Action.RETURN, ReturnPayload(note=""))
    assert exc.value.code == "note_required"
    issue = move(issue, staff.user, Action.RETURN, ReturnPayload(note="属于住建部门职责。"))
    assert issue.status == Status.REPORTED and issue.department is None and issue.deadline is None
    assert issue.milestones.filter(superseded=True).count() == 2
    returned = IssueEvent.objects.filter(issue=issue).last()
    assert (returned.from_department, returned.department) == (assignment.department, None)


def test_staff_still_see_a_problem_their_department_returned(report, assignment, staff, move):
    issue = report(assignment)
    move(issue, staff.user, Action.RETURN, ReturnPayload(note="不属于本单位职责。"))
    assert Issue.objects.visible_to(staff.user).filter(pk=issue.pk).exists()


def test_an_extension_approved_moves_the_deadline_and_the_timeline_keeps_the_original(
    report, assignment, staff, leader, move
):
    issue = report(assignment)
    original = issue.deadline
    later = original + datetime.timedelta(days=10)
    move(
        issue,
        staff.user,
        Action.REQUEST_EXTENSION,
        ExtensionRequestPayload(new_deadline=later, note="需等待规划批复。"),
    )
    with pytest.raises(WorkflowError) as exc:
        move(issue, staff.user, Action.REQUEST_EXTENSION, ExtensionRequestPayload(new_deadline=later, note="再次申请"))
    assert exc.value.code == "extension_pending"
    issue = move(issue, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True, note="同意"))
    assert issue.deadline == later
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.APPROVED
    assert original.isoformat() in IssueEvent.objects.filter(issue=issue).last().text


def test_an_extension_refused_keeps_the_deadline(report, assignment, staff, office, move):
    issue = report(assignment)
    request = ExtensionRequestPayload(new_deadline=issue.deadline + datetime.timedelta(days=365), note="理由")
    move(issue, staff.user, Action.REQUEST_EXTENSION, request)
    issue = move(issue, office, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=False, note="按原时限办理"))
    assert issue.deadline == assignment.deadline
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.REFUSED


def test_an_extension_must_be_later_than_the_deadline_and_give_its_reason(report, assignment, staff, move):
    issue = report(assignment)
    with pytest.raises(WorkflowError) as exc:
        move(
            issue,
            staff.user,
            Action.REQUEST_EXTENSION,
            ExtensionRequestPayload(new_deadline=issue.deadline, note="理由"),
        )
    assert exc.value.code == "extension_not_later"
    later = issue.deadline + datetime.timedelta(days=5)
    with pytest.raises(WorkflowError) as exc:
        move(issue, staff.user, Action.REQUEST_EXTENSION, ExtensionRequestPayload(new_deadline=later, note=""))
    assert exc.value.code == "note_required"
    assert not ExtensionRequest.objects.exists()


def test_there_must_be_an_extension_request_to_decide(report, assignment, leader, move):
    issue = report(assignment)
    with pytest.raises(WorkflowError) as exc:
        move(issue, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True))
    assert exc.value.code == "no_extension"


# --- The leading group --------------------------------------------------------------


def test_the_leading_group_assigns_an_escalation_under_supervision(report, assignment, leader, move):
    issue = report(EscalatePayload(note="共性问题"))
    issue = move(issue, leader, Action.ASSIGN, replace(assignment, note="请限期解决"))
    assert issue.status == Status.ASSIGNED and issue.supervised and issue.flow == Flow.ESCALATED


def test_the_leading_group_resolves_or_sends_back_an_escalation(report, leader, move):
    decided = move(
        report(EscalatePayload(note="共性问题")), leader, Action.RESOLVE, ResolvePayload(note="出台专项政策。")
    )
    assert decided.status == Status.RESOLVED
    escalated = report(EscalatePayload(note="共性问题"))
    with pytest.raises(WorkflowError) as exc:
        move(escalated, leader, Action.SEND_BACK, SendBackPayload(note=""))
    assert exc.value.code == "note_required"
    sent_back = move(escalated, leader, Action.SEND_BACK, SendBackPayload(note="属个案，由干部协调。"))
    assert sent_back.status == Status.REPORTED


def test_the_office_reassigns_a_returned_problem(
    report, assignment, staff, other_department, other_staff, office, move, today
):
    issue = report(assignment)
    move(issue, staff.user, Action.RETURN, ReturnPayload(note="不属于本单位职责。"))
    issue = move(issue, office, Action.ASSIGN, replace(assignment, department=other_department))
    assert issue.status == Status.ASSIGNED and issue.department == other_department and not issue.supervised
    assert issue.milestones.filter(superseded=False).count() == 2


def test_one_decision_on_a_systemic_matter_reaches_every_linked_problem(
    report, leader, assignment, other_cadre, other_enterprise
):
    first = report(EscalatePayload(note="供电容量不足"))
    second = issue_report(
        actor=other_cadre.user,
        enterprise=other_enterprise,
        title="供电容量不足",
        category=category("utilities"),
        route=EscalatePayload(note="同一园区"),
    )
    matter = matter_create(actor=leader, title="东部园区供电容量不足", issue_ids=[first.pk, second.pk])
    assert set(matter.issues.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert matter_decide(matter=matter, actor=leader, decision=assignment) == 2
    assert set(Issue.objects.values_list("status", "supervised")) == {(Status.ASSIGNED, True)}
    with pytest.raises(WorkflowError) as exc:
        matter_decide(matter=matter, actor=leader, decision=ResolvePayload(note="再次决定"))
    assert exc.value.code == "nothing_to_decide"


@pytest.mark.parametrize(
    ("title", "issues", "code"), [(" ", True, "title_required"), ("园区供电", False, "issues_required")]
)
def test_a_systemic_matter_needs_a_title_and_a_problem(report, leader, title, issues, code):
    issue_ids = [report(EscalatePayload(note="共性")).pk] if issues else []
    with pytest.raises(WorkflowError) as exc:
        matter_create(actor=leader, title=title, issue_ids=issue_ids)
    assert exc.value.code == code
    assert not SystemicMatter.objects.exists()


# --- Taking a problem back (收回改派) -------------------------------------------------------


@pytest.fixture
def reassignment(other_department, other_staff, today):
    """Take the problem back and give it to `other_department` (where `other_staff` works), with a new desk."""
    return ReassignPayload(
        assignment=AssignPayload(
            department=other_department,
            responsible_person="赵丽华",
            deadline=today + datetime.timedelta(days=20),
            milestones=(
                ("现场踏勘", today + datetime.timedelta(days=7)),
                ("办结答复", today + datetime.timedelta(days=19)),
            ),
        ),
        note="原单位两周未推进，改由住建局办理。",
    )


def test_the_office_takes_a_problem_back_from_its_department_and_reassigns_it(
    report, assignment, staff, other_staff, office, reassignment, move, today
):
    issue = report(assignment)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    first = issue.milestones.first()
    move(issue, staff.user, Action.PROGRESS, ProgressPayload(milestone_id=first.pk, done_on=today))
    issue = move(issue, office, Action.REASSIGN, reassignment)
    assert issue.status == Status.ASSIGNED and issue.flow == Flow.ASSIGNED
    assert (issue.department, issue.responsible_person, issue.deadline) == (
        other_staff.department,
        "赵丽华",
        reassignment.assignment.deadline,
    )
    assert not issue.supervised  # the office's own reassignment is no supervision
    # The old roadmap stays, struck through, with what was done on it; the new one is the new department's.
    old = list(issue.milestones.filter(superseded=True).order_by("pk"))
    assert [(m.title, m.department, m.done_on) for m in old] == [
        ("核实材料", staff.department, today),
        ("办结答复", staff.department, None),
    ]
    current = issue.milestones.filter(superseded=False)
    assert [(m.title, m.department) for m in current] == [
        ("现场踏勘", other_staff.department),
        ("办结答复", other_staff.department),
    ]
    # The timeline says from which unit, to which, and why.
    event = IssueEvent.objects.filter(issue=issue).last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        Action.REASSIGN,
        Status.IN_PROGRESS,
        Status.ASSIGNED,
        office,
    )
    assert (event.from_department, event.department) == (staff.department, other_staff.department)
    for part in (staff.department.name, other_staff.department.name, "赵丽华", reassignment.note):
        assert part in event.text
    assert assignment.deadline.isoformat() in event.text  # the deadline it was taken back with


def test_after_a_reassignment_only_the_new_department_acts_and_the_old_one_still_reads(
    report, assignment, staff, other_staff, office, reassignment, move
):
    issue = report(assignment)
    move(issue, office, Action.REASSIGN, reassignment)
    with pytest.raises(MoveNotAllowed) as exc:
        move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    assert exc.value.code == "not_allowed"
    assert Issue.objects.visible_to(staff.user).filter(pk=issue.pk).exists()
    issue = move(issue, other_staff.user, Action.ACCEPT, AcceptPayload())
    assert issue.status == Status.IN_PROGRESS


def test_the_leading_groups_reassignment_is_supervised_and_the_offices_keeps_it_so(
    report, assignment, leader, office, department, reassignment, move
):
    issue = report(assignment)
    issue = move(issue, leader, Action.REASSIGN, reassignment)
    assert issue.supervised
    back_again = replace(reassignment, assignment=replace(reassignment.assignment, department=department))
    issue = move(issue, office, Action.REASSIGN, back_again)
    assert issue.supervised and issue.department == department


def test_a_problem_may_be_reassigned_to_the_same_department_with_a_new_person_and_deadline(
    report, assignment, department, office, reassignment, move
):
    issue = report(assignment)
    same = replace(reassignment, assignment=replace(reassignment.assignment, department=department))
    issue = move(issue, office, Action.REASSIGN, same)
    assert issue.department == department and issue.responsible_person == "赵丽华"
    assert issue.milestones.filter(superseded=True).count() == 2
    assert issue.milestones.filter(superseded=False).count() == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"note": " "}, "note_required"),
        ({"department": None}, "department_required"),
        ({"responsible_person": ""}, "person_required"),
        ({"deadline": datetime.date(2020, 1, 1)}, "deadline_past"),
        ({"milestones": ()}, "roadmap_required"),
    ],
)
def test_a_reassignment_without_its_reason_or_a_whole_assignment_is_refused_and_nothing_changes(
    report, assignment, staff, office, reassignment, move, change, code
):
    issue = report(assignment)
    ask_for_time(issue, staff, move)
    fields = {name: value for name, value in change.items() if name != "note"}
    payload = ReassignPayload(
        assignment=replace(reassignment.assignment, **fields), note=change.get("note", reassignment.note)
    )
    with pytest.raises(WorkflowError) as exc:
        move(issue, office, Action.REASSIGN, payload)
    assert exc.value.code == code
    issue.refresh_from_db()
    assert (issue.department, issue.deadline, issue.version) == (staff.department, assignment.deadline, 2)
    assert not issue.milestones.filter(superseded=True).exists() and issue.milestones.count() == 2
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.PENDING
    assert IssueEvent.objects.filter(issue=issue).count() == 3


def test_a_department_no_longer_active_takes_no_assignment(report, assignment, other_department, office, move):
    issue = report(assignment)
    other_department.is_active = False
    other_department.save()
    with pytest.raises(WorkflowError) as exc:
        move(
            issue,
            office,
            Action.REASSIGN,
            ReassignPayload(assignment=replace(assignment, department=other_department), note="改派"),
        )
    assert exc.value.code == "unit_inactive"


# --- A pending extension request ends with the department's time on the problem ---------------


def date_after(issue, days: int = 10) -> datetime.date:
    return issue.deadline + datetime.timedelta(days=days)


def ask_for_time(issue, staff, move, days: int = 10) -> datetime.date:
    """The department asks for `days` more; return the deadline it asks for."""
    later = date_after(issue, days)
    move(issue, staff.user, Action.REQUEST_EXTENSION, ExtensionRequestPayload(new_deadline=later, note="等待批复"))
    return later


def _leave_by_resolving(issue, staff, office, reassignment, move):
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    return move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"))


def _leave_by_returning(issue, staff, office, reassignment, move):
    return move(issue, staff.user, Action.RETURN, ReturnPayload(note="不属于本单位职责。"))


def _leave_by_reassignment(issue, staff, office, reassignment, move):
    return move(issue, office, Action.REASSIGN, reassignment)


@pytest.mark.parametrize(
    ("leave", "actor"),
    [(_leave_by_resolving, "staff"), (_leave_by_returning, "staff"), (_leave_by_reassignment, "office")],
    ids=["resolved", "returned", "reassigned"],
)
def test_a_pending_extension_request_is_withdrawn_when_the_problem_leaves_the_department(
    request, report, assignment, staff, office, leader, reassignment, move, leave, actor
):
    issue = report(assignment)
    later = ask_for_time(issue, staff, move)
    issue = leave(issue, staff, office, reassignment, move)
    extension = ExtensionRequest.objects.get()
    assert extension.decision == ExtensionRequest.Decision.WITHDRAWN
    user = request.getfixturevalue(actor)
    assert extension.decided_by == getattr(user, "user", user) and extension.decided_at
    assert later.isoformat() in IssueEvent.objects.filter(issue=issue).last().text  # the timeline says so
    assert not ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING).exists()
    # Nobody is offered a decision on it, and none can be made.
    assert Action.DECIDE_EXTENSION not in available_actions(leader, issue)
    if issue.status in WITH_DEPARTMENT:
        with pytest.raises(WorkflowError) as exc:
            move(issue, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True))
        assert exc.value.code == "no_extension"


def test_a_move_that_keeps_the_department_leaves_its_extension_request_pending(report, assignment, staff, move):
    issue = report(assignment)
    later = ask_for_time(issue, staff, move)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    move(issue, staff.user, Action.PROGRESS, ProgressPayload(note="正在协调"))
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.PENDING
    assert not IssueEvent.objects.filter(issue=issue, action__in=["accept", "progress"], note__contains=str(later))


def test_after_a_withdrawn_request_the_new_department_may_ask_for_its_own(
    report, assignment, staff, other_staff, office, leader, reassignment, move
):
    issue = report(assignment)
    ask_for_time(issue, staff, move)
    issue = move(issue, office, Action.REASSIGN, reassignment)
    assert Action.REQUEST_EXTENSION in available_actions(other_staff.user, issue)
    later = ask_for_time(issue, other_staff, move, days=5)
    issue = move(issue, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True))
    assert issue.deadline == later
    assert [e.decision for e in ExtensionRequest.objects.order_by("pk")] == ["withdrawn", "approved"]


def test_a_reopened_problem_carries_no_pending_request_and_its_next_department_may_ask_again(
    report, assignment, staff, office, leader, cadre, move
):
    issue = report(assignment)
    ask_for_time(issue, staff, move)
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"))
    issue = move(issue, cadre.user, Action.REOPEN, FeedbackPayload(rating="dissatisfied", note="企业认为未解决"))
    assert issue.status == Status.REOPENED
    assert not ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING).exists()
    issue = move(issue, office, Action.ASSIGN, assignment)
    ask_for_time(issue, staff, move)
    assert ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING).count() == 1


def test_reopening_withdraws_a_request_left_pending_before_this_rule(report, staff, cadre, move):
    """A request stranded on a resolved problem by an older version is withdrawn when the problem reopens."""
    issue = issue_in(Status.RESOLVED, enterprise=cadre.pairings.get().enterprise, reporter=cadre)
    ExtensionRequest.objects.create(
        issue=issue,
        requested_by=staff.user,
        old_deadline=datetime.date(2099, 1, 1),
        new_deadline=datetime.date(2099, 2, 1),
        reason="理由",
    )
    move(issue, cadre.user, Action.REOPEN, FeedbackPayload(rating="dissatisfied", note="未解决"))
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.WITHDRAWN
    assert "2099-02-01" in IssueEvent.objects.filter(issue=issue).last().text


# --- The enterprise's word ------------------------------------------------------------


def test_feedback_satisfied_closes_and_dissatisfied_reopens(report, cadre):
    issue = report(ResolvePayload(note="当场解决"))
    issue = issue_record_feedback(
        issue_id=issue.pk, actor=cadre.user, version=issue.version, payload=FeedbackPayload(rating="satisfied")
    )
    assert issue.status == Status.CLOSED and issue.closed_at
    other = report(ResolvePayload(note="当场解决"))
    with pytest.raises(WorkflowError) as exc:
        issue_record_feedback(
            issue_id=other.pk, actor=cadre.user, version=other.version, payload=FeedbackPayload(rating="dissatisfied")
        )
    assert exc.value.code == "note_required"
    other = issue_record_feedback(
        issue_id=other.pk,
        actor=cadre.user,
        version=other.version,
        payload=FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="仍未落实"),
    )
    assert other.status == Status.REOPENED
    assert Feedback.objects.filter(rating=Feedback.Rating.DISSATISFIED).count() == 1


@pytest.mark.parametrize(("action", "rating"), [(Action.CLOSE, "dissatisfied"), (Action.REOPEN, "satisfied")])
def test_closing_takes_a_satisfied_rating_and_reopening_a_dissatisfied_one(report, cadre, move, action, rating):
    issue = report(ResolvePayload(note="当场解决"))
    with pytest.raises(WorkflowError) as exc:
        move(issue, cadre.user, action, FeedbackPayload(rating=rating, note="意见"))
    assert exc.value.code == "rating_required"
    assert not Feedback.objects.exists()


def test_the_whole_life_of_a_problem_is_in_its_timeline_in_order(
    report, assignment, staff, other_staff, office, leader, cadre, move
):
    issue = report(assignment)
    move(issue, staff.user, Action.RETURN, ReturnPayload(note="属于住建部门职责。"))
    move(issue, office, Action.ASSIGN, replace(assignment, department=other_staff.department))
    move(issue, other_staff.user, Action.ACCEPT, AcceptPayload())
    later = assignment.deadline + datetime.timedelta(days=7)
    move(
        issue, other_staff.user, Action.REQUEST_EXTENSION, ExtensionRequestPayload(new_deadline=later, note="等待批复")
    )
    move(issue, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True))
    move(issue, other_staff.user, Action.RESOLVE, ResolvePayload(note="已办结"))
    move(issue, cadre.user, Action.REOPEN, FeedbackPayload(rating="dissatisfied", note="企业认为未解决"))
    move(issue, cadre.user, Action.RESOLVE, ResolvePayload(note="再次协调，当场解决"))
    move(issue, cadre.user, Action.CLOSE, FeedbackPayload(rating="basically_satisfied"))
    assert _timeline(issue) == [
        ("report", "", "reported"),
        ("assign", "reported", "assigned"),
        ("return", "assigned", "reported"),
        ("assign", "reported", "assigned"),
        ("accept", "assigned", "in_progress"),
        ("request_extension", "in_progress", "in_progress"),
        ("decide_extension", "in_progress", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("reopen", "resolved", "reopened"),
        ("resolve", "reopened", "resolved"),
        ("close", "resolved", "closed"),
    ]
    actors = [e.actor for e in IssueEvent.objects.filter(issue=issue)]
    assert actors[2] == staff.user and actors[3] == office and actors[6] == leader


# --- Refusals -------------------------------------------------------------------------


def test_a_move_on_a_page_someone_else_changed_is_refused_as_stale(report, assignment, staff):
    issue = report(assignment)
    seen = issue.version
    issue_transition(issue_id=issue.pk, actor=staff.user, action=Action.ACCEPT, version=seen, payload=AcceptPayload())
    with pytest.raises(StaleIssue) as exc:
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.RETURN, version=seen, payload=ReturnPayload(note="x")
        )
    assert exc.value.code == "stale"
    assert IssueEvent.objects.filter(issue=issue).count() == 3


PERSONAS = {
    Capacity.CADRE: "cadre",
    Capacity.DEPARTMENT: "staff",
    Capacity.LEADING_GROUP: "leader",
    Capacity.OFFICE: "office",
    Capacity.ENTERPRISE: "enterprise_link",  # the enterprise itself: its link is the actor
}


def _user(request, capacity):
    persona = request.getfixturevalue(PERSONAS[capacity])
    return getattr(persona, "user", persona)


@pytest.mark.parametrize(
    ("move_", "capacity"),
    [(m, c) for m in MOVES for c in Capacity if c not in m.capacities],
    ids=lambda v: v.action if hasattr(v, "action") else str(v),
)
def test_every_move_is_refused_to_every_capacity_the_table_does_not_name(
    request, move_, capacity, enterprise, cadre, assignment
):
    """For each row of the table, each other kind of actor is refused, and nothing is written."""
    department = request.getfixturevalue("staff").department
    status = sorted(move_.sources)[0]
    issue = issue_in(status, department=department, enterprise=enterprise, reporter=cadre)
    user = _user(request, capacity)
    if capacity == Capacity.CADRE:
        assert user == cadre.user  # the cadre serves this enterprise, and is still refused
    with pytest.raises(MoveNotAllowed) as exc:
        issue_transition(
            issue_id=issue.pk,
            actor=user,
            action=move_.action,
            version=issue.version,
            payload=_payload_for(request, move_.action, issue, assignment),
        )
    assert exc.value.code == "not_allowed"  # the move exists from this state, but not for this actor
    issue.refresh_from_db()
    assert issue.status == status and issue.version == 0
    assert not IssueEvent.objects.filter(issue=issue).exists()


@pytest.mark.parametrize("action", [a for a in Action if a not in (Action.REPORT,)])
def test_a_move_from_a_state_the_table_does_not_list_is_refused(request, action, office, leader, assignment):
    """A closed problem is finished: no move at all leads out of it."""
    issue = IssueFactory(status=Status.CLOSED, flow=Flow.ON_THE_SPOT)
    for user in (office, leader):
        with pytest.raises(MoveNotAllowed) as exc:
            payload = _payload_for(request, action, issue, assignment)
            issue_transition(issue_id=issue.pk, actor=user, action=action, version=0, payload=payload)
        assert exc.value.code == "wrong_status"


def test_department_staff_cannot_act_on_another_departments_problem(report, assignment, other_staff, move):
    issue = report(assignment)
    with pytest.raises(MoveNotAllowed) as exc:
        move(issue, other_staff.user, Action.ACCEPT, AcceptPayload())
    assert exc.value.code == "not_allowed"


def _payload_for(request, action, issue, assignment):
    """A valid payload for each move, so that only the table decides."""
    if action == Action.ASSIGN:
        return assignment
    if action == Action.REASSIGN:
        return ReassignPayload(assignment=assignment, note="原单位无法推进，收回改派。")
    if action == Action.PROGRESS:
        return ProgressPayload(note="进展顺利")
    if action == Action.REQUEST_EXTENSION:
        later = (issue.deadline or datetime.date.today() + datetime.timedelta(days=60)) + datetime.timedelta(days=5)
        return ExtensionRequestPayload(new_deadline=later, note="理由")
    if action == Action.DECIDE_EXTENSION:
        return ExtensionDecisionPayload(approve=True)
    if action == Action.LINK:
        leader = request.getfixturevalue("leader")
        return LinkPayload(matter=SystemicMatter.objects.create(title="共性问题", created_by=leader))
    if action == Action.CLOSE:
        return FeedbackPayload(rating="satisfied")
    if action == Action.REOPEN:
        return FeedbackPayload(rating="dissatisfied", note="未解决")
    if action == Action.ACCEPT:
        return AcceptPayload(note="说明")
    if action == Action.ESCALATE:
        return EscalatePayload(note="说明")
    if action == Action.RETURN:
        return ReturnPayload(note="说明")
    if action == Action.SEND_BACK:
        return SendBackPayload(note="说明")
    return ResolvePayload(note="说明")


@pytest.mark.parametrize(
    ("move_", "capacity", "status"),
    [(m, c, s) for m in MOVES for c in sorted(m.capacities) for s in sorted(m.sources)],
    ids=lambda v: v.action if hasattr(v, "action") else str(v),
)
def test_every_move_the_table_allows_is_made_and_written_to_the_timeline(
    request, move_, capacity, status, enterprise, cadre, assignment
):
    """For each row of the table, each capacity it names, from each source state: the move goes through."""
    department = request.getfixturevalue("staff").department
    issue = issue_in(status, department=department, enterprise=enterprise, reporter=cadre)
    user = _user(request, capacity)
    if move_.action == Action.DECIDE_EXTENSION:
        ExtensionRequest.objects.create(
            issue=issue,
            requested_by=request.getfixturevalue("staff").user,
            old_deadline=issue.deadline,
            new_deadline=issue.deadline + datetime.timedelta(days=5),
            reason="理由",
        )
    moved = issue_transition(
        issue_id=issue.pk,
        actor=user,
        action=move_.action,
        version=issue.version,
        payload=_payload_for(request, move_.action, issue, assignment),
    )
    assert moved.status == (move_.target or status)
    assert moved.version == 1
    event = IssueEvent.objects.get(issue=issue)
    # A user's move names the user; the enterprise's names its link (and no user).
    assert (event.action, event.from_status, event.to_status, event.actor or event.enterprise_link) == (
        move_.action,
        status,
        moved.status,
        user,
    )


# --- What is offered is what can be done ------------------------------------------------


class _Undo(Exception):
    """Raised to roll a successful move back, so the next one starts from the same problem."""


def _outcome(issue, user, action, payload) -> str:
    """Make the move and undo it; return "made", or the refusal's code."""
    try:
        with transaction.atomic():
            issue_transition(issue_id=issue.pk, actor=user, action=action, version=issue.version, payload=payload)
            raise _Undo
    except _Undo:
        return "made"
    except WorkflowError as exc:
        return exc.code


# Each state, and the states that change what can be done there: a request waiting for a decision,
# a systemic matter to link to, no active department to assign to.
SITUATIONS = [
    *[(status, "") for status in Status],
    (Status.ASSIGNED, "extension_pending"),
    (Status.IN_PROGRESS, "extension_pending"),
    (Status.ESCALATED, "matter"),
    (Status.REPORTED, "no_active_department"),
    (Status.IN_PROGRESS, "no_active_department"),
]


def situated(status, situation, *, department, enterprise, cadre, staff, leader) -> Issue:
    """A problem in `status`, in the situation named (see SITUATIONS)."""
    issue = issue_in(status, department=department, enterprise=enterprise, reporter=cadre)
    if situation == "extension_pending":
        ExtensionRequest.objects.create(
            issue=issue,
            requested_by=staff.user,
            old_deadline=issue.deadline,
            new_deadline=date_after(issue),
            reason="理由",
        )
    elif situation == "matter":
        SystemicMatter.objects.create(title="东部园区供电", created_by=leader)
    elif situation == "no_active_department":
        Department.objects.update(is_active=False)
    return issue


def _valid_payload(action, issue, assignment, leader):
    """A payload the move accepts whenever the move can be made at all."""
    if action == Action.LINK:  # never a new matter: that would change the situation
        return LinkPayload(matter=SystemicMatter.objects.first() or SystemicMatter(title="无", created_by=leader))
    return _payload_for(None, action, issue, assignment)


@pytest.mark.parametrize(("status", "situation"), SITUATIONS, ids=lambda v: str(v) or "plain")
def test_every_action_offered_can_be_made_and_every_other_is_refused(
    status, situation, enterprise, cadre, staff, leader, office, assignment
):
    """The page's buttons (available_actions) and the service agree, for every persona and action."""
    issue = situated(
        status, situation, department=staff.department, enterprise=enterprise, cadre=cadre, staff=staff, leader=leader
    )
    issue.refresh_from_db()
    for user in (cadre.user, staff.user, leader, office):
        offered = available_actions(user, issue)
        for action in MOVE_SPECS:
            payload = _valid_payload(action, issue, assignment, leader)
            outcome = _outcome(issue, user, action, payload)
            if action in offered:
                assert outcome == "made", (user.username, action, outcome)
            else:
                assert outcome != "made", (user.username, action)


def test_the_situations_offer_every_move_to_someone(enterprise, cadre, staff, leader, office):
    """So that the tests walking SITUATIONS (here and on the pages) try every move at least once."""
    offered = set()
    for status, situation in SITUATIONS:
        with transaction.atomic():
            issue = situated(
                status,
                situation,
                department=staff.department,
                enterprise=enterprise,
                cadre=cadre,
                staff=staff,
                leader=leader,
            )
            for user in (cadre.user, staff.user, leader, office):
                offered |= set(available_actions(user, issue))
            transaction.set_rollback(True)
    assert offered == set(MOVE_SPECS)
