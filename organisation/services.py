"""The organisation's writes: cadres, units' staff and their accounts, one-to-one pairings with history."""

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.roles import Role
from enterprises.importers import PairingPlan
from enterprises.models import Enterprise
from organisation.models import Cadre, Department, DepartmentStaff, Pairing

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CADRE_USERNAME_PREFIX = "cadre-"


def cadre_find_or_create(*, name: str, title: str) -> Cadre:
    """Return the cadre of that name (and title, when given), creating an account when there is none."""
    candidates = list(Cadre.objects.filter(name=name).order_by("pk"))
    same = [c for c in candidates if c.title == title] if title else candidates
    if len(same) == 1:
        return same[0]
    if len(same) > 1:
        titles = "、".join(c.title or "—" for c in same)
        raise _refusal(
            "cadre_title",
            "cadre_ambiguous",
            _("Several cadres are called %(name)s (%(titles)s): give the title to tell them apart.")
            % {"name": name, "titles": titles},
        )
    return cadre_create(name=name, title=title)


def _refusal(field: str, code: str, message: str) -> ValidationError:
    """Return a refusal about one field (a column of the list), with its stable code."""
    return ValidationError({field: ValidationError(message, code=code)})


def cadre_create(*, name: str, title: str) -> Cadre:
    """Create a cadre with an account the office gives a password later (none is usable yet)."""
    user = get_user_model()(username=_next_cadre_username(), first_name=name)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.CADRE)[0])
    return Cadre.objects.create(user=user, name=name, title=title)


def _next_cadre_username() -> str:
    # cadre-0001, cadre-0002, …: deterministic for a given database, and free of pinyin guesses.
    taken = (
        get_user_model().objects.filter(username__startswith=CADRE_USERNAME_PREFIX).values_list("username", flat=True)
    )
    numbers = [
        int(u.removeprefix(CADRE_USERNAME_PREFIX)) for u in taken if u.removeprefix(CADRE_USERNAME_PREFIX).isdigit()
    ]
    return f"{CADRE_USERNAME_PREFIX}{max(numbers, default=0) + 1:04d}"


def pairing_apply(*, enterprise: Enterprise, plan: PairingPlan) -> tuple[Pairing, bool]:
    """Pair the planned cadre with the enterprise, ending either side's other active pairing (history kept).

    Return the pairing and whether anything changed.
    """
    active = Pairing.objects.active().filter(enterprise=enterprise).select_related("cadre").first()
    if active is not None and plan.matches(active):
        return active, False
    cadre = cadre_find_or_create(name=plan.name, title=plan.title)
    if active is not None and active.cadre_id == cadre.pk and plan.started_on is not None:
        # Same cadre, another date: the list corrects when the pairing began.
        active.started_on = plan.started_on
        active.save(update_fields=["started_on"])
        return active, True
    if plan.started_on is None:
        raise _refusal(
            "paired_on", "pairing_date_missing", _("A pairing date is needed to pair %(name)s.") % {"name": plan.name}
        )
    ended_on = plan.started_on - datetime.timedelta(days=1)
    for old in (
        Pairing.objects.active().filter(Q(enterprise=enterprise) | Q(cadre=cadre)).select_related("cadre", "enterprise")
    ):
        if ended_on < old.started_on:
            raise _refusal(
                "paired_on",
                "pairing_date_too_early",
                _("The pairing date %(date)s is not after the start (%(start)s) of the pairing it replaces (%(old)s).")
                % {"date": plan.started_on, "start": old.started_on, "old": old},
            )
        old.ended_on = ended_on
        old.save(update_fields=["ended_on"])
    return Pairing.objects.create(cadre=cadre, enterprise=enterprise, started_on=plan.started_on), True


@transaction.atomic
def staff_appoint(*, user: "User", department: Department, name: str, phone: str = "") -> DepartmentStaff:
    """Make an account a unit's staff member: the record, and the department-staff role to act with."""
    if DepartmentStaff.objects.filter(user=user).exists():
        raise _refusal(
            "user", "already_staff", _("%(user)s is a unit's staff member already.") % {"user": user.get_username()}
        )
    user.groups.add(Group.objects.get_or_create(name=Role.DEPARTMENT_STAFF)[0])
    return DepartmentStaff.objects.create(user=user, department=department, name=name.strip(), phone=phone.strip())


@transaction.atomic
def staff_account_create(
    *, username: str, password: str, department: Department, name: str, phone: str = ""
) -> DepartmentStaff:
    """Create the login of a unit's staff member, with the department-staff role and the staff record."""
    user = get_user_model().objects.create_user(username=username, password=password, first_name=name.strip())
    return staff_appoint(user=user, department=department, name=name, phone=phone)
