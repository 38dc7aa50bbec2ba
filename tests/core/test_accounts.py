"""A campaign-office clerk administers accounts within the portal's roles, and nothing beyond them."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:auth_user_add")


def _change(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def _log_in(client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": "secret-pass-123"})
    assert response.status_code == 302, "the login was refused"


def _role(name: str) -> int:
    return Group.objects.get(name=name).pk


def _new_account(**extra) -> dict:
    return {
        "username": "new-cadre",
        "first_name": "新干部",
        "email": "",
        "usable_password": "true",
        "password1": "Qiye-fuwu-2026",
        "password2": "Qiye-fuwu-2026",
        "groups": [_role(Role.CADRE)],
        **extra,
    }


def _account_fields(user) -> dict:
    """What a clerk's change form posts for this account as it is."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "groups": [g.pk for g in user.groups.all()],
    }


def _codes(response) -> set[str]:
    form = response.context["adminform"].form
    return {error.code for errors in form.errors.as_data().values() for error in errors}


@pytest.fixture
def account(db):
    """An ordinary account the clerk looks after: a cadre's."""
    return UserFactory(username="kim", first_name="金晓", roles=[Role.CADRE])


def test_a_clerk_creates_an_account_with_a_portal_role(client, clerk):
    _log_in(client, "judy")
    response = client.post(ADD, _new_account(groups=[_role(Role.CADRE), _role(Role.LEADING_GROUP)]))
    assert response.status_code == 302
    made = User.objects.get(username="new-cadre")
    assert made.first_name == "新干部" and made.check_password("Qiye-fuwu-2026")
    assert set(made.groups.values_list("name", flat=True)) == {Role.CADRE, Role.LEADING_GROUP}
    assert not made.is_staff and not made.is_superuser and not made.user_permissions.exists()


def test_a_clerk_sees_only_the_fields_within_the_roles(client, clerk, account):
    _log_in(client, "judy")
    for url in (ADD, _change(account)):
        form = client.get(url).context["adminform"].form
        assert not {"is_superuser", "is_staff", "user_permissions"} & set(form.fields)
        assert {label for _pk, label in form.fields["groups"].choices} == {str(r.label) for r in Role}


@pytest.mark.parametrize(
    "forged",
    [{"is_superuser": "on"}, {"is_staff": "on"}, {"user_permissions": "perm"}, {"groups": "other"}],
    ids=["superuser", "staff", "permissions", "other-group"],
)
def test_a_forged_new_account_beyond_the_roles_is_refused_and_nothing_written(client, clerk, forged):
    _log_in(client, "judy")
    other = Group.objects.create(name="auditors")
    values = {"perm": [Permission.objects.get(codename="change_group").pk], "other": [other.pk]}
    before = User.objects.count()
    response = client.post(ADD, _new_account(**{k: values.get(v, v) for k, v in forged.items()}))
    assert response.status_code == 200
    assert _codes(response) & {"beyond_portal_roles", "invalid_choice"}
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "forged",
    [{"is_superuser": "on"}, {"is_staff": "on"}, {"user_permissions": "perm"}, {"groups": "other"}],
    ids=["superuser", "staff", "permissions", "other-group"],
)
def test_a_clerks_forged_grant_on_an_account_is_refused_and_nothing_written(client, clerk, account, forged):
    _log_in(client, "judy")
    other = Group.objects.create(name="auditors")
    values = {"perm": [Permission.objects.get(codename="change_group").pk], "other": [other.pk]}
    data = {**_account_fields(account), "first_name": "改了名字"}
    data.update({k: values.get(v, v) for k, v in forged.items()})
    response = client.post(_change(account), data)
    assert response.status_code == 200
    assert _codes(response) & {"beyond_portal_roles", "invalid_choice"}
    account.refresh_from_db()
    assert account.first_name == "金晓"
    assert not account.is_staff and not account.is_superuser and not account.user_permissions.exists()
    assert set(account.groups.values_list("name", flat=True)) == {Role.CADRE}


def test_a_clerk_deactivates_an_account_and_changes_its_roles(client, clerk, account):
    _log_in(client, "judy")
    data = {**_account_fields(account), "is_active": "", "groups": [_role(Role.DEPARTMENT_STAFF)]}
    assert client.post(_change(account), data).status_code == 302
    account.refresh_from_db()
    assert not account.is_active
    assert list(account.groups.values_list("name", flat=True)) == [Role.DEPARTMENT_STAFF]


def test_a_clerk_resets_a_password(client, clerk, account):
    _log_in(client, "judy")
    url = reverse("admin:auth_user_password_change", args=[account.pk])
    response = client.post(url, {"usable_password": "true", "password1": "Xin-mima-2026", "password2": "Xin-mima-2026"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_password("Xin-mima-2026")


@pytest.mark.parametrize("kind", ["superuser", "raw_permission", "other_group"])
def test_a_clerk_cannot_change_an_account_holding_more_than_the_roles(client, clerk, superuser, kind):
    _log_in(client, "judy")
    target = superuser
    if kind == "raw_permission":
        target = UserFactory(username="lee")
        target.user_permissions.add(Permission.objects.get(codename="delete_issue"))
    elif kind == "other_group":
        target = UserFactory(username="lee")
        target.groups.add(Group.objects.create(name="auditors"))
    before = target.password
    page = client.get(_change(target))
    assert page.status_code == 200 and not page.context["has_change_permission"]  # shown read-only
    assert client.post(_change(target), {**_account_fields(target), "first_name": "x"}).status_code == 403
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"password1": "Xin-mima-2026", "password2": "Xin-mima-2026"}).status_code == 403
    target.refresh_from_db()
    assert target.password == before and target.first_name != "x"


def test_the_server_refuses_a_grant_even_past_the_form(clerk, account):
    """save_model checks what is about to be written, whatever form produced it."""
    model_admin = site._registry[User]
    request = RequestFactory().post("/")
    request.user = clerk
    account.is_superuser = True
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, account, form=None, change=True)
    account.is_superuser, account.is_staff = False, True
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, account, form=None, change=True)
    account.refresh_from_db()
    assert not account.is_superuser and not account.is_staff


def test_a_superuser_keeps_djangos_full_user_admin(client, superuser, account):
    _log_in(client, "grace")
    form = client.get(_change(account)).context["adminform"].form
    assert {"is_superuser", "is_staff", "user_permissions"} <= set(form.fields)
    data = {**_account_fields(account), "is_staff": "on", "password": "", "last_login_0": "", "last_login_1": ""}
    data |= {"date_joined_0": "2026-06-17", "date_joined_1": "09:00:00"}
    assert client.post(_change(account), data).status_code == 302
    account.refresh_from_db()
    assert account.is_staff


def test_the_account_list_filters_by_role_named_in_chinese(client, clerk, account, leader):
    _log_in(client, "judy")
    response = client.get(reverse("admin:auth_user_changelist"), {"role": Role.CADRE})
    assert [u.username for u in response.context["cl"].result_list] == ["kim"]
    assert "助企干部" in response.content.decode() and "领导小组" in response.content.decode()
