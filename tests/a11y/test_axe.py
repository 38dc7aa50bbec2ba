"""axe-core finds no serious or critical WCAG 2.1 AA violation on any listed page, for any role.

Each role's pages (tests/a11y/pages.py) are opened in Debian's Chromium at a phone's width (390×844, touch)
and a desktop's (1280×800), in Chinese and in English, and axe-core (node_modules, pinned in
package-lock.json) checks each. axe is added as an init script, which the page's Content Security
Policy does not govern, so every page runs under its real policy.
"""

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests.a11y.pages import LANGUAGES, PERSONAS, WIDTHS, viewings
from tests.services import AXE_SCRIPT

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.axe]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"serious", "critical"}
RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """Run axe on the open page; return its violations (every impact)."""
    return page.evaluate(RUN, TAGS)


def describe(where: str, violation: dict) -> str:
    nodes = violation["nodes"]
    first = nodes[0]
    detail = " ".join(first["summary"].split())[:300]
    more = f" (+{len(nodes) - 1} more)" if len(nodes) > 1 else ""
    return (
        f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} — {first['target']}{more}: {detail}"
    )


@dataclass
class Tally:
    """What one role's pages gave: the failures to show, and the counts for the summary."""

    views: int = 0
    failures: list[str] = field(default_factory=list)
    minor: int = 0
    found: list[dict] = field(default_factory=list)


def check_role(role: str, base_url: str, open_context) -> Tally:
    """Open each of the role's pages at each width in each language, and run axe on it."""
    by_username = defaultdict(list)
    for viewing in viewings():
        if viewing.role == role:
            user = User.objects.get(username=viewing.username) if viewing.username else None
            by_username[viewing.username].append((viewing, viewing.page.url(user)))
    tally = Tally()
    for username, pages in by_username.items():
        for width, viewport in WIDTHS.items():
            for language in LANGUAGES:
                context = open_context(username, language, viewport, phone=width == "phone")
                context.add_init_script(path=str(AXE_SCRIPT))
                page = context.new_page()
                for viewing, url in pages:
                    began = time.monotonic()
                    response = page.goto(base_url + url)
                    assert response is not None and response.status == viewing.page.status, (viewing.label, url)
                    loaded = time.monotonic()
                    violations = axe_violations(page)
                    tally.views += 1
                    where = f"{viewing.label} {width} {language} ({url})"
                    seconds = {"load": round(loaded - began, 2), "axe": round(time.monotonic() - loaded, 2)}
                    tally.found.append({"where": where, **seconds, "violations": violations})
                    for violation in violations:
                        if violation["impact"] not in FAILING:
                            tally.minor += 1
                        else:
                            tally.failures.append(describe(where, violation))
                context.close()
    return tally


# One test for every role: the district is seeded once (a browser test's database is flushed after it).
def test_no_serious_axe_violation_on_any_page_for_any_role(live_district, open_context, report):
    failures, views, started = [], 0, time.monotonic()
    Path("test-results").mkdir(exist_ok=True)
    for role in PERSONAS:
        began = time.monotonic()
        tally = check_role(role, live_district.url, open_context)
        # Every finding, whatever its impact, for a person to read (CI keeps test-results/).
        Path(f"test-results/axe-{role}.json").write_text(json.dumps(tally.found, ensure_ascii=False, indent=1))
        pages = tally.views // (len(WIDTHS) * len(LANGUAGES))
        report.append(
            f"axe, {role}: {pages} pages × {len(WIDTHS)} widths × {len(LANGUAGES)} languages = {tally.views} "
            f"page views in {time.monotonic() - began:.0f} s; serious or critical violations: {len(tally.failures)}"
            + f"; moderate or minor: {tally.minor}"
        )
        failures += tally.failures
        views += tally.views
    report.append(
        f"axe, all roles: {views} page views in {time.monotonic() - started:.0f} s; "
        f"serious or critical violations: {len(failures)}"
    )
    assert failures == [], f"{len(failures)} serious or critical axe violations:\n" + "\n".join(failures)


def test_axe_itself_finds_grey_on_grey_and_an_unnamed_button(browser):
    """The run above is not vacuous: with these tags, axe reports what the issue reported."""
    context = browser.new_context()
    context.add_init_script(path=str(AXE_SCRIPT))
    page = context.new_page()
    page.goto("data:text/html,<html lang=en><title>t</title><main><p style='color:%23999;background:%23f8f9fa'>"
              "2.7:1</p><button><i></i></button></main></html>")  # fmt: skip
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    context.close()
    assert found.get("color-contrast") == "serious" and found.get("button-name") == "critical"
