"""Issue 12 on a phone (390×844), checked on a desktop too: the visit's problem cards, touch-size choices,
roadmap dates that fit, the problem page's order, the overseers' five cards, the timeline's numbers."""

import pytest
from django.db import OperationalError

from issues.payloads import EscalatePayload
from issues.services import issue_report
from tests.browser.conftest import PHONE, log_in
from tests.factories import category
from visits import views as visit_views
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def console(phone):
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def escalated(cadre, enterprise):
    """A problem escalated to the leading group: the leader's page offers to assign it with a roadmap."""
    return issue_report(
        actor=cadre.user,
        enterprise=enterprise,
        title="园区道路破损影响运输",
        category=category("utilities"),
        description="厂区东侧道路积水，货车无法进出。",
        route=EscalatePayload(note="涉及多家企业，需领导小组协调。"),
    )


def _database_down(**kwargs):
    raise OperationalError("could not connect to server: Connection refused")


def _fill_solved_problem(card, title: str) -> None:
    card.locator("input[name$='-title']").fill(title)
    card.get_by_label("类别").select_option(label="水电气路")
    card.get_by_label("当场解决").check()
    card.locator("textarea[name$='-note']").fill("现场协调，当场解决。")


def test_a_cadre_removes_an_added_problem_card_and_only_the_others_are_saved(phone, console, live_server, cadre):
    category("utilities")  # transactional tests flush what the migrations loaded
    log_in(phone, live_server.url, "alice")
    phone.goto(f"{live_server.url}/cadres/visits/new/")
    phone.get_by_label("项目建设和生产经营情况").fill("生产正常。")
    add = phone.get_by_role("button", name="添加企业反映的问题")
    for _ in range(3):
        add.click()
    cards = phone.locator(".problem-form")
    for i, title in enumerate(["门前道路积水", "施工许可证办理慢", "员工通勤不便"]):
        _fill_solved_problem(cards.nth(i), title)

    cards.nth(1).locator("[data-remove-problem]").click()
    assert cards.nth(1).is_hidden()
    assert phone.evaluate("document.activeElement.id") == "add-problem"  # the focus is not lost with the card
    assert cards.nth(2).locator("[data-problem-number]").text_content() == "2"  # numbered as the cadre sees them
    phone.screenshot(path="test-results/visit-card-removed-phone.png", full_page=True)

    phone.get_by_role("button", name="保存服务记录").click()
    phone.get_by_text("服务记录已保存").wait_for()
    visit = Visit.objects.get()
    assert sorted(visit.issues.values_list("title", flat=True)) == ["员工通勤不便", "门前道路积水"]
    assert console == [], console


def test_a_removed_card_stays_removed_when_a_kept_draft_fills_the_form_in_again(phone, live_server, cadre, monkeypatch):
    category("utilities")
    monkeypatch.setattr(visit_views, "visit_log", _database_down)
    log_in(phone, live_server.url, "alice")
    phone.goto(f"{live_server.url}/cadres/visits/new/")
    phone.get_by_label("项目建设和生产经营情况").fill("生产正常。")
    for _ in range(2):
        phone.get_by_role("button", name="添加企业反映的问题").click()
    cards = phone.locator(".problem-form")
    _fill_solved_problem(cards.nth(0), "门前道路积水")
    _fill_solved_problem(cards.nth(1), "员工通勤不便")
    cards.nth(0).locator("[data-remove-problem]").click()
    phone.get_by_role("button", name="保存服务记录").click()
    phone.locator("#portal-error[data-status='500']").wait_for()

    monkeypatch.undo()  # the database is back; the cadre opens the form again and drafts.js fills it in
    phone.goto(f"{live_server.url}/cadres/visits/new/")
    phone.locator(".draft-notice").wait_for()
    assert cards.count() == 2 and cards.nth(0).is_hidden() and cards.nth(1).is_visible()
    assert cards.nth(1).locator("[data-problem-number]").text_content() == "1"
    phone.get_by_role("button", name="保存服务记录").click()
    phone.get_by_text("服务记录已保存").wait_for()
    assert list(Visit.objects.get().issues.values_list("title", flat=True)) == ["员工通勤不便"]


def test_radio_rows_are_touch_size_and_roadmap_dates_fit_a_phone(phone, console, live_server, cadre, department, staff):
    category("utilities")
    log_in(phone, live_server.url, "alice")
    phone.goto(f"{live_server.url}/cadres/visits/new/")
    phone.get_by_role("button", name="添加企业反映的问题").click()
    rows = phone.locator(".form-check:visible")
    assert rows.count() >= 9  # the visit's six modes, the problem's three routes
    heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
    assert min(heights) >= 44, heights
    # A tap anywhere on the row chooses, not only on the 20-pixel circle.
    row = phone.locator(".form-check", has=phone.get_by_label("交办部门"))
    row.scroll_into_view_if_needed()
    box = row.bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
    assert phone.get_by_label("交办部门").is_checked()
    _dates_fit(phone, PHONE["width"])
    assert console == [], console


def test_the_problem_page_fits_a_phone_with_what_it_is_before_what_to_do(
    phone, desktop, console, live_server, leader, escalated
):
    for page, width in ((phone, PHONE["width"]), (desktop, DESKTOP["width"])):
        log_in(page, live_server.url, "erin")
        page.goto(f"{live_server.url}/issues/{escalated.pk}/")
        assert page.title().split(" · ")[:2] == [f"问题 #{escalated.pk}", escalated.title] or page.title().startswith(
            f"Problem #{escalated.pk} · "
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        description = page.get_by_text("厂区东侧道路积水").first.bounding_box()
        actions = page.locator("#act-assign").bounding_box()
        if width == PHONE["width"]:
            assert description["y"] < actions["y"]  # one column: what it is, then what to do
        else:
            assert description["x"] < actions["x"] and actions["y"] < description["y"] + 200  # a side column
        _dates_fit(page, width)
        _numbers_beside_their_lines(page)
    phone.screenshot(path="test-results/problem-page-phone.png", full_page=True)
    assert console == [], console


def test_the_overseers_five_cards_leave_none_alone_on_a_row(phone, desktop, live_server, leader):
    for page, width in ((phone, PHONE["width"]), (desktop, DESKTOP["width"])):
        log_in(page, live_server.url, "erin")
        cards = page.locator("#oversight-panel .stat-card")
        assert cards.count() == 5
        boxes = [cards.nth(i).bounding_box() for i in range(5)]
        rows: dict[int, list[dict]] = {}
        for box in boxes:
            rows.setdefault(round(box["y"]), []).append(box)
        widths = [sum(b["width"] for b in row) for row in rows.values()]
        if width == PHONE["width"]:
            assert [len(row) for row in rows.values()] == [2, 2, 1]
            assert widths[2] >= widths[0]  # the fifth card has the row to itself, its whole width
        else:
            assert [len(row) for row in rows.values()] == [5]


def _dates_fit(page, width: int) -> None:
    """Every date input shown lies within the window and shows its whole date."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    dates = page.locator("input[type=date]:visible")
    assert dates.count() >= 2
    for i in range(dates.count()):
        date = dates.nth(i)
        box = date.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (date.get_attribute("name"), box)
        assert box["width"] >= 140, (date.get_attribute("name"), box)  # yyyy/mm/dd and its calendar button
        assert date.evaluate("e => e.scrollWidth <= e.clientWidth"), date.get_attribute("name")


def _numbers_beside_their_lines(page) -> None:
    """Each timeline entry is as tall as its lines: its number "1." does not take a line of its own."""
    extra = page.evaluate(
        """() => Array.from(document.querySelectorAll('#timeline > li')).map(li => {
            const style = getComputedStyle(li);
            const inner = li.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            const lines = Array.from(li.children).reduce((sum, child) => sum + child.getBoundingClientRect().height, 0);
            return inner - lines;
        })"""
    )
    assert extra and max(extra) < 4, extra
