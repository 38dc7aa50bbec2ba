"""The login lockout in a browser: the locked-out page on a phone, and the unlock button in the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from core.roles import Role
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _fail(username: str, times: int) -> None:
    """Wrong passwords from this machine's address, as another browser on it would send them."""
    client = Client()
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password"})


def test_a_locked_out_cadre_is_told_on_the_phone_when_to_try_again(phone, live_server, settings):
    UserFactory(username="kim", roles=[Role.CADRE])
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _fail("kim", settings.AXES_FAILURE_LIMIT - 1)
    log_in(phone, live_server.url, "kim", password="wrong-password")  # the tenth, from the phone
    notice = phone.locator("#locked-out")
    notice.wait_for()
    phone.screenshot(path="test-results/locked-out-phone.png", full_page=True)
    assert notice.locator("p.fs-5").inner_text().strip() != ""
    log_in(phone, live_server.url, "kim")  # the right password, refused until the hour is up
    notice.wait_for()
    notice.get_by_role("link").click()
    phone.wait_for_url(f"{live_server.url}{reverse('login')}")
    # No blocked asset, no CSP violation; the browser only notes the page's own status (429).
    assert [e for e in errors if "429" not in e] == [], errors


def test_the_unlock_button_on_an_accounts_page_lets_it_log_in_again(page, live_server, settings, superuser):
    account = UserFactory(username="kim", roles=[Role.CADRE])
    _fail("kim", settings.AXES_FAILURE_LIMIT)
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}{reverse('admin:auth_user_change', args=[account.pk])}")
    button = page.locator("form.unlock-login button")
    button.wait_for()
    page.screenshot(path="test-results/admin-unlock-button.png", full_page=True)
    button.click()
    page.locator(".messagelist .success").wait_for()
    assert page.locator("form.unlock-login").count() == 0
    assert Client().post(reverse("login"), {"username": "kim", "password": "secret-pass-123"}).status_code == 302
