"""The responsible person: a staff account of the chosen department, or a name typed for someone without one."""

import datetime
from dataclasses import replace

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone

from issues.errors import WorkflowError
from issues.models import Action, Issue, Milestone, Status
from issues.payloads import AcceptPayload, EscalatePayload, FeedbackPayload, ResolvePayload, ReturnPayload
from issues.services import matter_create
from tests.factories import DepartmentStaffFactory, category, issue_in
from tests.submissions import with_token

# `department` receives problems only while someone there can accept them: `staff` works there.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff")]


def test_an_assignment_to_a_staff_account_links_it_and_shows_its_name(report, assignment, staff):
    issue = report(replace(assignment, responsible_staff=staff, responsible_person=""))
    assert issue.responsible_staff == staff and issue.responsible_person == staff.name


def test_a_typed_name_is_kept_without_an_account(report, assignment):
    issue = report(assignment)
    assert issue.responsible_staff is None and issue.responsible_person == "张晓明"


def test_the_same_name_typed_beside_the_account_is_no_conflict(report, assignment, staff):
    issue = report(replace(assignment, responsible_staff=staff, responsible_person=f" {staff.name} "))
    assert issue.responsible_staff == staff


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda other_staff, staff: {"responsible_staff": other_staff, "responsible_person": ""}, "staff_not_in_unit"),
        (lambda other_staff, staff: {"responsible_staff": staff, "responsible_person": "李四"}, "person_conflict"),
        (lambda other_staff, staff: {"responsible_staff": None, "responsible_person": ""}, "person_required"),
    ],
    ids=["other-unit", "both", "neither"],
)
def test_an_account_outside_the_unit_or_a_second_name_is_refused_and_nothing_written(
    report, assignment, staff, other_staff, change, code
):
    with pytest.raises(WorkflowError) as exc:
        report(replace(assignment, **change(other_staff, staff)))
    assert exc.value.code == code
    assert not Issue.objects.exists() and not Milestone.objects.exists()


@pytest.mark.parametrize("leave", ["return", "reopen"])
def test_a_problem_that_leaves_the_department_drops_the_account(report, assignment, staff, cadre, move, leave):
    issue = report(replace(assignment, responsible_staff=staff, responsible_person=""))
    if leave == "return":
        move(issue, staff.user, Action.RETURN, ReturnPayload(note="不属于本单位职责"))
    else:
        move(issue, staff.user, Action.ACCEPT, AcceptPayload())
        move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"))
        move(issue, cadre.user, Action.REOPEN, FeedbackPayload(rating="dissatisfied", note="未解决"))
    issue.refresh_from_db()
    assert issue.responsible_staff is None and issue.responsible_person == ""


# --- The forms ---------------------------------------------------------------------------


def _report_post(department, **fields) -> dict:
    deadline = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    return {
        "title": "用电增容",
        "category": category("utilities").pk,
        "route": "assign",
        "department": department.pk,
        "deadline": deadline,
        "milestone_1": "现场勘查",
        "milestone_1_on": deadline,
        **fields,
    }


def test_the_report_form_links_the_staff_account_picked(client, cadre, department, staff):
    client.force_login(cadre.user)
    response = client.post(reverse("issues:report"), with_token(_report_post(department, responsible_staff=staff.pk)))
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert issue.responsible_staff == staff and issue.responsible_person == staff.name


def test_the_report_form_refuses_another_units_staff_and_saves_nothing(client, cadre, department, staff, other_staff):
    client.force_login(cadre.user)
    response = client.post(
        reverse("issues:report"), with_token(_report_post(department, responsible_staff=other_staff.pk))
    )
    assert response.status_code == 400
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "staff_not_in_unit")
    assert not Issue.objects.exists()


def test_an_inactive_account_cannot_be_picked(client, cadre, department):
    gone = DepartmentStaffFactory(department=department, user__is_active=False)
    client.force_login(cadre.user)
    response = client.post(reverse("issues:report"), with_token(_report_post(department, responsible_staff=gone.pk)))
    assert response.status_code == 400
    assert response.context["form"].has_error("responsible_staff", "invalid_choice")
    assert not Issue.objects.exists()


def test_each_staff_option_names_its_department_for_the_page_to_filter(client, cadre, staff, other_staff):
    client.force_login(cadre.user)
    body = client.get(reverse("issues:report")).content.decode()
    assert f'<option value="{staff.pk}" data-department="{staff.department_id}">' in body
    assert f'<option value="{other_staff.pk}" data-department="{other_staff.department_id}">' in body
    assert "js/roadmap.js" in body


def test_the_assign_move_on_the_problem_page_links_the_account(client, office, staff, department):
    issue = issue_in(Status.REPORTED)
    client.force_login(office)
    page = client.get(reverse("issues:detail", args=[issue.pk])).content.decode()
    assert 'name="assign-responsible_staff"' in page and "js/roadmap.js" in page
    soon = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("issues:act", args=[issue.pk, Action.ASSIGN]),
        with_token(
            {
                "assign-version": issue.version,
                "assign-department": department.pk,
                "assign-responsible_staff": staff.pk,
                "assign-deadline": soon,
                "assign-milestone_1": "核实",
            }
        ),
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Status.ASSIGNED and issue.responsible_staff == staff
    assert 'id="responsible-account"' in client.get(reverse("issues:detail", args=[issue.pk])).content.decode()


def test_the_assign_move_refuses_another_units_staff_with_its_code(client, office, staff, other_staff, department):
    issue = issue_in(Status.REPORTED)
    client.force_login(office)
    soon = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("issues:act", args=[issue.pk, Action.ASSIGN]),
        with_token(
            {
                "assign-version": issue.version,
                "assign-department": department.pk,
                "assign-responsible_staff": other_staff.pk,
                "assign-deadline": soon,
                "assign-milestone_1": "核实",
            }
        ),
        follow=True,
    )
    assert [m.extra_tags for m in response.context["messages"]] == ["staff_not_in_unit"]
    issue.refresh_from_db()
    assert issue.status == Status.REPORTED and issue.responsible_staff is None


def test_the_matter_decision_assigns_every_problem_to_the_account(client, leader, report, staff, department):
    first, second = (report(EscalatePayload(note="共性问题")) for _ in range(2))
    matter = matter_create(actor=leader, title="供电容量不足", issue_ids=[first.pk, second.pk])
    client.force_login(leader)
    assert 'name="responsible_staff"' in client.get(reverse("issues:matter", args=[matter.pk])).content.decode()
    soon = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("issues:matter_decide", args=[matter.pk]),
        with_token(
            {
                "decision": Action.ASSIGN,
                "note": "统筹解决",
                "department": department.pk,
                "responsible_staff": staff.pk,
                "deadline": soon,
                "milestone_1": "统筹",
            }
        ),
    )
    assert response.status_code == 302
    assert set(Issue.objects.values_list("responsible_staff", flat=True)) == {staff.pk}


def test_a_problem_raised_in_a_visit_links_the_account(client, cadre, department, staff):
    from visits.models import Visit

    client.force_login(cadre.user)
    today = timezone.localdate()
    page = client.get(reverse("visits:visit_new")).content.decode()
    assert "js/roadmap.js" in page
    response = client.post(
        reverse("visits:visit_new"),
        {
            "visited_on": today.isoformat(),
            "mode": Visit.Mode.ON_SITE,
            "summary": "走访",
            **with_token(),
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0",
            **{f"problems-0-{k}": v for k, v in _report_post(department, responsible_staff=staff.pk).items()},
        },
    )
    assert response.status_code == 302
    assert Issue.objects.get().responsible_staff == staff
