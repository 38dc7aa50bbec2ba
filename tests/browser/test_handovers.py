"""On a phone, each person learns it is their turn from the bell, and the cadre finds the feedback to record."""

import pytest

from issues.models import Issue, Status
from notifications.models import Kind, Notification
from tests.browser.conftest import log_in
from tests.factories import DepartmentStaffFactory, category

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_department_is_told_of_the_assignment_and_the_cadre_of_the_reply(
    phone, live_server, cadre, enterprise, staff, other_staff, department, console_errors
):
    category("utilities")  # transactional tests flush what the migrations loaded
    bystander = DepartmentStaffFactory(department=department, name="周晓燕", user__username="judy")
    phone.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    # The cadre assigns to the department and picks its staff member's account.
    log_in(phone, live_server.url, "alice")
    phone.get_by_role("link", name="报告问题").first.click()
    phone.get_by_label("问题").first.fill("厂区供电容量不足")
    phone.get_by_label("类别").select_option(label="水电气路")
    phone.get_by_label("交办部门").check()
    accounts = phone.locator("select[name='responsible_staff']")
    phone.get_by_label("责任单位").select_option(label=department.name)
    # Only the chosen department's staff are offered.
    offered = accounts.locator("option:not([hidden])").all_inner_texts()
    assert any(staff.name in text for text in offered) and not any(other_staff.name in text for text in offered)
    accounts.select_option(value=str(staff.pk))
    phone.get_by_role("button", name="提交").click()
    phone.get_by_text("问题已报告").wait_for()
    issue = Issue.objects.get()
    assert issue.responsible_staff == staff

    # The staff member named is told (not the colleague); the bell shows it at once.
    assert not Notification.objects.filter(recipient=bystander.user).exists()
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "charlie")
    assert phone.locator("#bell .bell-count").inner_text() == "1"
    phone.locator("#bell").click()
    phone.locator(".list-group-item", has_text="厂区供电容量不足").get_by_role("button", name="查看").click()
    phone.get_by_role("heading", name="厂区供电容量不足").wait_for()
    phone.get_by_role("button", name="接收").click()
    phone.get_by_text("已完成：接收").wait_for()
    phone.locator("#act-resolve summary").click()
    phone.locator("#act-resolve textarea").fill("已协调供电公司增容，书面答复企业。")
    phone.locator("#act-resolve").get_by_role("button", name="办结").click()
    phone.get_by_text("已完成：办结").wait_for()

    # The cadre: the bell, and the home page's list of problems awaiting the enterprise's feedback.
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "alice")
    assert phone.locator("#bell .bell-count").inner_text() == "1"
    assert phone.locator("#awaiting-feedback-count").inner_text() == "1"
    phone.screenshot(path="test-results/awaiting-feedback-phone.png", full_page=True)
    phone.locator("#cadre-panel a[href$='#act-close']", has_text="厂区供电容量不足").click()
    phone.get_by_label("满意", exact=True).check()  # the feedback form is open where the link lands
    phone.get_by_role("button", name="记录企业反馈").click()
    phone.get_by_text("已完成").wait_for()
    issue.refresh_from_db()
    assert issue.status == Status.CLOSED
    phone.goto(f"{live_server.url}/")
    assert phone.locator("#awaiting-feedback-count").inner_text() == "0"
    handed = Notification.objects.filter(kind=Kind.ISSUE_HANDED_OVER)
    assert sorted(handed.values_list("recipient__username", flat=True)) == ["alice", "charlie"]
    assert console_errors == [], console_errors
