"""What a cadre types is kept in the browser until the server confirms it is saved (static/js/drafts.js).

The database going down is played by the view's service raising the error a lost database raises,
inside the live server: the browser gets the portal's real 500 page. A proxy's 503 and a lost
connection are played by the browser itself (`page.route`), as nothing of the portal answers them.
"""

import pytest
from django.db import OperationalError
from django.urls import reverse

from issues import views as issue_views
from issues.models import Issue, Status
from issues.payloads import ResolvePayload
from issues.services import issue_report
from tests.browser.conftest import log_in
from tests.factories import category
from visits import views as visit_views
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)

VISIT_NEW = reverse("visits:visit_new")
REPORT = reverse("issues:report")
OPERATIONS = "项目建设和生产经营情况"
NOTE = "二期厂房主体完工，设备进场；企业反映用电负荷紧张。"
PROBLEM = "厂区供电容量不足"
SOLVED = "已联系供电所，当场调整了计量方式。"
SAVE = "保存服务记录"


def _database_down(**kwargs):
    raise OperationalError("could not connect to server: Connection refused")


def _drafts(page) -> dict[str, dict]:
    """Return the drafts this browser keeps, by key."""
    return page.evaluate(
        """() => Object.fromEntries(Object.keys(localStorage)
            .filter((key) => key.startsWith("portal-draft:"))
            .map((key) => [key, JSON.parse(localStorage.getItem(key))]))"""
    )


def _notice(page):
    return page.locator(".draft-notice[role='status']")


def _restored_text(page) -> str:
    """The notice's words, as the template gave them (translatable, so read from the page, not typed here)."""
    return page.locator("body").get_attribute("data-draft-restored")


def _csp_violations(errors: list[str]) -> list[str]:
    # A 500 or 503 answer is itself logged as a console error; a script the policy blocks says so.
    return [e for e in errors if "Content Security Policy" in e]


def _type_a_visit_with_a_problem(page, base_url: str) -> None:
    page.goto(base_url + VISIT_NEW)
    page.get_by_label("实地走访").check()
    page.get_by_label(OPERATIONS).fill(NOTE)
    page.get_by_role("button", name="添加企业反映的问题").click()
    problem = page.locator(".problem-form").first
    problem.locator("input[name$='-title']").fill(PROBLEM)
    problem.get_by_label("类别").select_option(label="水电气路")
    problem.get_by_label("当场解决").check()
    problem.get_by_label("解决情况或上报理由").fill(SOLVED)


def _assert_the_visit_is_filled_in_again(page) -> None:
    assert page.get_by_label(OPERATIONS).input_value() == NOTE
    assert page.get_by_label("实地走访").is_checked()
    problem = page.locator(".problem-form").first
    assert problem.locator("input[name$='-title']").input_value() == PROBLEM
    assert problem.get_by_label("当场解决").is_checked()
    # The route's part of the form is shown for the restored route, as if the cadre had chosen it.
    assert problem.get_by_label("解决情况或上报理由").is_visible()
    assert problem.get_by_label("解决情况或上报理由").input_value() == SOLVED


def test_a_visit_typed_while_the_database_is_down_is_filled_in_again_on_the_form(
    phone, live_server, cadre, enterprise, monkeypatch
):
    category("utilities")  # transactional tests flush what the migrations loaded
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    monkeypatch.setattr(visit_views, "visit_log", _database_down)
    log_in(phone, live_server.url, "alice")
    _type_a_visit_with_a_problem(phone, live_server.url)

    with phone.expect_response(lambda r: r.request.method == "POST") as answer:
        phone.get_by_role("button", name=SAVE).click()
    assert answer.value.status == 500
    phone.locator("#portal-error[data-status='500']").wait_for()
    assert phone.locator("#drafts-kept").is_visible()  # the page says the text is kept in this browser
    [draft] = _drafts(phone).values()
    assert draft["sent"] and draft["values"]["operations"] == [NOTE]

    # The database is back; the cadre opens the form again.
    monkeypatch.undo()
    phone.goto(live_server.url + VISIT_NEW)

    _notice(phone).wait_for()
    phone.wait_for_function("() => document.querySelector('.draft-notice span').textContent.length > 0")
    assert _notice(phone).inner_text().startswith(_restored_text(phone))
    _assert_the_visit_is_filled_in_again(phone)
    assert len(_drafts(phone)) == 1  # kept until the server says it is saved

    phone.get_by_role("button", name=SAVE).click()
    phone.get_by_text("服务记录已保存").wait_for()
    visit = Visit.objects.get()
    assert visit.operations == NOTE
    assert list(visit.issues.values_list("title", flat=True)) == [PROBLEM]
    assert _drafts(phone) == {}
    assert _csp_violations(errors) == []


def test_going_back_from_the_500_page_shows_the_visit_as_typed(phone, live_server, cadre, enterprise, monkeypatch):
    category("utilities")
    monkeypatch.setattr(visit_views, "visit_log", _database_down)
    log_in(phone, live_server.url, "alice")
    _type_a_visit_with_a_problem(phone, live_server.url)
    phone.get_by_role("button", name=SAVE).click()
    phone.locator("#portal-error[data-status='500']").wait_for()

    phone.go_back()

    # The browser refills the fields it had on the page; the problem the cadre added comes from the draft.
    phone.locator(".problem-form").first.wait_for()
    _assert_the_visit_is_filled_in_again(phone)


def test_after_a_confirmed_save_the_form_is_empty_again(phone, live_server, cadre, enterprise):
    log_in(phone, live_server.url, "alice")
    phone.goto(live_server.url + VISIT_NEW)
    phone.get_by_label("实地走访").check()
    phone.get_by_label(OPERATIONS).fill(NOTE)
    phone.wait_for_function("() => Object.keys(localStorage).some((k) => k.startsWith('portal-draft:'))")

    phone.get_by_role("button", name=SAVE).click()
    phone.get_by_text("服务记录已保存").wait_for()
    assert Visit.objects.get().operations == NOTE
    assert _drafts(phone) == {}

    phone.goto(live_server.url + VISIT_NEW)
    assert phone.get_by_label(OPERATIONS).input_value() == ""
    assert _notice(phone).count() == 0


def test_a_form_shown_again_with_its_errors_keeps_the_draft(phone, live_server, cadre, enterprise):
    log_in(phone, live_server.url, "alice")
    phone.goto(live_server.url + VISIT_NEW)
    phone.get_by_label(OPERATIONS).fill(NOTE)
    phone.locator("input[name='visited_on']").fill("1999-01-01")  # before the portal's dates: refused

    with phone.expect_response(lambda r: r.request.method == "POST") as answer:
        phone.get_by_role("button", name=SAVE).click()
    assert answer.value.status == 400
    phone.wait_for_load_state()
    assert phone.get_by_label(OPERATIONS).input_value() == NOTE  # the server shows it again itself
    assert _notice(phone).count() == 0  # nothing to fill in, so nothing to announce
    assert [d["values"]["operations"] for d in _drafts(phone).values()] == [[NOTE]]

    phone.goto(live_server.url + VISIT_NEW)
    _notice(phone).wait_for()
    assert phone.get_by_label(OPERATIONS).input_value() == NOTE
    assert phone.locator("input[name='visited_on']").input_value() == "1999-01-01"
    assert not Visit.objects.exists()


@pytest.mark.parametrize("failure", ["proxy 503", "connection lost"])
def test_a_report_the_server_never_answered_is_filled_in_again(phone, live_server, cadre, enterprise, failure):
    category("utilities")
    log_in(phone, live_server.url, "alice")
    phone.goto(live_server.url + REPORT)
    phone.locator("input[name='title']").fill(PROBLEM)
    phone.get_by_label("具体情况").fill(NOTE)

    def fail(route):
        if route.request.method != "POST":
            return route.continue_()
        if failure == "proxy 503":
            return route.fulfill(status=503, content_type="text/html", body="<h1>503 Service Unavailable</h1>")
        return route.abort("connectionreset")

    phone.route("**" + REPORT, fail)
    with phone.expect_event("requestfinished" if failure == "proxy 503" else "requestfailed"):
        phone.get_by_role("button", name="提交").click()
    phone.unroute("**" + REPORT)

    phone.goto(live_server.url + REPORT)
    _notice(phone).wait_for()
    assert phone.locator("input[name='title']").input_value() == PROBLEM
    assert phone.get_by_label("具体情况").input_value() == NOTE
    assert not Issue.objects.exists()


def test_another_user_on_the_same_browser_does_not_see_the_draft(
    phone, live_server, cadre, enterprise, other_cadre, monkeypatch
):
    monkeypatch.setattr(visit_views, "visit_log", _database_down)
    log_in(phone, live_server.url, "alice")
    phone.goto(live_server.url + VISIT_NEW)
    phone.get_by_label(OPERATIONS).fill(NOTE)
    phone.get_by_label("实地走访").check()
    phone.get_by_role("button", name=SAVE).click()
    phone.locator("#portal-error[data-status='500']").wait_for()
    monkeypatch.undo()

    # Alice walks away without logging out; her login lapses and Bob logs in on the same phone.
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "bob")
    phone.goto(live_server.url + VISIT_NEW)
    phone.get_by_label(OPERATIONS).wait_for()

    assert phone.get_by_label(OPERATIONS).input_value() == ""
    assert _notice(phone).count() == 0
    assert [key.split(":")[1] for key in _drafts(phone)] == [str(cadre.user.pk)]  # Alice's, still kept

    # Back to Alice: her draft is hers again.
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "alice")
    phone.goto(live_server.url + VISIT_NEW)
    _notice(phone).wait_for()
    assert phone.get_by_label(OPERATIONS).input_value() == NOTE


def test_logging_out_clears_the_users_drafts_and_no_one_elses(phone, live_server, cadre, enterprise, other_cadre):
    log_in(phone, live_server.url, "bob")
    phone.goto(live_server.url + VISIT_NEW)
    phone.get_by_label(OPERATIONS).fill("李志强的草稿")
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "alice")
    phone.goto(live_server.url + VISIT_NEW)
    phone.get_by_label(OPERATIONS).fill(NOTE)
    phone.wait_for_function("() => Object.keys(localStorage).filter((k) => k.startsWith('portal-draft:')).length == 2")

    phone.get_by_role("button", name="菜单").click()
    # The user menu inside the opening navigation answers a tap only once the menu has finished opening.
    phone.locator(".navbar-collapse.collapse.show").wait_for()
    phone.get_by_role("button", name="王建国").click()
    phone.get_by_role("button", name="退出登录").click()
    phone.wait_for_url("**/accounts/login/**")

    assert [key.split(":")[1] for key in _drafts(phone)] == [str(other_cadre.user.pk)]


def test_clear_discards_the_restored_draft(phone, live_server, cadre, enterprise):
    log_in(phone, live_server.url, "alice")
    phone.goto(live_server.url + VISIT_NEW)
    phone.get_by_label(OPERATIONS).fill(NOTE)
    phone.wait_for_function("() => Object.keys(localStorage).some((k) => k.startsWith('portal-draft:'))")
    phone.goto(live_server.url + VISIT_NEW)
    _notice(phone).wait_for()

    _notice(phone).get_by_role("button", name="清除").click()

    assert phone.get_by_label(OPERATIONS).input_value() == ""
    assert _notice(phone).count() == 0
    assert _drafts(phone) == {}
    phone.goto(live_server.url + VISIT_NEW)
    assert phone.get_by_label(OPERATIONS).input_value() == ""


def test_a_move_on_a_problem_is_kept_per_move_until_it_is_made(
    phone, live_server, cadre, enterprise, department, staff, monkeypatch
):
    issue = issue_report(
        actor=cadre.user,
        enterprise=enterprise,
        title=PROBLEM,
        description="",
        category=category("utilities"),
        route=ResolvePayload(note="当场处理"),
    )
    log_in(phone, live_server.url, "alice")
    detail = live_server.url + reverse("issues:detail", args=[issue.pk])
    phone.goto(detail)
    form = phone.locator("form[data-draft='move-close']")
    form.locator("textarea").fill("企业表示满意，书面确认。")
    form.locator("input[value='satisfied']").check()
    monkeypatch.setattr(issue_views, "issue_record_feedback", _database_down)
    form.get_by_role("button").click()
    phone.locator("#portal-error[data-status='500']").wait_for()
    monkeypatch.undo()

    phone.goto(detail)
    _notice(phone).wait_for()
    assert form.locator("textarea").input_value() == "企业表示满意，书面确认。"
    assert form.locator("input[value='satisfied']").is_checked()
    form.get_by_role("button").click()
    phone.locator("#timeline").wait_for()

    issue.refresh_from_db()
    assert issue.status == Status.CLOSED
    assert _drafts(phone) == {}
