"""The notification centre and the bell."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db
LIST = reverse("notifications:list")


def notify(user, title="已逾期 1 天：用电增容", link="/issues/1/", **kwargs) -> Notification:
    return Notification.objects.create(recipient=user, kind=Kind.ISSUE_OVERDUE, title=title, link=link, **kwargs)


def test_anonymous_users_are_sent_to_login(client):
    for url in (LIST, reverse("notifications:bell")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_list_shows_only_the_users_own_notifications(client, cadre, other_cadre):
    notify(cadre.user, title="我的提醒")
    notify(other_cadre.user, title="别人的提醒")
    client.force_login(cadre.user)
    body = client.get(LIST).content.decode()
    assert "我的提醒" in body and "别人的提醒" not in body
    assert "通知" in body and "全部标为已读" in body


def test_the_unread_filter_hides_what_was_read(client, cadre):
    notify(cadre.user, title="未读的")
    notify(cadre.user, title="读过的", read_at=timezone.now())
    client.force_login(cadre.user)
    body = client.get(LIST, {"unread": "1"}).content.decode()
    assert "未读的" in body and "读过的" not in body


def test_the_bell_in_the_header_shows_the_unread_count(client, staff):
    for _n in range(3):
        notify(staff.user)
    notify(staff.user, read_at=timezone.now())
    client.force_login(staff.user)
    body = client.get(reverse("home")).content.decode()
    assert 'id="bell"' in body and 'bell-count">3<' in body
    assert "通知：3 条未读" in body


def test_the_bell_fragment_is_what_htmx_swaps_in(client, staff):
    notify(staff.user)
    client.force_login(staff.user)
    response = client.get(reverse("notifications:bell"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<a id="bell"') and "<html" not in body


def test_marking_one_read(client, cadre):
    n = notify(cadre.user)
    client.force_login(cadre.user)
    response = client.post(reverse("notifications:read", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == LIST
    n.refresh_from_db()
    assert n.is_read


def test_opening_marks_read_and_goes_to_the_item(client, cadre):
    n = notify(cadre.user, link="/issues/42/")
    client.force_login(cadre.user)
    response = client.post(reverse("notifications:read", args=[n.pk]), {"open": "1"})
    assert response["Location"] == "/issues/42/"
    n.refresh_from_db()
    assert n.is_read


def test_marking_all_read(client, cadre, other_cadre):
    for _n in range(2):
        notify(cadre.user)
    theirs = notify(other_cadre.user)
    client.force_login(cadre.user)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(recipient=cadre.user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_someone_elses_notification_is_not_found(client, cadre, other_cadre):
    theirs = notify(other_cadre.user)
    client.force_login(cadre.user)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_marking_read_refuses_get(client, cadre):
    n = notify(cadre.user)
    client.force_login(cadre.user)
    assert client.get(reverse("notifications:read", args=[n.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert client.post(LIST).status_code == 405


def test_the_back_link_never_leaves_the_portal(client, cadre):
    n = notify(cadre.user, link="https://evil.example/")
    client.force_login(cadre.user)
    response = client.post(reverse("notifications:read", args=[n.pk]), {"open": "1", "next": "https://evil.example/"})
    assert response["Location"] == LIST


@pytest.mark.parametrize("persona", ["cadre", "staff", "leader"])
def test_the_list_runs_the_same_number_of_queries_for_more_notifications(
    client, persona, request, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    notify(user)
    small = count()
    for _n in range(30):
        notify(user)
    with django_assert_num_queries(small):
        client.get(LIST)
