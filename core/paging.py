"""Tabs with their counts, and pages of a tab: what the desks and lists that grow are built from.

`IndexedPaginator`: page numbers over a large ordered list that stay index-backed on the first, the middle
and the last page (the problem ledger, the visit list).

Django's Paginator slices the list itself: `ORDER BY … LIMIT 25 OFFSET n`, which at a city's 100,000
problems joins (enterprise, department, category) and throws away every row before the page. This one:

- picks the page's keys first, on the ordering's index alone (`SELECT id … ORDER BY created_at DESC, id
  DESC LIMIT 25 OFFSET n`: an index-only walk of `issue_ledger_order`), and joins only those 25 rows;
- walks from the nearer end: a page in the back half is read in the reverse order from the end (the index
  read backwards) and turned round, so the last page costs what the first does.

One query for the rows whatever the page (and one for the count, as Django's, unless the count is given). The
ordering must be total (end with the primary key) so the reversed walk meets the same rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

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


class IndexedPaginator(Paginator):
    """A Paginator over an ordered QuerySet whose pages are read on the ordering's index, from the nearer end.

    `related`: what each row is shown with (select_related), joined for the page's rows only; `shape`: what
    else the page's rows are given (an annotation such as the visit list's file count), on those rows only;
    `count`: the list's length when the caller holds it already (a kept count, core/kept.py), so the
    paginator does not count the list again; the rows are still read from the list itself.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        related: tuple[str, ...] = (),
        shape: Callable[[QuerySet], QuerySet] | None = None,
        count: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.related = related
        self.shape = shape
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property: fill its cache

    def validate_number(self, number: Any) -> int:
        """As Django's, and `last` for the last page (the ledger's link to it)."""
        return self.num_pages if number == "last" else super().validate_number(number)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = cast(QuerySet, self.object_list)
        keys = queryset.values("pk")
        # Nearer the end, the same rows are counted back from the last one.
        from_end = bottom > self.count - top
        keys = keys.reverse()[self.count - top : self.count - bottom] if from_end else keys[bottom:top]
        # The page's rows by their keys alone: the list's own conditions were met in picking them.
        rows = queryset.model._default_manager.filter(pk__in=keys).select_related(*self.related)
        rows = self.shape(rows) if self.shape else rows
        return Page(list(rows.order_by(*queryset.query.order_by)), number, self)
