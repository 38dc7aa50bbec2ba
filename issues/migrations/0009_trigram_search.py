"""Trigram search on PostgreSQL: GIN indexes serving the ledger's `q` (title and description `icontains`).

Django's `icontains` is `UPPER(col::text) LIKE UPPER('%…%')` on PostgreSQL, so each index is on that
expression with gin_trgm_ops (pg_trgm, created by enterprises 0004). PostgreSQL-only DDL: a no-op on
SQLite. A pattern of three characters or more is served by the index; a shorter one is not (it has no
trigram), see docs/indexes.md.
"""

from django.db import migrations

INDEXES = {
    "issue_title_trgm": "title::text",
    "issue_description_trgm": "description",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON issues_issue USING gin (UPPER({column}) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0004_trigram_search"),
        ("issues", "0008_ledger_order_and_duplicate_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
