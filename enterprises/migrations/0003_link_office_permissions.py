"""The campaign office sees the enterprises' links and revokes them in the admin."""

from django.db import migrations

from core.permissions import grant_office_permissions, revoke_office_permissions

PERMISSIONS = {"enterprises.enterpriselink": ("change", "view")}


def add(apps, schema_editor):
    grant_office_permissions(apps, schema_editor, PERMISSIONS)


def remove(apps, schema_editor):
    revoke_office_permissions(apps, schema_editor, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_enterprise_links"), ("core", "0005_calendar_office_permissions")]

    operations = [migrations.RunPython(add, remove)]
