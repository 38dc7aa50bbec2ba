"""The scan's writes and its dry run as set-based statements: the same few queries for 3 reminders or 100,000.

`record` inserts every due reminder that is not recorded yet, and a pending delivery per channel for each
reminder it inserted; `untaken` counts, without writing, what `record` would insert. The due reminders go to
the database as data, not as one statement per row:

- PostgreSQL: one statement. The reminders travel as parallel arrays (`unnest`), inserted with
  `ON CONFLICT DO NOTHING RETURNING`, and the deliveries are inserted from what came back, in the same
  statement (a data-modifying `WITH`): the deliveries are those of the rows this statement inserted, never of
  a row another scan inserted.
- SQLite (development and the quick tests): two statements, the reminders (`INSERT … SELECT … FROM
  json_each(?) … ON CONFLICT DO NOTHING RETURNING`), then their deliveries, each with its rows as one JSON
  parameter. SQLite has no data-modifying `WITH`; it has one writer at a time, so two scans never overlap.

Two scans at once on PostgreSQL: an insert that meets a key another transaction has inserted but not yet
committed waits for it; if it commits, the key is skipped (not returned, so given no delivery); if it rolls
back, the waiting insert takes the key. Each key is recorded, and its deliveries made, by exactly one scan.
The rows are inserted in key order, so two scans take their keys in the same order and cannot deadlock.
"""

import datetime
import json
from collections import Counter
from collections.abc import Sequence

from django.db import connection

from notifications.reminders import Due

# The statements name the tables outright (notifications_reminder, notifications_delivery): plain literals,
# no query built from strings. The tests run every one of them on SQLite and on PostgreSQL.

# PostgreSQL: the due reminders as parallel arrays, one element per reminder (unnest zips them into rows).
_PG_RECORD = """
    WITH due AS (
        SELECT * FROM unnest(%s::varchar[], %s::bigint[], %s::integer[], %s::varchar[], %s::jsonb[], %s::varchar[])
            AS due (kind, object_id, recipient_id, period, params, link)
    ),
    recorded AS (
        INSERT INTO notifications_reminder
            (kind, object_id, recipient_id, period, params, title, body, link, created_at)
        SELECT kind, object_id, recipient_id, period, params, '', '', link, %s FROM due
        ON CONFLICT (kind, object_id, recipient_id, period) DO NOTHING
        RETURNING id, kind, recipient_id
    ),
    delivered AS (
        INSERT INTO notifications_delivery (reminder_id, recipient_id, channel, sent_at)
        SELECT recorded.id, recorded.recipient_id, channel, NULL
        FROM recorded CROSS JOIN unnest(%s::varchar[]) AS channel
    )
    SELECT kind, count(*) FROM recorded GROUP BY kind
"""
_PG_UNTAKEN = """
    SELECT kind, count(*)
    FROM unnest(%s::varchar[], %s::bigint[], %s::integer[], %s::varchar[])
        AS due (kind, object_id, recipient_id, period)
    WHERE NOT EXISTS (
        SELECT 1 FROM notifications_reminder AS r
        WHERE r.kind = due.kind AND r.object_id = due.object_id
            AND r.recipient_id = due.recipient_id AND r.period = due.period
    )
    GROUP BY kind
"""

# SQLite: the due reminders as one JSON array of [kind, object_id, recipient_id, period, params, link].
# "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
_SQLITE_RECORD = """
    INSERT INTO notifications_reminder (kind, object_id, recipient_id, period, params, title, body, link, created_at)
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
        json_extract(value, '$[3]'), json_extract(value, '$[4]'), '', '', json_extract(value, '$[5]'), %s
    FROM json_each(%s) WHERE true
    ON CONFLICT (kind, object_id, recipient_id, period) DO NOTHING
    RETURNING id, kind, recipient_id
"""
_SQLITE_DELIVER = """
    INSERT INTO notifications_delivery (reminder_id, recipient_id, channel, sent_at)
    SELECT json_extract(recorded.value, '$[0]'), json_extract(recorded.value, '$[1]'), channel.value, NULL
    FROM json_each(%s) AS recorded, json_each(%s) AS channel
"""
_SQLITE_UNTAKEN = """
    SELECT json_extract(due.value, '$[0]') AS due_kind, count(*)
    FROM json_each(%s) AS due
    WHERE NOT EXISTS (
        SELECT 1 FROM notifications_reminder AS r
        WHERE r.kind = json_extract(due.value, '$[0]') AND r.object_id = json_extract(due.value, '$[1]')
            AND r.recipient_id = json_extract(due.value, '$[2]') AND r.period = json_extract(due.value, '$[3]')
    )
    GROUP BY due_kind
"""


def _ordered(due: Sequence[Due]) -> list[Due]:
    """Sort by key, so that concurrent scans take their keys in the same order."""
    return sorted(due, key=lambda d: d.key)


def _arrays(due: Sequence[Due], *, keys_only: bool = False) -> list[list]:
    """The reminders as PostgreSQL's parallel arrays: kinds, object ids, recipients, periods (, values, links)."""
    keys: list[list] = [
        [d.kind for d in due],
        [d.object_id for d in due],
        [d.recipient_id for d in due],
        [d.period for d in due],
    ]
    if keys_only:
        return keys
    return [*keys, _dumped(due), [d.link for d in due]]


def _dumped(due: Sequence[Due]) -> list[str]:
    """Each reminder's values as the JSONField writes them (json.dumps, no encoder), dumped once per dict.

    A problem's reminders to its staff, its cadre and the leading group share one dict of values.
    """
    dumped: dict[int, str] = {}  # by id(): every dict is alive while `due` is
    for d in due:
        if id(d.params) not in dumped:
            dumped[id(d.params)] = json.dumps(d.params)
    return [dumped[id(d.params)] for d in due]


def _json_rows(due: Sequence[Due]) -> str:
    """The reminders as one JSON array of rows, for SQLite's json_each."""
    return json.dumps([[d.kind, d.object_id, d.recipient_id, d.period, d.params, d.link] for d in due])


def record(due: Sequence[Due], *, channels: Sequence[str], now: datetime.datetime) -> Counter[str]:
    """Record the reminders of `due` not recorded yet, with a pending delivery per channel; count them per kind.

    One query on PostgreSQL, two on SQLite, however many are due. Call it inside a transaction.
    """
    due = _ordered(due)
    created_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_RECORD, [*_arrays(due), created_at, list(channels)])
            return Counter(dict(cursor.fetchall()))
        cursor.execute(_SQLITE_RECORD, [created_at, _json_rows(due)])
        recorded = cursor.fetchall()
        rows = json.dumps([[pk, recipient_id] for pk, _kind, recipient_id in recorded])
        cursor.execute(_SQLITE_DELIVER, [rows, json.dumps(list(channels))])
    return Counter(kind for _pk, kind, _recipient_id in recorded)


def untaken(due: Sequence[Due]) -> Counter[str]:
    """Count per kind the reminders of `due` not recorded yet (what `record` would insert now), in one query."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_UNTAKEN, _arrays(due, keys_only=True))
        else:
            cursor.execute(_SQLITE_UNTAKEN, [json.dumps([d.key for d in due])])
        return Counter(dict(cursor.fetchall()))
