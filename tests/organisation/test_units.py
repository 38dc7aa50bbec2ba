"""Every unit that can receive a problem has someone to accept it (Department.objects.can_receive)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from issues.forms import AssignForm, ReportForm
from issues.models import Action, Issue, IssueEvent, Status
from issues.payloads import AssignPayload
from issues.services import WorkflowError, issue_report, issue_transition
from organisation.models import Department
from tests.factories import CadreFactory, DepartmentFactory, DepartmentStaffFactory, UserFactory, category, issue_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(db):
    """A street office with no staff account yet, as on day one of a real install."""
    return DepartmentFactory(name="纺织城街道办事处", kind=Department.Kind.STREET)


def _assignment(department) -> AssignPayload:
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    return AssignPayload(
        department=department, responsible_person="王主任", deadline=deadline, milestones=(("办结答复", deadline),)
    )


def test_a_unit_receives_problems_only_while_someone_there_can_act(street):
    assert list(Department.objects.can_receive()) == []
    assert list(Department.objects.awaiting_staff()) == [street]
    staff = DepartmentStaffFactory(department=street)
    assert list(Department.objects.can_receive()) == [street]
    assert list(Department.objects.awaiting_staff()) == []

    staff.user.is_active = False  # the only account deactivated
    staff.user.save()
    assert list(Department.objects.can_receive()) == [] and list(Department.objects.awaiting_staff()) == [street]


def test_a_staff_record_without_the_role_cannot_act_for_its_unit(street):
    DepartmentStaffFactory(department=street, user=UserFactory(roles=[Role.CADRE]))
    assert list(Department.objects.can_receive()) == []


def test_an_inactive_unit_receives_nothing_even_with_staff(staff, department):
    department.is_active = False
    department.save()
    assert list(Department.objects.can_receive()) == [] and list(Department.objects.awaiting_staff()) == []


def test_the_assign_forms_offer_only_units_that_can_receive(street, staff, department):
    issue = issue_in(Status.REPORTED)
    for form in (ReportForm(), AssignForm(issue=issue)):
        offered = list(form.fields["department"].queryset)
        assert department in offered and street not in offered
        assert street in form.units_awaiting_staff and department not in form.units_awaiting_staff
    posted = ReportForm({"title": "用地", "category": category().pk, "route": "assign", "department": street.pk})
    assert not posted.is_valid() and posted.has_error("department", "invalid_choice")


@pytest.mark.parametrize("route", ["report", "assign"])
def test_the_service_refuses_a_unit_without_staff_and_writes_nothing(cadre, enterprise, office, street, route):
    if route == "report":
        with pytest.raises(WorkflowError) as refused:
            issue_report(
                actor=cadre.user, enterprise=enterprise, title="用地", category=category(), route=_assignment(street)
            )
        assert not Issue.objects.exists()
    else:
        issue = issue_in(Status.REPORTED, enterprise=enterprise)
        with pytest.raises(WorkflowError) as refused:
            issue_transition(
                issue_id=issue.pk, actor=office, action=Action.ASSIGN, version=None, payload=_assignment(street)
            )
        issue.refresh_from_db()
        assert issue.status == Status.REPORTED and issue.department is None and not issue.milestones.exists()
        assert not IssueEvent.objects.filter(issue=issue).exists()
    assert refused.value.code == "unit_without_staff"


def test_the_service_refuses_an_inactive_unit(office, staff, department):
    department.is_active = False
    department.save()
    issue = issue_in(Status.REPORTED)
    with pytest.raises(WorkflowError) as refused:
        issue_transition(
            issue_id=issue.pk, actor=office, action=Action.ASSIGN, version=None, payload=_assignment(department)
        )
    assert refused.value.code == "unit_inactive"


def test_a_clerk_is_told_which_units_wait_for_staff_and_led_to_add_it(client, clerk, street, staff):
    issue = issue_in(Status.REPORTED)
    client.force_login(clerk)
    body = client.get(reverse("issues:detail", args=[issue.pk])).content.decode()
    add = reverse("admin:organisation_departmentstaff_add") + f"?department={street.pk}"
    assert "units-awaiting-staff" in body and f'href="{add}"' in body


def test_the_leading_group_is_told_which_units_wait_for_staff_without_the_admin_link(client, leader, street, staff):
    issue = issue_in(Status.ESCALATED)
    client.force_login(leader)
    body = client.get(reverse("issues:detail", args=[issue.pk])).content.decode()
    assert "units-awaiting-staff" in body and street.name in body
    assert reverse("admin:organisation_departmentstaff_add") not in body


def test_no_note_when_every_unit_can_receive(client, leader, staff):
    issue = issue_in(Status.ESCALATED, reporter=CadreFactory(unit=None))
    client.force_login(leader)
    body = client.get(reverse("issues:detail", args=[issue.pk])).content.decode()
    assert "units-awaiting-staff" not in body
