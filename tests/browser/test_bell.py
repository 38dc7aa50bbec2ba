"""The bell refreshes itself every minute through htmx's data-hx-* attributes (valid HTML, unlike hx-*)."""

import pytest

from notifications.models import Kind, Notification
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bell_counts_a_notification_that_arrives_while_the_page_is_open(phone, live_server, staff):
    log_in(phone, live_server.url, "charlie")
    phone.clock.install()  # htmx's "every 60s" timer runs on this clock, moved on below
    phone.reload()
    assert phone.locator("#bell .bell-count").count() == 0

    Notification.objects.create(recipient=staff.user, kind=Kind.ISSUE_OVERDUE, title="已逾期 1 天：用电增容", link="/")
    with phone.expect_response("**/notifications/bell/"):
        phone.clock.run_for(61_000)
    phone.locator("#bell .bell-count").wait_for()
    assert phone.locator("#bell .bell-count").inner_text() == "1"
    assert phone.locator("#bell").get_attribute("data-hx-trigger") == "every 60s"  # the swapped-in bell polls on
