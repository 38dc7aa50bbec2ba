"""The portal's four roles, kept as Django groups, and the one place that reads them."""

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser, PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Role(models.TextChoices):
    CADRE = "cadre", _("Cadre")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    LEADING_GROUP = "leading_group", _("Leading group")
    CAMPAIGN_OFFICE = "campaign_office", _("Campaign office")


# Who a request's user can be; every scope and role check takes this. The portal keeps Django's
# own user model (AUTH_USER_MODEL); code that creates users asks get_user_model().
PortalUser: TypeAlias = "User | AnonymousUser"


class AuthenticatedRequest(HttpRequest):
    """The request of a view under @login_required: its user is a real account, never anonymous."""

    user: "User"


QS = TypeVar("QS", bound=models.QuerySet[Any])
View = Callable[..., HttpResponseBase]

# Roles that see the whole district.
OVERSIGHT_ROLES = frozenset({Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE})


def roles_of(user: PortalUser) -> frozenset[str]:
    """Return the user's role names, cached on the user object for the request."""
    if not isinstance(user, PermissionsMixin) or not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & frozenset(Role.values)
        if user.is_superuser:
            cached |= {Role.CAMPAIGN_OFFICE}
        setattr(user, "_portal_roles", cached)  # noqa: B010 (a cache mypy cannot see on the user type)
    return cached


def has_role(user: PortalUser, *roles: str) -> bool:
    """Return whether the user holds any of the given roles."""
    return bool(roles_of(user) & set(roles))


def sees_everything(user: PortalUser) -> bool:
    """Return whether the user oversees the whole district (leading group, campaign office)."""
    return bool(roles_of(user) & OVERSIGHT_ROLES)


def scope_to_cadre(queryset: QS, user: PortalUser, lookup: str) -> QS:
    """Overseers see every row; a cadre the rows whose `lookup` is their user (past pairings too)."""
    if sees_everything(user):
        return queryset
    if Role.CADRE in roles_of(user):
        return queryset.filter(**{lookup: user})
    return queryset.none()


def role_required(*roles: str) -> Callable[[View], View]:
    """Refuse the view (403) to users holding none of the roles; use under @login_required."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
