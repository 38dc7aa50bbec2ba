"""The monthly report printed from Chromium (issue 13 item 4): A4, a page per section, no navigation, plain figures.

`make screenshots` (SCREENSHOTS=1) saves the Chinese run's print view as docs/screenshots/monthly-report-print.png;
every run leaves it in test-results/.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.oversight.test_report import (  # noqa: F401 (a fixture: the hand-built October)
    CHINESE_NARRATIVE,
    ENGLISH_NARRATIVE,
    october,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
A4_AT_96_DPI = {"width": 794, "height": 1123}


def style(locator, prop: str) -> str:
    return locator.evaluate("(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop)


@pytest.mark.usefixtures("october")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_leader_prints_the_monthly_report_on_a4_without_the_portals_navigation(
    browser, live_server, leader, language, tmp_path
):
    context = browser.new_context(viewport=A4_AT_96_DPI, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server.url, "erin")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/oversight/report/2026-10/")
    narrative = CHINESE_NARRATIVE if language == "zh-hans" else ENGLISH_NARRATIVE
    expect(page.locator(".report-narrative").first).to_have_text(narrative[0])

    # On screen: the portal's menu, the month picker, the Word file and the print button.
    expect(page.locator("nav.navbar")).to_be_visible()
    expect(page.locator("[data-print]")).to_be_visible()
    expect(page.locator('a[href="?format=docx"]')).to_be_visible()
    figure = page.locator(".report-figures a").first
    assert style(figure, "text-decoration-line") == "underline"

    page.emulate_media(media="print")
    for hidden in ("nav.navbar", "footer", ".report-tools", "[data-print]", 'a[href="?format=docx"]'):
        expect(page.locator(hidden)).to_be_hidden()
    assert style(page.locator(".skip-link"), "display") == "none"
    expect(page.locator(".report-narrative").nth(1)).to_have_text(narrative[1])
    # A page per section after the title and the summary; the first section starts on the first page.
    sections = page.locator(".report-section")
    assert sections.count() == 6
    assert style(sections.first, "break-before") != "page"
    for index in range(1, 6):
        assert style(sections.nth(index), "break-before") == "page", index
    # Figures link to their rows on screen; printed, they are plain black numbers.
    assert style(figure, "text-decoration-line") == "none"
    assert style(figure, "color") == style(figure.locator("xpath=.."), "color")
    assert style(page.locator("body"), "background-color") in {"rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"}

    shot = Path("test-results") / "monthly-report-print.png"
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("SCREENSHOTS") == "1" and language == settings.LANGUAGE_CODE:
        page.screenshot(path=str(SCREENSHOTS / "monthly-report-print.png"), full_page=True)

    pdf = page.pdf(format="A4", print_background=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 6, pages  # the title and summary, then a page for each of the five sections
    width, height = (float(n) for n in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf).groups())
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1.5, (width, height)  # A4: 210 × 297 mm in points
    assert errors == [], errors
    context.close()
