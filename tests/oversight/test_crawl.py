"""Every link each demo role is shown leads somewhere that works for that role."""

import re
from collections import deque

import pytest
from django.contrib.auth.models import User

# Each role's crawl requests up to 120 pages: a second or more each.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]
LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/media/", "/admin/", "/accounts/logout", "/i18n/")


@pytest.mark.parametrize(
    ("username", "language"),
    [
        ("ganbu001", "zh-hans"),
        ("bumen01", "zh-hans"),
        ("lingdao01", "zh-hans"),
        ("admin", "zh-hans"),
        ("bangongshi", "zh-hans"),
        ("ganbu001", "en"),
        ("lingdao01", "en"),
    ],
)
def test_every_link_a_role_is_shown_answers(client, settings, demo_district, username, language, limit=120):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(User.objects.get(username=username))
    seen, queue, broken = {"/"}, deque(["/"]), []
    while queue and len(seen) <= limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            broken.append((url, response.status_code))
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith(SKIP):
                seen.add(link)
                queue.append(link)
    assert broken == [], broken
    assert len(seen) > 10  # the crawl did reach the role's pages
    assert ("Problem ledger" if language == "en" else "问题台账") in client.get("/").content.decode()
