"""A leader looks at the compliance grid on a phone (issue 12): this month in view, colours, a keyboard."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)

# WCAG 2.x contrast ratio of two CSS colours (rgb()/rgba() on an opaque background), in the page.
CONTRAST = """([fg, bg]) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


def test_a_leader_sees_this_month_coloured_on_a_phone_and_scrolls_the_grid_by_keyboard(
    phone, live_server, leader, cadre, other_cadre
):
    today = timezone.localdate()
    # 王建国 has made this month's two visits (met); 李志强 none yet (at risk); both missed last month,
    # and neither was paired before June 2026 (not paired).
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=today.replace(day=1))
    assert cadre.pairings.get().started_on == datetime.date(2026, 6, 17)
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    log_in(phone, live_server.url, "erin")
    phone.goto(f"{live_server.url}/cadres/compliance/")
    # Two scroll regions, each named by its heading: the units' summary, then the cadres' grid.
    units = phone.get_by_role("region", name=phone.locator("#compliance-units-heading").inner_text())
    region = phone.get_by_role("region", name=phone.locator("#compliance-grid-heading").inner_text())
    expect(units).to_be_visible()
    expect(region).to_be_visible()
    phone.screenshot(path="test-results/compliance-grid-phone.png", full_page=True)

    # This month is the first month column, inside the phone's width, with nothing scrolled sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert region.evaluate("el => el.scrollLeft") == 0
    for this_month in (region.locator("th.month-current"), region.locator("tbody tr").first.locator("td").first):
        box = this_month.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert region.locator("th.month-current").inner_text().startswith(f"{today:%Y-%m}")

    # Each standing has its own background, and its text reads at 4.5:1 or better on it.
    colours = {}
    for standing in ("compliant", "at_risk", "missed", "none"):
        cell = region.locator(f"td.cell-{standing}").first
        fg, bg = cell.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]")
        colours[standing] = bg
        assert phone.evaluate(CONTRAST, [fg, bg]) >= 4.5, (standing, fg, bg)
    plain = region.locator("tbody th.grid-cadre").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert len({plain, *colours.values()}) == 5, (plain, colours)  # four colours, none the plain cell's

    # The units' region is next in the tab order after the filters, and the grid's region is focusable too
    # (tabindex=0: not every browser makes a scroller focusable by itself, as Chromium now does); the arrow
    # keys scroll it.
    assert units.get_attribute("tabindex") == "0" and region.get_attribute("tabindex") == "0"
    phone.locator(".compliance-filters summary").focus()
    phone.keyboard.press("Tab")
    assert units.evaluate("el => el === document.activeElement")
    region.focus()
    assert region.evaluate("el => el === document.activeElement")
    for _press in range(3):
        phone.keyboard.press("ArrowRight")
    # Arrow keys scroll smoothly: wait for it (the page's CSP refuses wait_for_function's eval).
    for _poll in range(50):
        if region.evaluate("el => el.scrollLeft") > 0:
            break
        phone.wait_for_timeout(50)
    assert region.evaluate("el => el.scrollLeft") > 0
    # The cadre's name stays in view (sticky) while the months scroll under it.
    name = region.locator("tbody th.grid-cadre").first.bounding_box()
    assert name is not None and 0 <= name["x"] < 40, name
    assert errors == [], errors
