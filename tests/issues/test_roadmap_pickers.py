"""The roadmap's unit and person as search pickers past a district's size (issues/pickers.py, core/pickers.py).

A district's units stay plain selects; a city's or a province's are searched: the visit form's problem card
holds the chosen rows only, the search (`pick`) answers at most `LIMIT` rows the form accepts, the person
narrowed to the chosen unit, and without JavaScript the form's Search button brings the matches back.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.pickers import LIMIT, PLAIN_UP_TO, SEARCH, search_text
from core.roles import Role
from issues.models import Action, Issue, Status
from organisation.models import Department, DepartmentStaff
from tests.factories import DepartmentFactory, DepartmentStaffFactory, category, issue_in
from tests.submissions import with_token
from visits.models import Visit

pytestmark = pytest.mark.django_db
User = get_user_model()
VISIT_NEW = "visits:visit_new"
# The visit form at a province's 1,174 units and staff was 187 KB; with the pickers it no longer grows.
VISIT_FORM_MAX_BYTES = 40_000


def _units(count: int, *, name: str = "测试单位") -> list[Department]:
    """`count` units, each with one active staff account, written in bulk (a province's 1,174 in a second)."""
    units = Department.objects.bulk_create(Department(name=f"{name}{n:04d}") for n in range(count))
    users = User.objects.bulk_create(User(username=f"{name}-{n}", password=make_password(None)) for n in range(count))
    group = Group.objects.get_or_create(name=Role.DEPARTMENT_STAFF)[0]
    User.groups.through.objects.bulk_create(User.groups.through(user_id=user.pk, group_id=group.pk) for user in users)
    DepartmentStaff.objects.bulk_create(
        DepartmentStaff(user=user, department=unit, name=f"承办人{unit.name}")
        for user, unit in zip(users, units, strict=True)
    )
    return units


def _pick(client, kind: str, field: str, q: str = "", **more):
    return client.get(reverse("pick", args=[kind]), {"field": field, f"{field}-q": q, **more})


def _visit_post(**problem) -> dict:
    deadline = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    return with_token(
        {
            "visited_on": timezone.localdate().isoformat(),
            "mode": "on_site",
            "operations": "生产正常",
            "summary": "走访座谈",
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0",
            "problems-MIN_NUM_FORMS": "0",
            "problems-MAX_NUM_FORMS": "10",
            "problems-0-title": "施工许可证办理慢",
            "problems-0-category": category("approvals").pk,
            "problems-0-route": "assign",
            "problems-0-responsible_person": "张晓明",
            "problems-0-deadline": deadline,
            "problems-0-milestone_1": "办结并答复企业",
            "problems-0-milestone_1_on": deadline,
            **{f"problems-0-{name}": value for name, value in problem.items()},
        }
    )


# --- A district: plain selects ----------------------------------------------------------------------------


def test_a_districts_units_and_staff_stay_plain_selects(client, cadre, staff, other_staff):
    client.force_login(cadre.user)
    body = client.get(reverse("issues:report")).content.decode()
    assert f'<option value="{staff.department_id}">{staff.department.name}</option>' in body
    assert f'<option value="{other_staff.pk}" data-department="{other_staff.department_id}">' in body
    assert reverse("pick", args=["department"]) not in body and 'name="department-q"' not in body


# --- A city or a province: search pickers -----------------------------------------------------------------


def test_past_fifty_units_the_visit_form_lists_none_of_them(client, cadre):
    units = _units(PLAIN_UP_TO + 1)
    client.force_login(cadre.user)
    body = client.get(reverse(VISIT_NEW)).content.decode()
    assert units[-1].name not in body and f"承办人{units[0].name}" not in body
    # The empty card's pickers ask the search, each naming its select; the person's names the unit's too.
    assert f"{reverse('pick', args=['department'])}?field=problems-__prefix__-department" in body
    assert "field=problems-__prefix__-responsible_staff&amp;id=id_problems-__prefix__-responsible_staff" in body
    assert "by-department=problems-__prefix__-department" in body
    assert 'role="status" aria-live="polite"' in body and 'aria-label="按名称搜索"' in body


def test_a_provinces_visit_form_is_as_small_and_as_quick_as_a_citys(client, cadre):
    _units(PLAIN_UP_TO + 1, name="市级单位")
    client.force_login(cadre.user)
    url = reverse(VISIT_NEW)

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(response.content), len(ctx)

    measure()
    city_bytes, city_queries = measure()
    _units(1_174 - PLAIN_UP_TO - 1, name="省级单位")
    province_bytes, province_queries = measure()
    assert province_queries == city_queries
    assert province_bytes == city_bytes and province_bytes < VISIT_FORM_MAX_BYTES


def test_a_search_answers_at_most_the_limit_and_only_units_that_can_receive(client, cadre):
    _units(PLAIN_UP_TO + 10, name="区测试局")
    DepartmentFactory(name="区测试局无人单位")  # no staff account: not offered
    DepartmentStaffFactory(department__name="区测试局撤销单位", department__is_active=False)
    client.force_login(cadre.user)
    response = _pick(client, "department", "problems-0-department", "区测试局", id="id_problems-0-department")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<option") == LIMIT + 1  # the empty choice, then the matches
    assert "无人单位" not in body and "撤销单位" not in body
    # The count goes to the picker's live region as well.
    assert 'data-hx-swap-oob="innerHTML:#id_problems-0-department-count"' in body
    assert "无人单位" not in _pick(client, "department", "department", "无人单位").content.decode()


def test_a_search_with_control_characters_searches_the_rest(client, cadre):
    """A NUL in the text (PostgreSQL refuses it in a query) or any other control character is left out."""
    _units(PLAIN_UP_TO + 1, name="区测试局")
    client.force_login(cadre.user)
    response = _pick(client, "department", "department", "测试\x00局\x07")
    assert response.status_code == 200
    assert response.content.decode().count("<option") == LIMIT + 1
    assert search_text("a\x00b\tc" + "d" * 200) == "abc" + "d" * 97


def test_the_persons_search_is_narrowed_to_the_chosen_unit(client, cadre, staff, other_staff):
    _units(PLAIN_UP_TO + 1)
    client.force_login(cadre.user)
    field, unit = "problems-0-responsible_staff", "problems-0-department"
    # A unit chosen, an empty search lists its staff, each option naming its unit for roadmap.js.
    body = _pick(client, "staff", field, "", **{"by-department": unit, unit: staff.department_id}).content.decode()
    assert f'<option value="{staff.pk}" data-department="{staff.department_id}">' in body
    assert other_staff.name not in body
    # A search for the other unit's person while this unit is chosen finds nobody.
    body = _pick(client, "staff", field, other_staff.name, **{"by-department": unit, unit: staff.department_id})
    assert other_staff.name not in body.content.decode()
    # No unit chosen: the name is searched among every unit's staff; nothing typed, nothing listed.
    assert other_staff.name in _pick(client, "staff", field, other_staff.name).content.decode()
    assert _pick(client, "staff", field, "").content.decode().count("<option") == 1


def test_an_inactive_account_is_never_offered(client, cadre, department):
    DepartmentStaffFactory(department=department, name="已停用承办人", user__is_active=False)
    client.force_login(cadre.user)
    assert "已停用承办人" not in _pick(client, "staff", "responsible_staff", "已停用").content.decode()


@pytest.mark.parametrize("persona", ["staff", "nobody"])
def test_only_those_who_route_problems_search_units(client, request, persona):
    found = request.getfixturevalue(persona)
    client.force_login(getattr(found, "user", found))
    assert _pick(client, "department", "department", "局").status_code == 403


@pytest.mark.parametrize("persona", ["cadre", "office", "leader"])
def test_the_cadre_the_office_and_the_leading_group_search_units(client, request, persona, department, staff):
    found = request.getfixturevalue(persona)
    client.force_login(getattr(found, "user", found))
    assert department.name in _pick(client, "department", "department", department.name[:3]).content.decode()


def test_the_search_is_for_the_logged_in_by_get(client, cadre):
    assert _pick(client, "staff", "responsible_staff", "王").status_code == 302
    client.force_login(cadre.user)
    assert client.post(reverse("pick", args=["staff"]), {"field": "x"}).status_code == 405
    assert _pick(client, "nothing", "x", "王").status_code == 404


# --- What the form accepts ---------------------------------------------------------------------------------


def test_a_unit_and_person_never_rendered_may_be_chosen(client, cadre):
    units = _units(PLAIN_UP_TO + 5)
    far = units[-1]
    person = DepartmentStaff.objects.get(department=far)
    client.force_login(cadre.user)
    chosen = _visit_post(department=far.pk, responsible_staff=person.pk, responsible_person="")
    response = client.post(reverse(VISIT_NEW), chosen)
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert (issue.department, issue.responsible_staff, issue.status) == (far, person, Status.ASSIGNED)


@pytest.mark.parametrize("unit", ["without_staff", "inactive", "unknown"])
def test_a_unit_outside_those_offered_is_refused_in_chinese(client, cadre, unit):
    _units(PLAIN_UP_TO + 1)
    pk = {
        "without_staff": lambda: DepartmentFactory().pk,
        "inactive": lambda: DepartmentStaffFactory(department__is_active=False).department_id,
        "unknown": lambda: 987_654,
    }[unit]()
    client.force_login(cadre.user)
    response = client.post(reverse(VISIT_NEW), _visit_post(department=pk))
    assert response.status_code == 400
    card = response.context["problems"].forms[0]
    assert card.has_error("department", "invalid_choice")
    assert "选择一个有效的选项" in str(card.errors["department"])
    assert not Visit.objects.exists() and not Issue.objects.exists()


# --- Without JavaScript ------------------------------------------------------------------------------------


def test_without_javascript_the_search_button_brings_the_matches_and_saves_nothing(client, cadre):
    units = _units(PLAIN_UP_TO + 5, name="区测试局")
    wanted = units[7]
    client.force_login(cadre.user)
    data = _visit_post(**{"department-q": wanted.name})
    response = client.post(reverse(VISIT_NEW), {**data, SEARCH: "problems-0-department"})
    body = response.content.decode()
    assert response.status_code == 200
    assert not Visit.objects.exists()
    assert f'<option value="{wanted.pk}">{wanted.name}</option>' in body
    assert units[8].name not in body  # only the matches, never the list
    # What was typed is kept, and nothing is called wrong before the form is sent to be saved.
    assert "施工许可证办理慢" in body and 'value="区测试局0007"' in body
    assert not response.context["problems"].forms[0].errors

    # The unit chosen, a search for the person offers its staff only; then the form saves as usual.
    chosen = {**data, "problems-0-department": wanted.pk, "problems-0-responsible_staff-q": ""}
    body = client.post(reverse(VISIT_NEW), {**chosen, SEARCH: "problems-0-responsible_staff"}).content.decode()
    person = DepartmentStaff.objects.get(department=wanted)
    assert f'<option value="{person.pk}" data-department="{wanted.pk}">' in body
    assert body.count("data-department=") == 1
    saved = client.post(
        reverse(VISIT_NEW),
        {**chosen, "problems-0-responsible_staff": person.pk, "problems-0-responsible_person": ""},
    )
    assert saved.status_code == 302 and Issue.objects.get().responsible_staff == person


def test_the_search_buttons_are_for_a_browser_without_javascript(client, cadre):
    _units(PLAIN_UP_TO + 1)
    client.force_login(cadre.user)
    body = client.get(reverse("issues:report")).content.decode()
    button = f'<noscript><button type="submit" name="{SEARCH}" value="department"'
    assert button in body


def test_the_assign_move_searches_without_javascript_and_moves_nothing(client, office):
    _units(PLAIN_UP_TO + 1, name="区测试局")
    issue = issue_in(Status.REPORTED)
    client.force_login(office)
    data = with_token({"assign-version": issue.version, "assign-department-q": "区测试局0003", SEARCH: "x"})
    response = client.post(reverse("issues:act", args=[issue.pk, Action.ASSIGN]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "区测试局0003</option>" in body and "区测试局0004" not in body
    issue.refresh_from_db()
    assert issue.status == Status.REPORTED


def test_the_report_forms_person_is_narrowed_by_its_unit_named_without_a_prefix(client, cadre, staff, other_staff):
    # The report form has no prefix: its unit's field is sent as `department`, as the parameter is named.
    client.force_login(cadre.user)
    params = {"by-department": "department", "department": staff.department_id}
    body = _pick(client, "staff", "responsible_staff", "", **params).content.decode()
    assert staff.name in body and other_staff.name not in body
