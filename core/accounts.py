"""Which accounts the campaign office may administer: those within the portal's four roles.

A superuser administers every account through Django's own user admin. A campaign-office clerk
(admin access, not a superuser) creates accounts, deactivates them, resets their passwords and
gives them the portal's roles, and nothing more: never superuser, admin access (`is_staff`), raw
permissions or other groups. Nor may a clerk touch an account that already holds any of those
beyond its roles (a superuser above all): resetting its password would hand the clerk more than
the office has. `core/admin.py` asks this module; `core/forms.py` holds the clerk's forms.
"""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet

from core.roles import PortalUser, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The fields of an account that grant more than the portal's roles; a clerk's form never carries them.
BEYOND_PORTAL_ROLES = ("is_superuser", "is_staff", "user_permissions")


def portal_groups() -> QuerySet[Group]:
    """The groups that are the portal's four roles, and no other."""
    return Group.objects.filter(name__in=Role.values)


def accounts_within_portal_roles() -> "QuerySet[User]":
    """Accounts that hold nothing a clerk could not give: no superuser, no raw permission, no other group."""
    user_model = get_user_model()
    raw_permissions = user_model.user_permissions.through.objects.filter(user=OuterRef("pk"))
    other_groups = user_model.groups.through.objects.filter(user=OuterRef("pk")).exclude(group__name__in=Role.values)
    return user_model.objects.filter(is_superuser=False).exclude(Exists(raw_permissions)).exclude(Exists(other_groups))


def may_administer(actor: PortalUser, account: "User") -> bool:
    """Return whether the actor may change this account (a superuser any; a clerk one within the roles)."""
    if actor.is_superuser:
        return True
    if account.pk is None:
        return not (account.is_superuser or account.is_staff)
    return accounts_within_portal_roles().filter(pk=account.pk).exists()
