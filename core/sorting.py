"""A table sorted on the server: the column and direction a page reads from its query (`?sort=key`, `?sort=-key`),
the links its headings carry, their `aria-sort`, and the query string with a parameter changed.

The leading group's roll-ups and department table (oversight/) and the annual assessment's ranking tables
(assessment/) sort this way.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest, QueryDict


@dataclass(frozen=True)
class Sort:
    """The column the rows are sorted by and the direction; none: the table's natural order."""

    key: str = ""
    descending: bool = False

    @classmethod
    def read(cls, value: str, keys: Iterable[str]) -> "Sort":
        """Read `?sort=`; anything but "name" or one of the keys (with an optional "-") is the natural order."""
        value = (value or "").strip()
        descending = value.startswith("-")
        key = value[1:] if descending else value
        if key != "name" and key not in set(keys):
            return cls()
        return cls(key, descending)

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def toggled(self, key: str) -> str:
        """The `?sort=` a column's heading links to: the other direction when sorted by it, else its first one.

        Numbers sort largest first at the first click (the most overdue department on top); names A to Z.
        """
        if key == self.key:
            return key if self.descending else f"-{key}"
        return key if key == "name" else f"-{key}"

    def aria(self, key: str) -> str:
        """The heading's `aria-sort`: "ascending" or "descending" on the sorted column, else nothing."""
        if key != self.key:
            return ""
        return "descending" if self.descending else "ascending"


def query_with(request: HttpRequest, **changes: str) -> str:
    """The page's query string with some parameters changed (an empty value drops one)."""
    query: QueryDict = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    return query.urlencode()
