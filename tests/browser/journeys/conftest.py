"""Journeys: each role's part of the campaign, clicked as a new user would, on a phone, in Chinese and in English.

A journey opens the portal's address, logs in on the login page (the English run first picks English
with the footer's switch, once, as a new user does), follows the links of the home page and the menu,
and checks both what was saved and what the user sees. The words it looks for are the portal's own, in
the journey's language (`Journey.t`, `Journey.label`): a reworded translation breaks no journey.

`make screenshots` runs the Chinese journeys with SCREENSHOTS=1: each saves its key pages as
docs/screenshots/<journey>-<step>-phone.png (`Journey.shot`).
"""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.forms import Form
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PASSWORD = "secret-pass-123"  # the personas' (tests/factories.py)


def words(language: str, text: str | Promise, /, **params: object) -> str:
    """What a user reading `language` sees for a source string or a lazy label, with its placeholders filled."""
    with translation.override(language):
        said = gettext(text) if isinstance(text, str) else str(text)
    return said % params if params else said


@dataclass
class Journey:
    """One user's way through the portal in one language, on a phone."""

    page: Page
    base_url: str
    language: str
    name: str
    console_errors: list[str] = field(default_factory=list)

    def t(self, text: str | Promise, /, **params: object) -> str:
        """The portal's words for `text` in the journey's language."""
        return words(self.language, text, **params)

    def label(self, form_class: type[Form], name: str) -> str:
        """The label the user reads beside a form's field."""
        return self.t(form_class.base_fields[name].label)

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        """Open the portal's address and log in on the page it shows; in English, switch the language first."""
        page = self.page
        page.goto(f"{self.base_url}/")
        if self.language != settings.LANGUAGE_CODE:
            switch_language(page, self.language)
        username_field, password_field = self.login_fields()
        username_field.fill(username)
        password_field.fill(password)
        page.get_by_role("button", name=self.t("Log in")).click()
        page.wait_for_url(f"{self.base_url}/")

    def login_fields(self) -> tuple[Locator, Locator]:
        """The login page's username and password, by the labels Django's login form gives them."""
        with translation.override(self.language):
            form = AuthenticationForm()
            username, password = str(form.fields["username"].label), str(form.fields["password"].label)
        return self.page.get_by_label(username), self.page.get_by_label(password)

    def open_menu(self, link: str) -> None:
        """Follow a link of the menu, folded behind its button on a phone, once the menu has finished unfolding.

        A click while Bootstrap's collapse is still sliding open can land on the page behind it, so the
        journey waits for the open menu and then for the link's page, as a user waits to see it.
        """
        self.page.get_by_role("button", name=self.t("Menu")).click()
        target = self.page.locator("#mainnav.collapse.show").get_by_role("link", name=link)
        path = urlsplit(target.get_attribute("href") or "").path
        target.click()
        self.page.wait_for_url(lambda url: urlsplit(url).path == path)

    def move(self, label: str) -> Locator:
        """Unfold a move's panel on the problem's page, when it is folded, and return its form."""
        fold = self.fold(label)
        fold.wait_for()  # the problem's page is there, not the page the user came from
        button = self.page.get_by_role("button", name=label, exact=True)
        if not button.is_visible():
            fold.click()
        return self.page.locator("form").filter(has=button)

    def fold(self, label: str) -> Locator:
        """The title of a move's panel, which folds it open or shut."""
        return self.page.locator("summary").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))

    def sees(self, text: str) -> None:
        """The text is on the page, visibly (a message, a status)."""
        expect(self.page.get_by_text(text, exact=True).first).to_be_visible()

    def done(self, action_label: str) -> None:
        """The move's success message is shown."""
        self.sees(self.t("Done: %(action)s.", action=action_label))

    def shot(self, step: str) -> None:
        """Save the page as the journey's screenshot for this step, when `make screenshots` asks (Chinese only)."""
        if os.environ.get("SCREENSHOTS") == "1" and self.language == settings.LANGUAGE_CODE:
            self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{step}-phone.png"), full_page=True)


def switch_language(page: Page, language: str) -> None:
    """Pick a language with the footer's switch, as the page in its current language labels it."""
    shown = page.locator("html").get_attribute("lang") or settings.LANGUAGE_CODE
    # Each option is named in its own language ("English" on a Chinese page), so a reader finds theirs.
    assert page.locator(f'#language option[value="{language}"]').get_attribute("lang") == language
    page.get_by_label(words(shown, "Language")).select_option(value=language)
    page.get_by_role("button", name=words(shown, "Switch")).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture(params=["zh-hans", "en"])
def language(request) -> str:
    return request.param


@contextmanager
def walking(page: Page, base_url: str, language: str, name: str) -> Iterator[Journey]:
    """A journey on this page; at its end, no blocked asset, no Content-Security-Policy violation, no script error."""
    walk = Journey(page, base_url, language, name)
    page.on("console", lambda msg: walk.console_errors.append(msg.text) if msg.type == "error" else None)
    yield walk
    assert walk.console_errors == [], walk.console_errors


@pytest.fixture
def journey(request, phone, live_server, language):
    """The journey of this test module (named after it: test_cadre_visit → cadre-visit), on a phone."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    with walking(phone, live_server.url, language, name) as walk:
        yield walk


@pytest.fixture
def at_a_desk(page, live_server):
    """A journey in Chinese in a desktop browser window, for the tests made with the keyboard alone."""
    with walking(page, live_server.url, settings.LANGUAGE_CODE, "keyboard") as walk:
        yield walk


def focused(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until the target has the focus, as a keyboard user does; fail when it never gets it."""
    for _ in range(limit):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def choose_by_keys(page: Page, radio: Locator, *, limit: int = 80) -> None:
    """Tab into the radio's group, then move with the arrow keys and check it with Space."""
    group = radio.get_attribute("name")
    for _ in range(limit):
        if page.evaluate("name => document.activeElement?.name === name", group):
            break
        page.keyboard.press("Tab")
    for _ in range(10):
        if focused(radio):
            page.keyboard.press("Space")
            expect(radio).to_be_checked()
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never reached {radio}")


def select_by_keys(page: Page, select: Locator, label: str, *, limit: int = 30) -> None:
    """Tab to a drop-down and step through its options with the arrow key until `label` is chosen."""
    tab_to(page, select)
    for _ in range(limit):
        if select.evaluate("s => s.selectedOptions[0]?.label") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow key never chose “{label}” in {select}")
