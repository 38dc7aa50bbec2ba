import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from issues.models import Flow, Status
from tests.factories import EnterpriseFactory, IssueFactory, PairingFactory, VisitFactory

pytestmark = pytest.mark.django_db
HOME = reverse("home")


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_speaks_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "登录" in body and "用户名" in body and "密码" in body


def test_home_refuses_post(client, cadre):
    client.force_login(cadre.user)
    assert client.post(HOME).status_code == 405


def test_a_cadre_sees_the_paired_enterprise_this_months_visits_and_its_problems(client, cadre, enterprise):
    today = timezone.localdate()
    VisitFactory(pairing=cadre.pairings.get(), visited_on=today)
    IssueFactory(enterprise=enterprise, reporter=cadre, title="施工许可证办理进度缓慢")
    client.force_login(cadre.user)
    response = client.get(HOME)
    body = response.content.decode()
    assert response.status_code == 200
    assert enterprise.name in body
    assert "1 / 2" in body
    assert "施工许可证办理进度缓慢" in body
    assert 'id="department-panel"' not in body and 'id="oversight-panel"' not in body


def test_a_cadre_whose_pairing_ended_still_has_a_panel_saying_so(client, cadre, enterprise):
    cadre.pairings.update(ended_on=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(cadre.user)
    response = client.get(HOME)
    panel = response.context["cadre_panel"]
    assert (panel.cadre, panel.pairing) == (cadre, None)
    body = response.content.decode()
    assert 'id="cadre-panel"' in body and enterprise.name not in body
    assert gettext("You have no active pairing. The campaign office assigns pairings.") in body


def test_a_cadre_does_not_see_another_enterprises_problems(client, cadre, other_cadre, other_enterprise):
    IssueFactory(enterprise=other_enterprise, reporter=other_cadre, title="别家企业的问题")
    client.force_login(cadre.user)
    assert "别家企业的问题" not in client.get(HOME).content.decode()


def test_department_staff_see_their_departments_inbox_with_overdue_marked(client, staff, other_staff, cadre):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    IssueFactory(
        title="用电增容",
        flow=Flow.ASSIGNED,
        status=Status.IN_PROGRESS,
        department=staff.department,
        deadline=yesterday,
    )
    IssueFactory(
        title="别的部门的问题",
        flow=Flow.ASSIGNED,
        status=Status.ASSIGNED,
        department=other_staff.department,
        deadline=yesterday,
    )
    client.force_login(staff.user)
    body = client.get(HOME).content.decode()
    assert 'id="department-panel"' in body
    assert "用电增容" in body and "badge-overdue" in body
    assert "别的部门的问题" not in body


def test_the_leading_group_sees_escalations_oldest_first(client, leader):
    IssueFactory(title="较新的上报", status=Status.ESCALATED)
    older = IssueFactory(title="较早的上报", status=Status.ESCALATED)
    older.created_at -= datetime.timedelta(days=5)
    older.save()
    client.force_login(leader)
    body = client.get(HOME).content.decode()
    assert 'id="oversight-panel"' in body and 'id="office-panel"' not in body
    assert body.index("较早的上报") < body.index("较新的上报")


def test_the_campaign_office_sees_the_registry_counts_and_the_admin_link(client, clerk, cadre):
    EnterpriseFactory(origin="district")
    client.force_login(clerk)
    body = client.get(HOME).content.decode()
    assert 'id="office-panel"' in body
    assert reverse("admin:index") in body


def test_the_office_role_without_admin_access_is_not_led_to_the_admin(client, office):
    """Admin access (is_staff) is a superuser's to give; a link that only refuses would be a dead end."""
    client.force_login(office)
    body = client.get(HOME).content.decode()
    assert 'id="office-panel"' in body
    assert reverse("admin:index") not in body


def test_a_user_without_a_role_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-secret-123")
    client.force_login(user)
    assert "尚未分配角色" in client.get(HOME).content.decode()


@pytest.mark.parametrize("persona", ["cadre", "staff", "leader", "office"])
def test_home_runs_the_same_number_of_queries_for_more_data(client, persona, request, django_assert_num_queries):
    """The home page's query count does not grow with the district's size."""
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)
    client.get(HOME)  # warm caches such as the content types
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the overseers' figures counted afresh each time, not read kept (test_kept_figures.py)
    with CaptureQueriesContext(connection) as small:
        client.get(HOME)
    assert len(small) <= 12
    for _ in range(20):
        PairingFactory()
        IssueFactory(status=Status.ESCALATED)
    # More problems on the persona's own desk too: the cadre's enterprise, the staff's department.
    if persona == "cadre":
        IssueFactory.create_batch(5, enterprise=user.cadre.pairings.get().enterprise, reporter=user.cadre)
    if persona == "staff":
        department = user.department_staff.department
        IssueFactory.create_batch(
            5, flow="assigned", status=Status.IN_PROGRESS, department=department, deadline=datetime.date(2099, 1, 1)
        )
    cache.clear()
    with django_assert_num_queries(len(small)):
        client.get(HOME)


def test_health_answers_ok(client):
    assert client.get(reverse("health")).json()["status"] == "ok"


def test_campaign_office_staff_can_manage_enterprises_in_the_admin(client, clerk):
    # The office group's permissions come from the migration, as on a fresh install; the login is the real one.
    response = client.post(reverse("login"), {"username": clerk.username, "password": "secret-pass-123"})
    assert response.status_code == 302
    assert client.get(reverse("admin:enterprises_enterprise_changelist")).status_code == 200
    assert client.get(reverse("admin:organisation_pairing_add")).status_code == 200
