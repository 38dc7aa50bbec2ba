"""A keyboard user always sees where they are, and skips the navigation in one key press.

On a few main pages of each role, at a desktop's width (the whole navigation bar shown), Tab walks every
focusable element in order; each, once focused, must show a focus indicator: the browser's own ring, an
outline at least 2 px wide, or a box shadow at least half opaque (Bootstrap's own 25% glow was the
issue's "nearly invisible" ring). The first Tab reaches the skip link; following it, the next Tab is
inside the page.
"""

import pytest
from django.contrib.auth.models import User

from tests.a11y.pages import PAGES, WIDTHS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# (role, route): pages with the navigation, the bell, forms of every kind, tabs, lists and the footer.
WALKED = (
    ("cadre", ""),
    ("cadre", "cadres/visits/new/"),
    ("cadre", "issues/report/"),
    ("department", "issues/inbox/"),
    ("department", "issues/<int:pk>/"),
    ("leading_group", "issues/review/"),
    ("leading_group", "issues/<int:pk>/"),
    ("office", "enterprises/import/"),
    ("office", "cadres/policies/"),
)
MAX_TABS = 300
FOCUSED = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const seen = e.dataset.focusWalked === "1";
  e.dataset.focusWalked = "1";
  const words = (text) => String(text || "").trim().replace(/\s+/g, " ");
  const name = words(e.getAttribute("aria-label") || e.innerText || e.value || e.name);
  const classes = words(e.className).replaceAll(" ", ".");
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {
    seen, inMain: !!e.closest("main"), skip: e.classList.contains("skip-link"),
    what: `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${classes ? "." + classes : ""}> ${name.slice(0, 40)}`,
    outline: style.outlineStyle === "auto" || outlined,
    shadow: style.boxShadow !== "none" && !/rgba\([^)]*,\s*0?\.[0-4]\d*\)/.test(style.boxShadow),
  };
}"""


def _page(role: str, route: str):
    return next(page for page in PAGES if page.route == route and role in page.roles and not page.query)


def test_every_focusable_element_shows_where_the_focus_is(live_district, open_context, report):
    invisible, walked = [], 0
    for role, route in WALKED:
        page_spec = _page(role, route)
        username = page_spec.username(role)
        url = page_spec.url(User.objects.get(username=username))
        page = open_context(username, "zh-hans", WIDTHS["desktop"], phone=False).new_page()
        page.goto(live_district.url + url)
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None or focused["seen"]:
                break  # past the last element, or round again
            walked += 1
            if not (focused["outline"] or focused["shadow"]):
                invisible.append(f"{role} /{route}: {focused['what']}")
        else:
            pytest.fail(f"{role} /{route}: more than {MAX_TABS} stops")
    report.append(
        f"focus: {walked} focusable elements on {len(WALKED)} pages; without a visible indicator: {len(invisible)}"
    )
    assert invisible == [], "focused, yet showing nothing:\n" + "\n".join(invisible)


# (The login page needs none: its first field has the focus when it opens.)
@pytest.mark.parametrize(("role", "route"), [("cadre", "cadres/visits/new/"), ("department", "issues/inbox/")])
def test_the_first_tab_reaches_the_skip_link_and_the_next_lands_in_the_page(live_district, open_context, role, route):
    page_spec = _page(role, route)
    username = page_spec.username(role)
    user = User.objects.get(username=username) if username else None
    page = open_context(username, "zh-hans", WIDTHS["desktop"], phone=False).new_page()
    page.goto(live_district.url + page_spec.url(user))
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["skip"] and "跳到主要内容" in first["what"]
    assert page.locator(".skip-link").is_visible()  # shown once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["inMain"]
