"""The shared layout's promises to keyboard and screen-reader users, and markup the Nu checker once refused.

Quick tests through the test client; the slow checks (axe, the Nu HTML checker, the focus walk) are beside.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db
FOCUSABLE = re.compile(r"<(a|button|input|select|textarea|summary)\b[^>]*>")


def test_the_first_thing_a_keyboard_reaches_is_the_skip_link_to_the_main_content(client, cadre):
    client.force_login(cadre.user)
    body = client.get(reverse("home")).content.decode()
    first = FOCUSABLE.search(body.split("<body", 1)[1])
    assert first is not None and 'class="skip-link' in first.group(0) and 'href="#main"' in first.group(0)
    assert "跳到主要内容" in first.string[first.end() : first.end() + 40]
    assert re.search(r'<main id="main"[^>]*tabindex="-1"', body)


def test_the_skip_link_is_on_the_login_page_too(client):
    body = client.get(reverse("login")).content.decode()
    assert 'class="skip-link' in body and '<main id="main"' in body


def test_the_page_you_are_on_is_marked_for_screen_readers(client, cadre):
    client.force_login(cadre.user)
    body = client.get(reverse("home")).content.decode()
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/"', body)


def test_the_bell_polls_with_valid_html_attributes(client, cadre):
    client.force_login(cadre.user)
    body = client.get(reverse("home")).content.decode()
    bell = re.search(r'<a id="bell"[^>]*>', body, re.S).group(0)
    assert 'data-hx-get="/notifications/bell/"' in bell and 'data-hx-trigger="every 60s"' in bell
    assert not re.search(r"\shx-", bell)


def test_a_cadre_past_the_rule_sees_a_full_bar_and_the_real_count(client, cadre):
    today = timezone.localdate()
    for _ in range(4):
        VisitFactory(pairing=cadre.pairings.get(), visited_on=today)
    client.force_login(cadre.user)
    response = client.get(reverse("home"))
    cell = response.context["cadre_panel"].cell
    assert cell.visits == 4 and 0 < cell.required < 4
    body = response.content.decode()
    bar = re.search(r"<progress[^>]*>", body).group(0)
    assert f'value="{cell.required}" max="{cell.required}"' in bar  # never past its end: invalid HTML
    assert f'id="month-visits">4 / {cell.required}<' in body


def test_the_language_switch_names_each_language_in_its_own_language(client):
    page = client.get("/accounts/login/").content.decode()  # Chinese by default
    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in page
