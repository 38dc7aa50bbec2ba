"""Tabs with their counts, and pages of a tab: what the desks and lists that grow are built from."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


@dataclass(frozen=True)
class Tab:
    """One tab of a list (templates/_tabs.html): what `?tab=` names it, its label, its rows, its badge's colour."""

    key: str
    label: str
    count: int
    badge: str = ""


def counted_page(rows: QuerySet, count: int, number: str | None, per_page: int) -> Page:
    """Page `rows`, whose count the tabs' figures already hold: the page does not count them again."""
    paginator = Paginator(rows, per_page)
    paginator.__dict__["count"] = count  # Paginator.count is a cached_property: fill its cache
    return paginator.get_page(number)
