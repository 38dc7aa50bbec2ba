"""Everyone is told when it is their turn: once, after a real move commits, and never for a move undone."""

import datetime
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from issues.errors import MoveNotAllowed, StaleIssue, WorkflowError
from issues.models import Action, ExtensionRequest, Issue, IssueEvent, Status, SystemicMatter
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
from issues.services import issue_transition, matter_create, matter_decide
from issues.signals import MoveMade, issue_moved
from issues.workflow import MOVES
from notifications.handovers import (
    FORMER_UNIT,
    HANDOVERS,
    UNIT,
    Nobody,
    Tell,
    handover_record,
    on_issue_moved,
    recipients,
)
from notifications.models import Delivery, Kind, Notification, Reminder
from notifications.reminders import People, scan
from notifications.services import reminders_deliver
from notifications.texts import HANDED_OVER
from organisation.models import DepartmentStaff
from tests.factories import DepartmentStaffFactory, PairingFactory, UserFactory, issue_in
from tests.notifications.conftest import NOW, TODAY

pytestmark = pytest.mark.django_db
FAR = datetime.date(2030, 1, 1)


@pytest.fixture
def colleague(department):
    """A second staff member of `staff`'s department."""
    return DepartmentStaffFactory(department=department, name="周晓燕", user__username="judy")


@pytest.fixture
def crowd(cadre, staff, colleague, other_staff, leader, office, superuser):
    """Every account that might be told, by persona name."""
    return {
        "cadre": cadre.user,
        "staff": staff.user,
        "colleague": colleague.user,
        "other_staff": other_staff.user,
        "leader": leader,
        "office": office,
        "superuser": superuser,  # counts as the campaign office
    }


def _assign(staff, *, linked: bool) -> AssignPayload:
    return AssignPayload(
        department=staff.department,
        responsible_staff=staff if linked else None,
        responsible_person="" if linked else "张晓明",
        deadline=FAR,
        milestones=(("办结答复", FAR),),
    )


@dataclass(frozen=True)
class Scenario:
    """A real move from a real state, and who must be told of it."""

    name: str
    status: str
    actor: str
    action: Action
    payload: Any  # a function of (staff, leader) returning the move's record
    told: frozenset[str]
    linked: bool = False  # the problem's responsible person has an account (before the move)


SCENARIOS = [
    Scenario("assign", Status.REPORTED, "cadre", Action.ASSIGN, lambda s, _l: _assign(s, linked=False),
             frozenset({"staff", "colleague"})),
    Scenario("assign-to-an-account", Status.REPORTED, "cadre", Action.ASSIGN, lambda s, _l: _assign(s, linked=True),
             frozenset({"staff"})),
    Scenario("assign-routed-again-by-the-office", Status.REOPENED, "office", Action.ASSIGN,
             lambda s, _l: _assign(s, linked=False), frozenset({"staff", "colleague", "cadre"})),
    Scenario("assign-an-escalation", Status.ESCALATED, "leader", Action.ASSIGN, lambda s, _l: _assign(s, linked=True),
             frozenset({"staff", "cadre"})),
    Scenario("resolve-the-departments-reply", Status.IN_PROGRESS, "staff", Action.RESOLVE,
             lambda s, _l: ResolvePayload(note="已办结"), frozenset({"cadre"})),
    Scenario("resolve-on-the-spot", Status.REPORTED, "cadre", Action.RESOLVE,
             lambda s, _l: ResolvePayload(note="当场解决"), frozenset()),
    Scenario("resolve-an-escalation", Status.ESCALATED, "leader", Action.RESOLVE,
             lambda s, _l: ResolvePayload(note="领导小组研究决定"), frozenset({"cadre"})),
    Scenario("escalate", Status.REPORTED, "cadre", Action.ESCALATE,
             lambda s, _l: EscalatePayload(note="共性问题"), frozenset({"leader"})),
    Scenario("return", Status.ASSIGNED, "staff", Action.RETURN,
             lambda s, _l: ReturnPayload(note="不属于本单位职责"), frozenset({"office", "superuser"})),
    Scenario("send-back", Status.ESCALATED, "leader", Action.SEND_BACK,
             lambda s, _l: SendBackPayload(note="不属于共性问题"), frozenset({"cadre"})),
    Scenario("reopen", Status.RESOLVED, "cadre", Action.REOPEN,
             lambda s, _l: FeedbackPayload(rating="dissatisfied", note="未解决"), frozenset({"office", "superuser"})),
    Scenario("request-extension", Status.IN_PROGRESS, "staff", Action.REQUEST_EXTENSION,
             lambda s, _l: ExtensionRequestPayload(new_deadline=FAR + datetime.timedelta(days=9), note="等待批复"),
             frozenset({"leader", "office", "superuser"})),
    Scenario("decide-extension", Status.IN_PROGRESS, "office", Action.DECIDE_EXTENSION,
             lambda s, _l: ExtensionDecisionPayload(approve=True), frozenset({"staff", "colleague"})),
    Scenario("decide-extension-for-an-account", Status.IN_PROGRESS, "leader", Action.DECIDE_EXTENSION,
             lambda s, _l: ExtensionDecisionPayload(approve=False), frozenset({"staff"}), linked=True),
    Scenario("reassign-to-another-units-account", Status.IN_PROGRESS, "office", Action.REASSIGN,
             lambda s, _l: ReassignPayload(
                 assignment=_assign(DepartmentStaff.objects.get(user__username="dave"), linked=True), note="职责调整"),
             frozenset({"staff", "colleague", "other_staff", "cadre"})),
    Scenario("accept", Status.ASSIGNED, "staff", Action.ACCEPT, lambda s, _l: AcceptPayload(), frozenset()),
    Scenario("progress", Status.IN_PROGRESS, "staff", Action.PROGRESS,
             lambda s, _l: ProgressPayload(note="进展顺利"), frozenset()),
    Scenario("link", Status.ESCALATED, "leader", Action.LINK,
             lambda s, leader: LinkPayload(matter=SystemicMatter.objects.create(title="共性问题", created_by=leader)),
             frozenset()),
    Scenario("close", Status.RESOLVED, "cadre", Action.CLOSE,
             lambda s, _l: FeedbackPayload(rating="satisfied"), frozenset()),
]  # fmt: skip


def _issue_for(scenario: Scenario, cadre, enterprise, staff) -> Issue:
    issue = issue_in(scenario.status, department=staff.department, enterprise=enterprise, reporter=cadre)
    if scenario.linked:
        issue.responsible_staff, issue.responsible_person = staff, staff.name
        issue.save()
    if scenario.action == Action.DECIDE_EXTENSION:
        ExtensionRequest.objects.create(
            issue=issue, requested_by=staff.user, old_deadline=FAR, new_deadline=FAR + datetime.timedelta(days=9),
            reason="等待批复",
        )  # fmt: skip
    return issue


@pytest.fixture
def make(crowd, cadre, enterprise, staff, leader, django_capture_on_commit_callbacks):
    """Make the scenario's move for real, committing it (its after-commit work runs); return the problem."""

    def _make(scenario: Scenario) -> Issue:
        issue = _issue_for(scenario, cadre, enterprise, staff)
        with django_capture_on_commit_callbacks(execute=True):
            issue_transition(
                issue_id=issue.pk,
                actor=crowd[scenario.actor],
                action=scenario.action,
                version=issue.version,
                payload=scenario.payload(staff, leader),
            )
        return issue

    return _make


def _told(crowd, user_ids) -> set[str]:
    names = {user.pk: name for name, user in crowd.items()}
    return {names[user_id] for user_id in user_ids}


# --- The table ---------------------------------------------------------------------------


def test_every_move_of_the_workflow_has_a_hand_over_entry_recipients_or_a_reason():
    for move in MOVES:
        entry = HANDOVERS.get(move.action)
        assert entry is not None, f"notifications/handovers.py: who is told of “{move.action}”, or Nobody(because=…)?"
        if isinstance(entry, Tell):
            assert entry.audiences and "%(title)s" in str(HANDED_OVER[move.action]), move.action
        else:
            assert isinstance(entry, Nobody) and len(entry.because) > 20, move.action
    # The report is no move of the table: its entry tells the cadre of the enterprise's own request.
    moves = {move.action for move in MOVES} | {Action.REPORT}
    assert set(HANDOVERS) == moves, "an entry for an action that is no move"


def test_every_entry_is_tried_by_a_real_move_below():
    # The report's entry is tried by the enterprise's request: tests/voice/test_services.py.
    assert {s.action for s in SCENARIOS} | {Action.REPORT} == set(HANDOVERS)


# --- Real moves --------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_a_move_tells_exactly_whose_turn_it_is_now_once_on_every_channel(scenario, make, crowd, queued):
    issue = make(scenario)
    event = IssueEvent.objects.filter(issue=issue).latest("pk")
    reminders = Reminder.objects.filter(kind=Kind.ISSUE_HANDED_OVER)
    assert _told(crowd, reminders.values_list("recipient_id", flat=True)) == scenario.told
    assert reminders.count() == len(scenario.told)  # each person once
    assert set(reminders.values_list("object_id", "period")) <= {(issue.pk, str(event.pk))}
    # The bell at once, in the move's own transaction; email handed to the workers after the commit.
    bell = Notification.objects.filter(kind=Kind.ISSUE_HANDED_OVER)
    assert _told(crowd, bell.values_list("recipient_id", flat=True)) == scenario.told
    assert set(bell.values_list("link", flat=True)) <= {reverse("issues:detail", args=[issue.pk])}
    assert not Delivery.objects.filter(channel="in_app", sent_at__isnull=True).exists()
    assert Delivery.objects.filter(channel="email", sent_at__isnull=True).count() == len(scenario.told)
    assert _told(crowd, queued) == scenario.told and len(queued) == len(scenario.told)


def test_the_notification_names_the_problem_the_unit_the_enterprise_the_actor_and_the_move(make, enterprise, staff):
    issue = make(SCENARIOS[0])  # the cadre assigns to the department, typing the person's name
    said = Notification.objects.filter(recipient=staff.user).get().text
    assert issue.title in said.title and staff.department.name in said.title
    assert enterprise.name in said.body and "王建国" in said.body and "张晓明" in said.body


def test_the_cadre_told_is_whoever_serves_the_enterprise_now(
    successor, former_enterprise, cadre, staff, department, django_capture_on_commit_callbacks
):
    """`cadre` reported it before handing the enterprise over; `successor` serves it now."""
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=former_enterprise, reporter=cadre)
    with django_capture_on_commit_callbacks(execute=True):
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.RESOLVE, version=0, payload=ResolvePayload(note="已办结")
        )
    assert list(Reminder.objects.values_list("recipient_id", flat=True)) == [successor.user_id]


def test_without_a_cadre_now_the_reporter_is_told(cadre, staff, department):
    lonely = PairingFactory(ended_on=datetime.date(2026, 9, 30)).enterprise  # its pairing has ended
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=lonely, reporter=cadre)
    issue_transition(
        issue_id=issue.pk, actor=staff.user, action=Action.RESOLVE, version=0, payload=ResolvePayload(note="已办结")
    )
    assert list(Reminder.objects.values_list("recipient_id", flat=True)) == [cadre.user_id]


def test_without_a_cadre_now_and_with_the_reporters_account_disabled_nobody_is_told(cadre, staff, department):
    lonely = PairingFactory(ended_on=datetime.date(2026, 9, 30)).enterprise
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=lonely, reporter=cadre)
    cadre.user.is_active = False
    cadre.user.save()
    issue_transition(
        issue_id=issue.pk, actor=staff.user, action=Action.RESOLVE, version=0, payload=ResolvePayload(note="已办结")
    )
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("gone", ["disabled", "moved"])
def test_a_linked_account_that_left_the_unit_falls_back_to_its_staff(
    gone, cadre, enterprise, staff, colleague, other_department, leader
):
    scenario = next(s for s in SCENARIOS if s.name == "decide-extension-for-an-account")
    issue = _issue_for(scenario, cadre, enterprise, staff)
    if gone == "disabled":
        staff.user.is_active = False
        staff.user.save()
    else:
        staff.department = other_department
        staff.save()
    issue_transition(
        issue_id=issue.pk, actor=leader, action=scenario.action, version=0, payload=scenario.payload(staff, leader)
    )
    assert list(Reminder.objects.values_list("recipient_id", flat=True)) == [colleague.user_id]


def test_a_systemic_matter_decided_once_tells_each_problems_cadre_and_the_unit_once_per_problem(
    leader, staff, cadre, enterprise, other_cadre, other_enterprise
):
    first = issue_in(Status.ESCALATED, enterprise=enterprise, reporter=cadre)
    second = issue_in(Status.ESCALATED, enterprise=other_enterprise, reporter=other_cadre)
    matter = matter_create(actor=leader, title="供电容量不足", issue_ids=[first.pk, second.pk])
    matter_decide(matter=matter, actor=leader, decision=_assign(staff, linked=True))
    told = sorted(Reminder.objects.values_list("object_id", "recipient_id"))
    assert told == sorted(
        [
            (first.pk, staff.user_id),
            (first.pk, cadre.user_id),
            (second.pk, staff.user_id),
            (second.pk, other_cadre.user_id),
        ]
    )


# --- Never for a move refused or undone, never twice -------------------------------------


def test_a_refused_move_tells_nobody(cadre, enterprise, staff, other_staff, queued, django_capture_on_commit_callbacks):
    issue = issue_in(Status.ASSIGNED, department=staff.department, enterprise=enterprise, reporter=cadre)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(MoveNotAllowed):
        issue_transition(
            issue_id=issue.pk, actor=other_staff.user, action=Action.RETURN, version=0, payload=ReturnPayload(note="x")
        )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError) as exc:
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.RETURN, version=0, payload=ReturnPayload(note=" ")
        )
    assert exc.value.code == "note_required"
    assert not Reminder.objects.exists() and not Notification.objects.exists() and queued == []


def test_a_move_rolled_back_after_it_was_made_tells_nobody(
    cadre, enterprise, staff, office, queued, django_capture_on_commit_callbacks
):
    issue = issue_in(Status.ASSIGNED, department=staff.department, enterprise=enterprise, reporter=cadre)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.RETURN, version=0, payload=ReturnPayload(note="退回")
        )
        assert Reminder.objects.filter(recipient=office).exists()  # recorded inside the move…
        raise RuntimeError("something later in the same transaction fails")
    assert callbacks == []  # …and its after-commit hand-over to email was dropped with it
    assert not Reminder.objects.exists() and not Notification.objects.exists() and not Delivery.objects.exists()
    assert queued == []
    issue.refresh_from_db()
    assert issue.status == Status.ASSIGNED


def test_a_repeat_of_the_hand_over_records_and_sends_nothing_twice(
    make, crowd, staff, queued, django_capture_on_commit_callbacks
):
    staff.user.email = "charlie@bangqiao.local"
    staff.user.save()
    issue = make(SCENARIOS[0])
    event = IssueEvent.objects.filter(issue=issue).latest("pk")
    assert reminders_deliver(recipient_id=staff.user_id) == 1  # the worker: the email
    assert len(mail.outbox) == 1 and issue.title in mail.outbox[0].body
    before = (Reminder.objects.count(), Delivery.objects.count(), Notification.objects.count(), len(queued))

    # The receiver run again for the same move (a retried signal, a replayed hand-over): nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = handover_record(
            move=MoveMade(
                issue=Issue.objects.get(pk=issue.pk),
                event=event,
                from_department_id=None,
                from_responsible_staff_id=None,
            )
        )
    assert again == []
    assert (Reminder.objects.count(), Delivery.objects.count(), Notification.objects.count(), len(queued)) == before
    assert reminders_deliver(recipient_id=staff.user_id) == 0 and len(mail.outbox) == 1


def test_a_page_resubmitted_after_the_move_is_refused_as_stale_and_tells_nobody_again(
    cadre, enterprise, staff, department, office
):
    issue = issue_in(Status.ASSIGNED, department=department, enterprise=enterprise, reporter=cadre)
    issue_transition(
        issue_id=issue.pk, actor=staff.user, action=Action.RETURN, version=0, payload=ReturnPayload(note="退回")
    )
    with pytest.raises(StaleIssue):
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.RETURN, version=0, payload=ReturnPayload(note="退回")
        )
    assert Reminder.objects.filter(recipient=office).count() == 1


# --- A reassignment (issue 10's other part) is one entry ---------------------------------


def test_the_former_unit_is_its_responsible_account_or_its_staff_as_before_the_move(
    cadre, enterprise, staff, colleague, other_staff, leader
):
    """What an `Action.REASSIGN: Tell((FORMER_UNIT, UNIT), …)` entry would tell: the old desk and the new."""
    issue = issue_in(Status.ASSIGNED, department=other_staff.department, enterprise=enterprise, reporter=cadre)
    event = IssueEvent.objects.create(issue=issue, actor=leader, action=Action.ASSIGN, to_status=Status.ASSIGNED)
    moved = MoveMade(issue=issue, event=event, from_department_id=staff.department_id, from_responsible_staff_id=None)
    assert set(recipients(moved, (FORMER_UNIT, UNIT), People())) == {
        staff.user_id,
        colleague.user_id,
        other_staff.user_id,
    }
    linked = replace(moved, from_responsible_staff_id=colleague.pk)
    assert set(recipients(linked, (FORMER_UNIT, UNIT), People())) == {colleague.user_id, other_staff.user_id}


# --- Set-based: a fixed number of queries per move --------------------------------------


def _queries(scenario, cadre, enterprise, staff, crowd) -> int:
    issue = _issue_for(scenario, cadre, enterprise, staff)
    payload = scenario.payload(staff, crowd["leader"])
    actor = crowd[scenario.actor]
    actor = type(actor).objects.get(pk=actor.pk)  # a fresh user, as a request has
    with CaptureQueriesContext(connection) as queries:
        issue_transition(issue_id=issue.pk, actor=actor, action=scenario.action, version=0, payload=payload)
    return len(queries)


# What telling costs each move on top of the move itself: a query per audience (the unit's desk, the
# cadre, each group), the enterprise's name, then four writes whatever the number of people: the
# reminders, which of them are new, their deliveries, the bell. Nothing for a move that tells nobody.
HANDOVER_QUERIES = {
    "assign": 2 + 1 + 4,
    "assign-to-an-account": 2 + 1 + 4,
    "assign-routed-again-by-the-office": 2 + 1 + 4,
    "assign-an-escalation": 2 + 1 + 4,
    "resolve-the-departments-reply": 1 + 1 + 4,
    "resolve-on-the-spot": 1,  # the cadre is the actor: found, left out, nothing written
    "resolve-an-escalation": 1 + 1 + 4,
    "escalate": 1 + 1 + 4,
    "return": 1 + 1 + 4,
    "send-back": 1 + 1 + 4,
    "reopen": 1 + 1 + 4,
    "request-extension": 2 + 1 + 4,
    "decide-extension": 1 + 1 + 4,
    "decide-extension-for-an-account": 1 + 1 + 4,
    "reassign-to-another-units-account": 2 + 1 + 4,  # both units in one query, the cadre in one
    "accept": 0,
    "progress": 0,
    "link": 0,
    "close": 0,
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_telling_costs_a_fixed_number_of_queries_whatever_the_number_of_people(
    scenario, cadre, enterprise, staff, crowd, department
):
    issue_moved.disconnect(sender=Issue, dispatch_uid="notifications.handovers")
    try:
        silent = _queries(scenario, cadre, enterprise, staff, crowd)
    finally:
        issue_moved.connect(on_issue_moved, sender=Issue, dispatch_uid="notifications.handovers")
    told = _queries(scenario, cadre, enterprise, staff, crowd)
    DepartmentStaffFactory.create_batch(6, department=department)
    UserFactory.create_batch(4, roles=[Role.LEADING_GROUP])
    UserFactory.create_batch(4, roles=[Role.CAMPAIGN_OFFICE])
    assert _queries(scenario, cadre, enterprise, staff, crowd) == told
    assert told - silent == HANDOVER_QUERIES[scenario.name]


# --- The deadline reminders go to the same people ----------------------------------------


@pytest.mark.parametrize(("deadline", "kind"), [(TODAY + datetime.timedelta(days=1), Kind.ISSUE_DUE_SOON),
                                                (TODAY - datetime.timedelta(days=1), Kind.ISSUE_OVERDUE)])  # fmt: skip
def test_the_deadline_reminders_go_to_the_linked_account_alone_else_to_the_units_staff(
    deadline, kind, cadre, enterprise, staff, colleague
):
    issue = issue_in(Status.IN_PROGRESS, department=staff.department, enterprise=enterprise, reporter=cadre)
    issue.deadline = deadline
    issue.save()

    def staff_reminded() -> set[int]:
        return {d.recipient_id for d in scan(now=NOW) if d.kind == kind} - {cadre.user_id}

    assert staff_reminded() == {staff.user_id, colleague.user_id}  # a typed name: the whole unit
    issue.responsible_staff = colleague
    issue.save()
    assert staff_reminded() == {colleague.user_id}
    colleague.user.is_active = False
    colleague.user.save()
    assert staff_reminded() == {staff.user_id}  # the account was disabled: the unit's staff again
