"""A cadre on site logs a visit with a problem on a phone, with one thumb."""

import pytest

from issues.models import Status
from tests.browser.conftest import log_in
from tests.factories import category
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cadre_logs_a_visit_with_an_assigned_problem_on_a_phone(
    phone, live_server, cadre, enterprise, department, staff
):
    category("utilities")  # transactional tests flush what the migrations loaded
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(phone, live_server.url, "alice")
    phone.get_by_role("link", name="记录服务").first.click()
    phone.get_by_label("实地走访").check()
    phone.get_by_label("项目建设和生产经营情况").fill("二期厂房主体完工，设备进场。")
    phone.get_by_role("button", name="添加企业反映的问题").click()
    problem = phone.locator(".problem-form").first
    problem.locator("input[name$='-title']").fill("厂区供电容量不足")
    problem.get_by_label("类别").select_option(label="水电气路")
    problem.get_by_label("交办部门").check()
    assert not problem.get_by_label("解决情况或上报理由").is_visible()
    problem.get_by_label("责任单位").select_option(label=department.name)
    problem.get_by_label("责任人", exact=True).fill("张晓明")
    phone.screenshot(path="test-results/visit-form-phone.png", full_page=True)
    phone.get_by_role("button", name="保存服务记录").click()
    phone.get_by_text("服务记录已保存").wait_for()
    phone.screenshot(path="test-results/visit-saved-phone.png", full_page=True)
    visit = Visit.objects.get()
    issue = visit.issues.get()
    assert issue.status == Status.ASSIGNED and issue.department == department
    assert issue.milestones.get().title == "办结并答复企业"  # the suggested milestone, on the deadline
    assert errors == [], errors
