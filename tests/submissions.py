"""Forms as their pages send them, with their one-time token (core/submissions.py), and what a repeat shows."""

import re
import uuid

from django.contrib import messages

from core.submissions import REPEAT_CODE, TOKEN_FIELD

_TOKEN = re.compile(rf'name="{TOKEN_FIELD}" value="([0-9a-f-]{{36}})"')


def with_token(data: dict | None = None, token: object = None) -> dict:
    """Return the form's data with a one-time token, as the page that shows the form sends it; fresh unless given."""
    return {**(data or {}), TOKEN_FIELD: str(token or uuid.uuid4())}


def tokens_on(response) -> list[str]:
    """Return the one-time tokens the page's forms carry, in the page's order."""
    return _TOKEN.findall(response.content.decode())


def told_already_submitted(response) -> bool:
    """Return whether the page told the user this was submitted already (by the message's code, not its words)."""
    return any(m.level == messages.INFO and m.extra_tags == REPEAT_CODE for m in response.context["messages"])
