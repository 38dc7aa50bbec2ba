"""The bell and the notification centre on a phone: see the count, open the list, go to the item."""

import datetime

import pytest
from django.utils import timezone

from issues.models import Flow, Status
from notifications.services import reminders_send
from tests.browser.conftest import log_in
from tests.factories import IssueFactory, category

pytestmark = pytest.mark.django_db(transaction=True)


def test_department_staff_see_the_bell_read_the_list_and_open_a_problem(
    phone, live_server, staff, cadre, enterprise, department, console_errors
):
    category()  # transactional tests flush what the migrations loaded
    today = timezone.localdate()
    for title, deadline in (
        ("厂区供电容量不足", today - datetime.timedelta(days=4)),
        ("道路开口审批", today + datetime.timedelta(days=2)),
    ):
        IssueFactory(
            enterprise=enterprise,
            reporter=cadre,
            title=title,
            flow=Flow.ASSIGNED,
            status=Status.IN_PROGRESS,
            department=department,
            responsible_person="张晓明",
            deadline=deadline,
        )
    reminders_send(inline=True)
    phone.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    log_in(phone, live_server.url, "charlie")
    bell = phone.locator("#bell")
    assert bell.is_visible()  # outside the collapsed menu: visible on a phone
    assert bell.locator(".bell-count").inner_text() == "2"
    phone.screenshot(path="test-results/notifications-bell-phone.png")

    bell.click()
    phone.get_by_role("heading", name="通知").wait_for()
    assert phone.get_by_text("已逾期 4 天：厂区供电容量不足").is_visible()
    assert phone.get_by_text("即将到期：道路开口审批").is_visible()
    phone.screenshot(path="test-results/notifications-list-phone.png", full_page=True)

    phone.locator(".list-group-item", has_text="厂区供电容量不足").get_by_role("button", name="查看").click()
    phone.get_by_role("heading", name="厂区供电容量不足").wait_for()
    assert phone.locator("#bell .bell-count").inner_text() == "1"

    phone.goto(f"{live_server.url}/notifications/")
    phone.get_by_role("button", name="全部标为已读").click()
    phone.get_by_text("已将 1 条通知标为已读").wait_for()
    assert phone.locator("#bell .bell-count").count() == 0
    assert console_errors == []
