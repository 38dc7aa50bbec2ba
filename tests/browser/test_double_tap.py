"""On a phone, a double tap on "save" sends the visit once; a page restored from history can be sent again."""

import time

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in
from visits import views
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)

SAVE = "保存服务记录"


def _fill_in_a_visit(phone, base_url: str) -> None:
    phone.goto(base_url + reverse("visits:visit_new"))
    phone.get_by_label("实地走访").check()
    phone.get_by_label("项目建设和生产经营情况").fill("二期厂房主体完工，设备进场。")


def _visit_posts(phone) -> list[str]:
    """Collect the visit form's submissions the browser sends."""
    posts: list[str] = []
    visit_new = reverse("visits:visit_new")
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith(visit_new) else None)
    return posts


def test_a_double_tap_on_save_sends_the_visit_once(phone, live_server, cadre, enterprise):
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    posts = _visit_posts(phone)
    log_in(phone, live_server.url, "alice")
    _fill_in_a_visit(phone, live_server.url)

    phone.get_by_role("button", name=SAVE).dblclick()

    phone.get_by_text("服务记录已保存").wait_for()
    assert len(posts) == 1
    assert Visit.objects.count() == 1
    assert errors == [], errors  # the script runs under the strict Content Security Policy


def test_a_second_tap_while_the_visit_is_being_sent_sends_nothing(phone, live_server, cadre, monkeypatch):
    logged = views.visit_log

    def visit_log_on_a_weak_signal(**kwargs):
        time.sleep(1)  # the answer is slow to come: the cadre taps again
        return logged(**kwargs)

    monkeypatch.setattr(views, "visit_log", visit_log_on_a_weak_signal)
    posts = _visit_posts(phone)
    log_in(phone, live_server.url, "alice")
    _fill_in_a_visit(phone, live_server.url)
    save = phone.get_by_role("button", name=SAVE)
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    phone.touchscreen.tap(x, y)
    phone.wait_for_timeout(300)  # the first request is on its way; the page has not changed yet
    phone.touchscreen.tap(x, y)

    phone.get_by_text("服务记录已保存").wait_for()
    assert len(posts) == 1
    assert Visit.objects.count() == 1


def test_the_save_button_is_disabled_while_sending_and_back_when_the_page_is_restored(phone, live_server, cadre):
    posts = _visit_posts(phone)
    log_in(phone, live_server.url, "alice")
    _fill_in_a_visit(phone, live_server.url)
    # The form is sent into a frame, so this page stays to be looked at while it is being sent
    # (Playwright cannot read a page whose navigation is under way).
    phone.evaluate(
        """() => {
            const sink = Object.assign(document.createElement("iframe"), {name: "sink", hidden: true});
            document.body.append(sink);
            document.getElementById("visit-form").target = "sink";
        }"""
    )
    save = phone.get_by_role("button", name=SAVE)

    with phone.expect_response(lambda response: response.request.method == "POST"):
        save.click()
    assert save.is_disabled()
    phone.locator("#visit-form").evaluate("form => form.requestSubmit()")  # a second submit, as a tap would
    phone.wait_for_timeout(300)
    assert len(posts) == 1

    # What the back-forward cache does when the user comes back to the page: the buttons work again.
    phone.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert save.is_enabled()
    assert Visit.objects.count() == 1


def test_back_to_the_sent_visit_form_and_save_again_lands_on_the_visit(phone, live_server, cadre):
    log_in(phone, live_server.url, "alice")
    _fill_in_a_visit(phone, live_server.url)
    phone.get_by_role("button", name=SAVE).click()
    phone.get_by_text("服务记录已保存").wait_for()
    first = phone.url

    # Playwright's Chromium keeps no back-forward cache: the browser loads the form again and refills
    # it, and the script gives it back the token it was sent with.
    phone.go_back()
    phone.get_by_role("button", name=SAVE).click()

    phone.wait_for_url(first)
    assert Visit.objects.count() == 1

    # Logging a visit afresh is another visit.
    _fill_in_a_visit(phone, live_server.url)
    phone.get_by_role("button", name=SAVE).click()
    phone.get_by_text("服务记录已保存").wait_for()
    assert Visit.objects.count() == 2
