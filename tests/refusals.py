"""Read a page's refusals by their codes, never by their sentences, so rewording a translation breaks no test."""

import re

from django.contrib import messages
from django.utils.html import escape

from core.drafts import MARKER_TAGS

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refusals(response) -> list[tuple[str, str]]:
    """Return the (code, message) of each refusal the page showed as a message; views tag each with its code."""
    return [(m.extra_tags, m.message) for m in response.context["messages"] if m.level == messages.ERROR]


def read_by_the_user(page_messages) -> list:
    """Return the messages a page shows the user, without the markers it hands to drafts.js (core/drafts.py)."""
    return [m for m in page_messages if m.extra_tags not in MARKER_TAGS]


def shown(response, text: str) -> bool:
    """Return whether the page shows this text, escaped as templates escape it."""
    return str(escape(text)) in response.content.decode()


def in_chinese(text: str) -> bool:
    """Return whether the text is Chinese, whatever its wording."""
    return bool(_CHINESE.search(text))
