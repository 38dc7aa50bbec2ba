"""Each move is one typed record: the registry, the records, and the refusal of a record of the wrong type."""

import dataclasses
import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from issues.models import Action, Issue, IssueEvent, Milestone, Status, SystemicMatter
from issues.moves import MOVE_SPECS, move_form
from issues.payloads import AcceptPayload, FeedbackPayload, ProgressPayload, ResolvePayload
from issues.services import issue_transition
from issues.workflow import MOVES
from tests.factories import issue_in
from tests.submissions import with_token

pytestmark = pytest.mark.django_db


def test_the_registry_names_every_move_of_the_table_and_nothing_else():
    assert set(MOVE_SPECS) == {move.action for move in MOVES}


@pytest.mark.parametrize(
    "build",
    [
        lambda: ProgressPayload(milestone=3),  # the field is milestone_id
        lambda: FeedbackPayload(rating="dissatisfied", comment="未落实"),  # the field is note
        lambda: ResolvePayload(),  # a resolution says how
        lambda: AcceptPayload(""),  # keyword-only: no guessing which field a value is
    ],
    ids=["misspelled", "misspelled-note", "missing", "positional"],
)
def test_a_misspelled_missing_or_positional_field_is_a_type_error(build):
    with pytest.raises(TypeError):
        build()


def test_a_record_cannot_be_changed_once_made():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ResolvePayload(note="当场解决").note = "改"  # type: ignore[misc]


def test_a_payload_of_the_wrong_type_for_the_move_is_refused_before_anything_is_read(report, assignment, staff):
    issue = report(assignment)
    with pytest.raises(TypeError, match="AcceptPayload"):
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.ACCEPT, version=issue.version, payload=assignment
        )
    issue.refresh_from_db()
    assert issue.status == Status.ASSIGNED and issue.version == 1
    assert IssueEvent.objects.filter(issue=issue).count() == 2


def test_a_route_that_is_not_one_of_the_three_ways_is_refused_and_nothing_is_written(report):
    with pytest.raises(TypeError):
        report(AcceptPayload(note="当场解决"))
    assert not Issue.objects.exists()


def test_a_note_is_trimmed_before_the_move_sees_it(report):
    issue = report(ResolvePayload(note="  现场协调，当场解决。 \n"))
    assert issue.resolution == "现场协调，当场解决。"


def _valid_post(action, issue, department, leader) -> dict:
    """What a user would submit on the problem's page for each move."""
    soon = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    fields = {
        Action.ASSIGN: {"department": department.pk, "responsible_person": "张晓明", "deadline": soon},
        Action.REASSIGN: {"department": department.pk, "responsible_person": "李娜", "deadline": soon, "note": "理由"},
        Action.PROGRESS: {"note": "进展顺利"},
        Action.REQUEST_EXTENSION: {"new_deadline": "2030-12-31", "note": "理由"},
        Action.DECIDE_EXTENSION: {"approve": "yes"},
        Action.LINK: {"matter": SystemicMatter.objects.create(title="共性问题", created_by=leader).pk},
        Action.CLOSE: {"rating": "satisfied"},
        Action.REOPEN: {"rating": "dissatisfied", "note": "未解决"},
    }.get(action, {"note": "说明"})
    form = move_form(action, issue)
    data = QueryDict(mutable=True)
    data.update({form.add_prefix(name): value for name, value in {**fields, "version": issue.version}.items()})
    data.update(with_token())  # unprefixed, in every form
    return data


@pytest.mark.parametrize("action", list(MOVE_SPECS))
def test_every_moves_form_builds_the_record_the_move_takes(action, department, staff, leader):
    issue = issue_in(Status.IN_PROGRESS, department=department)
    Milestone.objects.create(issue=issue, title="核实材料", planned_on=datetime.date(2099, 1, 1), department=department)
    form = move_form(action, issue, data=_valid_post(action, issue, department, leader))
    assert isinstance(form, MOVE_SPECS[action].form)
    assert form.is_valid(), form.errors
    assert isinstance(form.payload(), MOVE_SPECS[action].payload)


def test_the_assign_form_suggests_the_categorys_deadline_and_the_progress_form_lists_open_milestones(department):
    issue = issue_in(Status.IN_PROGRESS, department=department)
    planned = {"issue": issue, "planned_on": datetime.date(2099, 1, 1), "department": department}
    Milestone.objects.create(title="已完成", done_on=datetime.date(2026, 1, 1), **planned)
    todo = Milestone.objects.create(title="待完成", **planned)
    Milestone.objects.create(title="已退回", superseded=True, **planned)
    assign = move_form(Action.ASSIGN, issue)
    assert assign.initial["deadline"] == issue.category.default_deadline(timezone.localdate())
    choices = [value for value, _label in move_form(Action.PROGRESS, issue).fields["milestone"].choices]
    assert choices == ["", todo.pk]
    assert move_form(Action.CLOSE, issue).prefix == move_form(Action.REOPEN, issue).prefix == "feedback"
