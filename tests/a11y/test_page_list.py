"""The page list (tests/a11y/pages.py) names every page: a new URL pattern must be listed or exempted."""

from tests.a11y.pages import EXEMPT, PAGES, PERSONAS, exemption, routes


def test_every_url_pattern_is_a_listed_page_or_exempt_with_a_reason():
    listed = {page.route for page in PAGES}
    missing = [route for route in routes() if route not in listed and exemption(route) is None]
    assert missing == [], (
        f"URL patterns neither in tests/a11y/pages.py's PAGES nor in its EXEMPT: {missing}. "
        "A page that renders HTML goes in PAGES, with the roles that see it; anything else in EXEMPT, with why."
    )


def test_the_list_names_no_pattern_that_is_gone():
    existing = set(routes())
    stale = [page.route for page in PAGES if page.status == 200 and page.route not in existing]
    stale += [route for route in EXEMPT if not route.endswith("/") and route not in existing]
    stale += [prefix for prefix in EXEMPT if prefix.endswith("/") and not any(r.startswith(prefix) for r in existing)]
    assert stale == []


def test_a_page_is_not_both_listed_and_exempt():
    assert [page.route for page in PAGES if page.status == 200 and exemption(page.route)] == []


def test_every_exemption_says_why():
    assert all(len(why) > 10 for why in EXEMPT.values())


def test_every_role_is_a_demo_persona():
    assert {role for page in PAGES for role in page.roles} == set(PERSONAS)
