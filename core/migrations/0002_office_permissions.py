"""The campaign office's permissions in the administration pages: exactly these, and no others.

The office manages enterprises, cadres, pairings, departments and their staff, policies and problem
categories, and accounts within the portal's roles (core/admin.py keeps a clerk from granting more
than those roles). It deletes nothing: a record no longer in use is deactivated, or a pairing ended,
so history stays; only a policy's sector rows (an inline of the policy) may be removed. Everything
else (problems, visits, errands, reminders) changes through the portal's own pages and services.

Running this again sets the same list. A model added later that the office must manage gets its
permissions from its own app's next migration, through core.permissions.grant_office_permissions:
never edit this list, which a database migrated already would not see again (docs/deployment.md).
"""

from django.db import migrations

from core.permissions import grant_office_permissions, revoke_office_permissions

MANAGE = ("add", "change", "view")

OFFICE_PERMISSIONS = {
    "auth.user": MANAGE,
    "enterprises.enterprise": MANAGE,
    "organisation.department": MANAGE,
    "organisation.departmentstaff": MANAGE,
    "organisation.cadre": MANAGE,
    "organisation.pairing": MANAGE,
    "visits.policy": MANAGE,
    "visits.policysector": (*MANAGE, "delete"),
    "issues.issuecategory": MANAGE,
}


def grant(apps, schema_editor):
    grant_office_permissions(apps, schema_editor, OFFICE_PERMISSIONS, exactly=True)


def revoke(apps, schema_editor):
    revoke_office_permissions(apps, schema_editor, OFFICE_PERMISSIONS)


class Migration(migrations.Migration):
    # The latest migration of every app whose models it grants: their tables and models exist by then.
    dependencies = [
        ("core", "0001_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("enterprises", "0001_initial"),
        ("organisation", "0001_initial"),
        ("issues", "0002_categories"),
        ("visits", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
