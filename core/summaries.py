"""Kept summaries (a count kept beside the rows it counts, changed by the services in the same transaction).

One way to recount one from its source, for every summary the services keep (the visit tally, the policies'
reach): `replace`.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet


def replace(kept: QuerySet[Any], columns: Sequence[str], counted: QuerySet[Any]) -> int:
    """Replace the summary's rows `kept` by the rows `counted` gives (its values, in `columns`' order), set-based.

    One DELETE and one INSERT … SELECT in a transaction. On PostgreSQL the summary's table is locked against
    writers while it runs (SHARE ROW EXCLUSIVE): a write committed after the count's snapshot adds its own change
    afterwards, one committed before is in the count; readers never wait. Returns the rows written.
    """
    table = connection.ops.quote_name(kept.model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        kept._raw_delete(kept.db)  # one DELETE, no per-row collection
        select, params = counted.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)  # nosec B608 - our names, its SQL
            return cursor.rowcount
