"""The home page's supervision panels: the items waiting for an answer, and the overseers' two counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import Rectification
from tests.factories import InspectionFactory, RectificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(cadre, department, leader):
    today = timezone.localdate()
    found = InspectionFactory(cadre=cadre, created_by=leader)
    return {
        "later": RectificationFactory(inspection=found, deadline=today + datetime.timedelta(days=20)),
        "overdue": RectificationFactory(inspection=found, deadline=today - datetime.timedelta(days=2)),
        "sent_back": RectificationFactory(
            inspection=found, deadline=today + datetime.timedelta(days=1), status=Rectification.Status.SENT_BACK
        ),
        "answered": RectificationFactory(inspection=found, status=Rectification.Status.ANSWERED),
        "accepted": RectificationFactory(inspection=found, status=Rectification.Status.ACCEPTED),
        "unit": RectificationFactory(inspection=found, cadre=None, department=department),
    }


def test_the_cadre_sees_their_items_waiting_for_an_answer_overdue_first(client, cadre, waiting):
    client.force_login(cadre.user)
    response = client.get("/")
    panel = response.context["cadre_items"]
    assert [i.pk for i in panel.items] == [waiting[name].pk for name in ("overdue", "sent_back", "later")]
    assert (panel.count, panel.overdue) == (3, 1)
    page = response.content.decode()
    assert 'id="cadre-items"' in page and "badge-overdue" in page and "badge-due-soon" in page
    for name in ("overdue", "sent_back", "later"):
        assert reverse("supervision:item", args=[waiting[name].pk]) in page
    assert reverse("supervision:item", args=[waiting["answered"].pk]) not in page
    assert page.count(f"{cadre.name} · ") == 3  # who answers, on each row (read with the rows)


def test_the_departments_staff_see_their_units_items(client, staff, other_staff, waiting):
    client.force_login(staff.user)
    panel = client.get("/").context["department_items"]
    assert [i.pk for i in panel.items] == [waiting["unit"].pk]
    assert f"{staff.department.name} · " in client.get("/").content.decode()
    client.force_login(other_staff.user)
    assert client.get("/").context["department_items"] is None


def test_nothing_waiting_shows_no_panel(client, other_cadre, waiting):
    client.force_login(other_cadre.user)
    response = client.get("/")
    assert response.context["cadre_items"] is None and 'id="cadre-items"' not in response.content.decode()


def test_the_overseers_see_answers_to_check_and_items_overdue(client, leader, waiting):
    client.force_login(leader)
    response = client.get("/")
    panel = response.context["supervision_panel"]
    assert (panel.answered, panel.overdue) == (1, 1)
    page = response.content.decode()
    assert f'href="{reverse("supervision:items")}?status=answered"' in page
    assert f'href="{reverse("supervision:items")}?status=overdue"' in page
