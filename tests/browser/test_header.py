"""The header on a phone: whatever the language, the menu button stays on the brand's line."""

import pytest
from django.conf import settings

from tests.browser.conftest import PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("language", "width"), [("en", 390), ("zh-hans", 390), ("en", 360)])
def test_the_menu_button_stays_on_the_brands_line_on_a_phone(browser, live_server, cadre, staff, language, width):
    viewport = {**PHONE, "width": width}
    context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True)
    page = context.new_page()
    for user in (cadre.user, staff.user):  # the cadre's and the unit's headers, with the bell
        log_in(page, live_server.url, user.username)  # the login form in Chinese, then the language switched
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/")
        assert page.locator("html").get_attribute("lang") == language
        brand = page.locator(".navbar-brand").bounding_box()
        toggler = page.locator(".navbar-toggler").bounding_box()
        bell = page.locator("#bell").bounding_box()
        assert brand and toggler and bell
        # One line: the toggler's box overlaps the brand's row, and so does the bell's.
        for box in (toggler, bell):
            assert box["y"] < brand["y"] + brand["height"] and box["y"] + box["height"] > brand["y"], (box, brand)
        assert toggler["x"] + toggler["width"] <= width
        page.screenshot(path=f"test-results/header-phone-{width}-{language}-{user.username}.png")
        context.clear_cookies()
    context.close()
