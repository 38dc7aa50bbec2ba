"""The campaign office's permissions in the administration pages, for data migrations to grant.

The office's permissions are data, so migrations grant them: `core/migrations/0002_office_permissions.py`
gives the office exactly what it needs, and a later migration that adds a model the office must manage
grants that model's permissions in its own app's next migration with `grant_office_permissions` (and
revokes them in reverse). Each migration carries its own frozen list, so a database migrated long ago
and a fresh one end up with the same permissions. docs/deployment.md ("The campaign office's
permissions") says the same for whoever adds a model.

Django creates permissions only after the whole `migrate` run (post_migrate), so on a fresh database
they do not exist yet while the migrations run: these functions create them first.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from core.roles import Role

# {"app_label.model_name": ("add", "change", "view"), …}: the actions are Django's default permissions.
PermissionList = Mapping[str, Sequence[str]]


def grant_office_permissions(
    apps: Any, schema_editor: Any, permissions: PermissionList, *, exactly: bool = False
) -> None:
    """Give the campaign-office group these permissions (with `exactly`, these and no others)."""
    group = _office_group(apps, schema_editor)
    wanted = _permissions(apps, schema_editor, permissions)
    if exactly:
        group.permissions.set(wanted)
    else:
        group.permissions.add(*wanted)


def revoke_office_permissions(apps: Any, schema_editor: Any, permissions: PermissionList) -> None:
    """Take these permissions from the campaign-office group (a grant's reverse)."""
    group = _office_group(apps, schema_editor)
    group.permissions.remove(*_permissions(apps, schema_editor, permissions))


def _office_group(apps: Any, schema_editor: Any) -> Any:
    group_model = apps.get_model("auth", "Group")
    return group_model.objects.using(schema_editor.connection.alias).get_or_create(name=Role.CAMPAIGN_OFFICE)[0]


def _permissions(apps: Any, schema_editor: Any, permissions: PermissionList) -> list[Any]:
    """Return the permission rows, creating those of the named apps when migrate has not yet."""
    using = schema_editor.connection.alias
    for app_label in sorted({key.split(".")[0] for key in permissions}):
        # The installed app's config says the app has models; `apps` (the migration's state) gives them.
        create_permissions(global_apps.get_app_config(app_label), verbosity=0, using=using, apps=apps)
    permission_model = apps.get_model("auth", "Permission")
    rows = []
    for key, actions in permissions.items():
        app_label, model_name = key.split(".")
        for action in actions:
            rows.append(
                permission_model.objects.using(using).get(
                    content_type__app_label=app_label,
                    content_type__model=model_name,
                    codename=f"{action}_{model_name}",
                )
            )
    return rows
