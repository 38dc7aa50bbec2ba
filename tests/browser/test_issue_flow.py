"""Each role does its part of a problem's life in a phone-size browser, without a manual."""

from datetime import date

import pytest

from issues.models import ExtensionRequest, Issue, Status
from tests.browser.conftest import log_in
from tests.factories import category, issue_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_problem_goes_from_the_cadre_to_the_department_and_back_with_feedback(
    phone, live_server, cadre, enterprise, staff, department
):
    category("utilities")  # transactional tests flush what the migrations loaded
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The cadre, on site: report and assign in one form.
    log_in(phone, live_server.url, "alice")
    phone.get_by_role("link", name="报告问题").first.click()
    phone.get_by_label("问题").first.fill("厂区供电容量不足")
    phone.get_by_label("类别").select_option(label="水电气路")
    phone.get_by_label("交办部门").check()
    assert phone.get_by_label("责任单位").is_visible()
    assert not phone.get_by_label("解决情况或上报理由").is_visible()  # hidden for this route
    phone.get_by_label("责任单位").select_option(label=department.name)
    phone.get_by_label("责任人", exact=True).fill("张晓明")
    phone.screenshot(path="test-results/report-phone.png", full_page=True)
    phone.get_by_role("button", name="提交").click()
    phone.get_by_text("问题已报告").wait_for()
    issue = Issue.objects.get()
    assert issue.status == Status.ASSIGNED and issue.milestones.count() == 1  # the suggested final milestone

    # The department: accept, then reply with the result.
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "charlie")
    phone.get_by_role("link", name="打开本单位待办").click()
    phone.get_by_role("link", name="厂区供电容量不足").click()
    phone.get_by_role("button", name="接收").click()
    phone.get_by_text("已完成：接收").wait_for()
    phone.locator("#act-resolve summary").click()  # each move folds open on a tap
    phone.locator("#act-resolve textarea").fill("已协调供电公司增容，书面答复企业。")
    phone.locator("#act-resolve").get_by_role("button", name="办结").click()
    phone.get_by_text("已完成：办结").wait_for()

    # The cadre records the enterprise's word, which closes it.
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "alice")
    phone.goto(f"{live_server.url}/issues/{issue.pk}/")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="记录企业反馈").click()
    phone.get_by_text("已完成").wait_for()
    phone.screenshot(path="test-results/closed-phone.png", full_page=True)
    issue.refresh_from_db()
    assert issue.status == Status.CLOSED
    assert [e.action for e in issue.events.all()] == ["report", "assign", "accept", "resolve", "close"]
    assert errors == [], errors


def test_the_leading_group_takes_a_stuck_problem_back_and_the_new_department_finds_it(
    phone, live_server, leader, staff, other_staff, enterprise, cadre
):
    issue = issue_in(Status.IN_PROGRESS, department=staff.department, enterprise=enterprise, reporter=cadre)
    ExtensionRequest.objects.create(
        issue=issue, requested_by=staff.user, old_deadline=issue.deadline, new_deadline=date(2099, 3, 1), reason="等待"
    )
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    log_in(phone, live_server.url, "erin")
    phone.goto(f"{live_server.url}/issues/{issue.pk}/")
    assert phone.locator("#act-decide_extension").count() == phone.locator("#act-reassign").count() == 1
    phone.locator("#act-reassign summary").click()
    form = phone.locator("#act-reassign")
    form.get_by_label("责任单位").select_option(label=other_staff.department.name)
    form.get_by_label("责任人", exact=True).fill("赵丽华")
    form.locator("textarea").fill("原单位两周未推进，改派住建局。")
    form.get_by_role("button").click()
    phone.locator(".alert-success").wait_for()
    assert phone.locator("#act-decide_extension").count() == 0  # the request went with the old department
    timeline = phone.locator("#timeline li").last.inner_text()
    assert f"{staff.department.name} → {other_staff.department.name}" in timeline
    phone.screenshot(path="test-results/reassigned-phone.png", full_page=True)
    issue.refresh_from_db()
    assert (issue.status, issue.department, issue.supervised) == (Status.ASSIGNED, other_staff.department, True)
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.WITHDRAWN

    phone.context.clear_cookies()
    log_in(phone, live_server.url, "dave")
    phone.get_by_role("link", name="打开本单位待办").click()
    phone.get_by_role("link", name=issue.title).click()
    phone.get_by_role("button", name="接收").click()
    phone.get_by_text("已完成：接收").wait_for()
    assert errors == [], errors
