"""The campaign office keeps the calendar's table (next year's holidays and 调休 working days)."""

from django.db import migrations

from core.permissions import grant_office_permissions, revoke_office_permissions

PERMISSIONS = {"core.calendarday": ("add", "change", "delete", "view")}


def add(apps, schema_editor):
    grant_office_permissions(apps, schema_editor, PERMISSIONS)


def remove(apps, schema_editor):
    revoke_office_permissions(apps, schema_editor, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_calendarday")]

    operations = [migrations.RunPython(add, remove)]
