"""The campaign office adds a unit's staff member in the admin: the login, the role and the record at once."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from organisation.models import Department, DepartmentStaff
from tests.factories import DepartmentFactory, DepartmentStaffFactory, UserFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:organisation_departmentstaff_add")


@pytest.fixture
def street(db):
    return DepartmentFactory(name="十里铺街道办事处", kind=Department.Kind.STREET)


@pytest.fixture
def logged_in(client, clerk):
    response = client.post(reverse("login"), {"username": clerk.username, "password": "secret-pass-123"})
    assert response.status_code == 302
    return client


def _staff(street, **extra) -> dict:
    return {
        "department": street.pk,
        "name": "周敏",
        "phone": "13800000000",
        "username": "jiedao-shilipu",
        "password1": "Jiedao-banshi-2026",
        "password2": "Jiedao-banshi-2026",
        "user": "",
        **extra,
    }


def _codes(response) -> set[str]:
    form = response.context["adminform"].form
    return {error.code for errors in form.errors.as_data().values() for error in errors}


def test_the_office_adds_a_staff_member_with_a_new_login(logged_in, street):
    assert not Department.objects.can_receive().filter(pk=street.pk).exists()
    response = logged_in.post(ADD, _staff(street))
    assert response.status_code == 302
    staff = DepartmentStaff.objects.get(department=street)
    assert staff.name == "周敏" and staff.user.username == "jiedao-shilipu"
    assert staff.user.check_password("Jiedao-banshi-2026") and staff.user.first_name == "周敏"
    assert list(staff.user.groups.values_list("name", flat=True)) == [Role.DEPARTMENT_STAFF]
    assert not staff.user.is_staff and not staff.user.is_superuser
    assert Department.objects.can_receive().filter(pk=street.pk).exists()


def test_the_office_appoints_an_account_made_earlier(logged_in, street):
    account = UserFactory(username="zhoumin")
    response = logged_in.post(ADD, _staff(street, username="", password1="", password2="", user=account.pk))
    assert response.status_code == 302
    assert DepartmentStaff.objects.get(user=account).department == street
    assert Role.DEPARTMENT_STAFF in account.groups.values_list("name", flat=True)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"username": ""}, "account_choice"),  # neither a new login nor an account
        ({"user": "existing"}, "account_choice"),  # both
        ({"username": "judy"}, "username_taken"),
        ({"password2": "Another-pass-2026"}, "password_mismatch"),
        ({"password1": "", "password2": ""}, "required"),
        ({"password1": "12345678", "password2": "12345678"}, "password_too_common"),
        ({"username": "", "user": "superuser"}, "invalid_choice"),  # not an account the office administers
        ({"username": "", "user": "staff"}, "invalid_choice"),  # a unit's staff member already
    ],
)
def test_a_staff_member_the_form_refuses_writes_nothing(logged_in, street, superuser, staff, change, code):
    existing = UserFactory(username="zhoumin")
    accounts = {"existing": existing.pk, "superuser": superuser.pk, "staff": staff.user.pk}
    before = (User.objects.count(), DepartmentStaff.objects.count(), list(superuser.groups.all()))
    response = logged_in.post(ADD, _staff(street, **{k: accounts.get(v, v) for k, v in change.items()}))
    assert response.status_code == 200
    assert code in _codes(response)
    assert (User.objects.count(), DepartmentStaff.objects.count(), list(superuser.groups.all())) == before


def test_the_add_page_comes_with_the_unit_chosen(logged_in, street):
    form = logged_in.get(ADD, {"department": street.pk}).context["adminform"].form
    assert form.initial["department"] == str(street.pk)
    assert {"username", "password1", "password2", "user"} <= set(form.fields)


def test_the_account_of_a_staff_record_is_not_changed_here(logged_in, staff):
    form = logged_in.get(reverse("admin:organisation_departmentstaff_change", args=[staff.pk])).context["adminform"]
    assert "user" not in form.form.fields and "username" not in form.form.fields


def test_the_unit_list_shows_who_can_act_and_leads_to_adding_staff(logged_in, street, staff):
    url = reverse("admin:organisation_department_changelist")
    body = logged_in.get(url).content.decode()
    assert f"{ADD}?department={street.pk}" in body
    waiting = logged_in.get(url, {"receives": "no"}).context["cl"].result_list
    assert list(waiting) == [street]
    receiving = logged_in.get(url, {"receives": "yes"}).context["cl"].result_list
    assert list(receiving) == [staff.department]


@pytest.mark.parametrize("name", ["organisation_department_changelist", "organisation_departmentstaff_changelist"])
def test_the_unit_and_staff_lists_run_as_many_queries_for_more_units(logged_in, name):
    def count() -> int:
        logged_in.get(reverse(f"admin:{name}"))
        with CaptureQueriesContext(connection) as ctx:
            assert logged_in.get(reverse(f"admin:{name}")).status_code == 200
        return len(ctx)

    DepartmentStaffFactory.create_batch(3)
    small = count()
    DepartmentStaffFactory.create_batch(20)
    assert count() == small


def test_the_clerks_account_picker_offers_only_accounts_it_administers(logged_in, superuser):
    UserFactory(username="zhoumin")
    params = {"app_label": "organisation", "model_name": "departmentstaff", "field_name": "user", "term": ""}
    found = {row["text"] for row in logged_in.get(reverse("admin:autocomplete"), params).json()["results"]}
    assert "zhoumin" in found and superuser.username not in found
