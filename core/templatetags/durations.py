"""{{ moment|waited_for }}: how long since a moment, in words (core/durations.py)."""

import datetime

from django import template

from core.durations import waited_for as _waited_for

register = template.Library()


@register.filter
def waited_for(since: datetime.datetime | datetime.date | None) -> str:
    """Return how long since `since`, in the reader's language; empty for no moment."""
    return _waited_for(since) if since else ""
