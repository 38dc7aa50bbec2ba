"""Page numbers over a large ordered list that stay index-backed on the first, the middle and the last page.

Django's Paginator slices the list itself: `ORDER BY … LIMIT 25 OFFSET n`, which at a city's 100,000
problems joins (enterprise, department, category) and throws away every row before the page. This one:

- picks the page's keys first, on the ordering's index alone (`SELECT id … ORDER BY created_at DESC, id
  DESC LIMIT 25 OFFSET n`: an index-only walk of `issue_ledger_order`), and joins only those 25 rows;
- walks from the nearer end: a page in the back half is read in the reverse order from the end (the index
  read backwards) and turned round, so the last page costs what the first does.

One query for the rows whatever the page (and one for the count, as Django's). The ordering must be
total (end with the primary key) so the reversed walk meets the same rows.
"""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class IndexedPaginator(Paginator):
    """A Paginator over an ordered QuerySet whose pages are read on the ordering's index, from the nearer end.

    `related`: what each row is shown with (select_related), joined for the page's rows only.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, related: tuple[str, ...] = ()) -> None:
        super().__init__(object_list, per_page)
        self.related = related

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
        return Page(list(rows.order_by(*queryset.query.order_by)), number, self)
