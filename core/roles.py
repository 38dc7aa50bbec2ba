"""The portal's four roles, kept as Django groups, and the one place that reads them."""

import functools

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CADRE = "cadre", _("Cadre")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    LEADING_GROUP = "leading_group", _("Leading group")
    CAMPAIGN_OFFICE = "campaign_office", _("Campaign office")


# Roles that see the whole district.
OVERSIGHT_ROLES = frozenset({Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE})


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """Return the user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & frozenset(Role.values)
        if user.is_superuser:
            cached |= {Role.CAMPAIGN_OFFICE}
        user._portal_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """Return whether the user holds any of the given roles."""
    return bool(roles_of(user) & set(roles))


def sees_everything(user) -> bool:
    """Return whether the user oversees the whole district (leading group, campaign office)."""
    return bool(roles_of(user) & OVERSIGHT_ROLES)


def scope_to_cadre(queryset, user, lookup: str):
    """Overseers see every row; a cadre the rows whose `lookup` is their user (past pairings too)."""
    if sees_everything(user):
        return queryset
    if Role.CADRE in roles_of(user):
        return queryset.filter(**{lookup: user})
    return queryset.none()


def role_required(*roles: str):
    """Refuse the view (403) to users holding none of the roles; use under @login_required."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The campaign office administers these apps' records through the admin pages.
OFFICE_ADMIN_APPS = ("enterprises", "organisation", "issues", "visits", "notifications", "auth")


def grant_office_permissions(**kwargs) -> None:
    """Give the campaign-office group every permission on the apps it administers (after migrate)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=Role.CAMPAIGN_OFFICE)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=OFFICE_ADMIN_APPS))
