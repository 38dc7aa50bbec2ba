"""Trigram search on PostgreSQL (pg_trgm): the extension, and a GIN index serving `name__icontains`.

Django's `icontains` is `UPPER(name::text) LIKE UPPER('%…%')` on PostgreSQL, so the index is on that
expression with gin_trgm_ops. PostgreSQL-only DDL: on SQLite (the quick test suite) both are no-ops
(`TrigramExtension` checks the vendor itself). docs/indexes.md says what it serves and what it does not.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "enterprise_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON enterprises_enterprise USING gin (UPPER(name::text) gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0003_link_office_permissions"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
