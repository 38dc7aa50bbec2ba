"""A city's units on the visit form and the report form: searched, chosen, with JavaScript and without."""

import pytest

from core.pickers import PLAIN_UP_TO
from issues.models import Issue, Status
from organisation.models import DepartmentStaff
from tests.browser.conftest import PHONE, log_in
from tests.factories import category
from tests.issues.test_roadmap_pickers import _units
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cadre_searches_a_citys_unit_and_is_offered_its_staff(phone, live_server, cadre, enterprise):
    category("utilities")  # transactional tests flush what the migrations loaded
    units = _units(PLAIN_UP_TO + 10, name="区测试局")
    wanted = units[12]
    person = DepartmentStaff.objects.get(department=wanted)
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(phone, live_server.url, "alice")
    phone.get_by_role("link", name="记录服务").first.click()
    phone.get_by_label("实地走访").check()
    phone.get_by_role("button", name="添加企业反映的问题").click()
    problem = phone.locator(".problem-form").first
    problem.locator("input[name$='-title']").fill("厂区供电容量不足")
    problem.get_by_label("类别").select_option(label="水电气路")
    problem.get_by_label("交办部门").check()
    unit = problem.get_by_label("责任单位")
    assert unit.locator("option").count() == 1  # nothing listed before a search
    problem.locator("input[name$='-department-q']").fill(wanted.name)
    # The count is said in the picker's live region, the match offered in the select.
    problem.locator("[id$='-department-count']").get_by_text("1").wait_for()
    unit.select_option(label=wanted.name)
    # Choosing the unit offers its staff at once, and theirs alone.
    account = problem.get_by_label("责任人平台账号")
    account.locator(f"option[value='{person.pk}']").wait_for(state="attached")
    assert account.locator("option").count() == 2
    account.select_option(value=str(person.pk))
    phone.get_by_role("button", name="保存服务记录").click()
    phone.get_by_text("服务记录已保存").wait_for()
    issue = Visit.objects.get().issues.get()
    assert (issue.status, issue.department, issue.responsible_staff) == (Status.ASSIGNED, wanted, person)
    assert errors == [], errors


def test_without_javascript_the_search_button_finds_the_unit(browser, live_server, cadre, enterprise):
    category("utilities")
    units = _units(PLAIN_UP_TO + 10, name="区测试局")
    wanted = units[20]
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/issues/report/")
    page.locator("input[name='title']").fill("用电增容")
    page.get_by_label("类别").select_option(label="水电气路")
    page.get_by_label("交办部门").check()
    page.locator("input[name='department-q']").fill(wanted.name)
    page.locator("#div_id_department").get_by_role("button", name="搜索").click()
    # The form comes back with what was typed, the unit among the matches; nothing is saved yet.
    assert page.locator("input[name='title']").input_value() == "用电增容" and not Issue.objects.exists()
    page.get_by_label("责任单位").select_option(label=wanted.name)
    page.get_by_label("责任人", exact=True).fill("张晓明")
    page.locator("button.btn-primary[type=submit]").click()
    page.wait_for_load_state()
    issue = Issue.objects.get()
    assert (issue.status, issue.department) == (Status.ASSIGNED, wanted)
    context.close()
