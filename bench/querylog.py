"""Count every query of a long job: Django keeps the last 9,000 only, and a full log counts nothing new."""

import collections
import contextlib
from collections.abc import Iterator

from django.db import connection

LIMIT = 2_000_000


@contextlib.contextmanager
def fresh() -> Iterator[None]:
    """An empty query log, long enough for an import's every query (only filled while queries are captured)."""
    if connection.queries_log.maxlen != LIMIT:
        connection.queries_log = collections.deque(maxlen=LIMIT)
    connection.queries_log.clear()
    yield
