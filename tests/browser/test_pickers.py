"""Search pickers in a browser (core/pickers.py): the oversight filter's department, Enter without JavaScript,
and a draft holding a chosen row the page does not list (static/js/drafts.js)."""

import json

import pytest
from django.urls import reverse

from core.pickers import PLAIN_UP_TO
from issues.models import Issue, Status
from organisation.models import Department
from tests.browser.conftest import PHONE, log_in
from tests.factories import category
from tests.issues.test_roadmap_pickers import _units

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
DASHBOARD = reverse("oversight:dashboard")
REPORT = reverse("issues:report")
TITLE = "用电增容"


def _departments(count: int) -> list[Department]:
    return Department.objects.bulk_create(Department(name=f"区测试局{n:04d}") for n in range(count))


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def desk_without_javascript(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    yield context.new_page()
    context.close()


def _filters(page):
    return page.locator("#dashboard-filters")


def test_the_leading_group_searches_a_department_and_the_dashboard_is_filtered(desk, live_server, leader):
    units = _departments(PLAIN_UP_TO + 10)
    wanted = units[23]
    errors: list[str] = []
    desk.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(desk, live_server.url, leader.username)
    desk.goto(live_server.url + DASHBOARD)
    department = _filters(desk).get_by_label("部门", exact=True)
    assert department.locator("option").count() == 1  # none of the 60 listed
    _filters(desk).locator("input[name='department-q']").fill(wanted.name)
    _filters(desk).locator("#id_department-count").get_by_text("1").wait_for()
    department.select_option(label=wanted.name)
    _filters(desk).get_by_role("button", name="应用").click()
    desk.locator("#dashboard-period").get_by_text(wanted.name).wait_for()
    # The choice stays shown after the page comes back.
    assert _filters(desk).get_by_label("部门", exact=True).input_value() == str(wanted.pk)
    assert errors == [], errors


def test_without_javascript_the_department_is_searched_and_the_dashboard_filtered(
    desk_without_javascript, live_server, leader
):
    page = desk_without_javascript
    units = _departments(PLAIN_UP_TO + 10)
    wanted = units[41]
    log_in(page, live_server.url, leader.username)
    page.goto(live_server.url + DASHBOARD)
    page.locator("input[name='department-q']").fill(wanted.name)
    page.locator("#div_id_department").get_by_role("button", name="搜索").click()
    department = _filters(page).get_by_label("部门", exact=True)
    assert department.locator("option").all_inner_texts()[1:] == [wanted.name]
    department.select_option(label=wanted.name)
    _filters(page).get_by_role("button", name="应用").click()
    page.wait_for_load_state()
    assert wanted.name in page.locator("#dashboard-period").inner_text()
    assert _filters(page).get_by_label("部门", exact=True).input_value() == str(wanted.pk)


def test_without_javascript_enter_in_a_text_field_saves_and_enter_in_the_search_box_searches(
    phone_without_javascript, live_server, cadre, enterprise
):
    page = phone_without_javascript
    category("utilities")  # transactional tests flush what the migrations loaded
    units = _units(PLAIN_UP_TO + 10, name="区测试局")
    wanted = units[20]
    log_in(page, live_server.url, cadre.user.username)
    page.goto(live_server.url + REPORT)
    page.locator("input[name='title']").fill(TITLE)
    page.get_by_label("类别").select_option(label="水电气路")
    page.get_by_label("交办部门").check()
    # Enter in the search box with a name typed: the matches come back, nothing is saved.
    page.locator("input[name='department-q']").fill(wanted.name)
    page.locator("input[name='department-q']").press("Enter")
    page.wait_for_load_state()
    unit = page.get_by_label("责任单位")
    assert unit.locator("option").all_inner_texts()[1:] == [wanted.name]
    assert not Issue.objects.exists()
    unit.select_option(label=wanted.name)
    page.get_by_label("责任人", exact=True).fill("张晓明")
    # Enter in a text field of the form: the form's own action (it was the Search button's, first in the form).
    page.locator("input[name='title']").press("Enter")
    page.wait_for_load_state()
    issue = Issue.objects.get()
    assert (issue.title, issue.status, issue.department) == (TITLE, Status.ASSIGNED, wanted)


def test_with_javascript_enter_in_the_search_box_searches_and_sends_nothing(phone, live_server, cadre, enterprise):
    category("utilities")
    units = _units(PLAIN_UP_TO + 10, name="区测试局")
    wanted = units[17]
    log_in(phone, live_server.url, cadre.user.username)
    phone.goto(live_server.url + REPORT)
    phone.locator("input[name='title']").fill(TITLE)
    phone.get_by_label("类别").select_option(label="水电气路")
    phone.get_by_label("交办部门").check()
    sent: list[str] = []
    phone.on("request", lambda request: sent.append(request.method) if request.method == "POST" else None)
    search = phone.locator("input[name='department-q']")
    # Typed without waiting for the pause that searches, then Enter: the search runs at once.
    search.press_sequentially(wanted.name, delay=0)
    search.press("Enter")
    unit = phone.get_by_label("责任单位")
    unit.locator(f"option[value='{wanted.pk}']").wait_for(state="attached")
    assert sent == [] and not Issue.objects.exists()
    assert phone.locator("input[name='title']").input_value() == TITLE  # the form was not sent
    unit.select_option(label=wanted.name)
    phone.get_by_label("责任人", exact=True).fill("张晓明")
    # Enter in another text field sends the form, as before.
    phone.locator("input[name='title']").press("Enter")
    phone.wait_for_url(lambda url: not url.endswith(REPORT))
    assert Issue.objects.get().department == wanted


def _drafts(page) -> list[dict]:
    return page.evaluate(
        """() => Object.keys(localStorage).filter((key) => key.startsWith("portal-draft:"))
            .map((key) => JSON.parse(localStorage.getItem(key)))"""
    )


def test_a_restored_draft_brings_back_a_chosen_unit_the_page_does_not_list(phone, live_server, cadre, enterprise):
    category("utilities")
    units = _units(PLAIN_UP_TO + 10, name="区测试局")
    wanted = units[33]
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(phone, live_server.url, cadre.user.username)
    phone.goto(live_server.url + REPORT)
    phone.locator("input[name='title']").fill(TITLE)
    phone.get_by_label("类别").select_option(label="水电气路")
    phone.get_by_label("交办部门").check()
    search = phone.locator("input[name='department-q']")
    search.fill(wanted.name)
    phone.locator("#id_department-count").get_by_text("1").wait_for()
    unit = phone.get_by_label("责任单位")
    unit.select_option(label=wanted.name)
    # The search box emptied: the select keeps the chosen unit alone, and the draft no search to run again.
    search.fill("")
    phone.wait_for_function(
        """([value, label]) => Object.keys(localStorage).some((key) => {
            const draft = JSON.parse(localStorage.getItem(key));
            return key.startsWith("portal-draft:") && draft.values.department && draft.values.department[0] === value
                && draft.values["department-q"][0] === "" && draft.labels.department[0] === label;
        })""",
        arg=[str(wanted.pk), wanted.name],
    )

    # Back at the form (after a 500, say): the page lists none of the units, the draft names the one chosen.
    phone.goto(live_server.url + REPORT)
    phone.locator(".draft-notice").wait_for()
    unit = phone.get_by_label("责任单位")
    assert unit.input_value() == str(wanted.pk)
    assert unit.locator("option:checked").inner_text() == wanted.name
    assert phone.locator("input[name='title']").input_value() == TITLE
    phone.get_by_label("责任人", exact=True).fill("张晓明")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_load_state()
    issue = Issue.objects.get(title=TITLE)
    assert (issue.status, issue.department) == (Status.ASSIGNED, wanted)
    assert json.dumps(_drafts(phone)).count(TITLE) == 0  # saved: the draft is gone
    assert errors == [], errors
