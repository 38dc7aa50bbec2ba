"""The organisation's writes: cadres, units' staff and their accounts, one-to-one pairings with history."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from core import dates
from core.roles import Role
from enterprises.importers import PairingPlan
from enterprises.models import Enterprise
from organisation.models import Cadre, Department, DepartmentStaff, Pairing

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CADRE_USERNAME_PREFIX = "cadre-"


@dataclass(frozen=True)
class CadreMatch:
    """The cadre a list row names, and what finding it did."""

    cadre: Cadre
    created: bool = False
    changed: bool = False  # the row gave the cadre a new title, or its mobile for the first time
    # Cadres of the same name the row did not match, when it created a new one: maybe the same person.
    namesakes: tuple[Cadre, ...] = ()


def cadre_find_or_create(*, name: str, title: str, mobile: str = "") -> CadreMatch:
    """Return the cadre a row names: by mobile first, else by name (and title); create one when none matches.

    The mobile is the key: a new title for a known mobile replaces the old, and namesakes with other
    mobiles are other people. A cadre no list has keyed yet is found by name (and title) and takes the
    row's mobile. Without a mobile, the name and title decide, as before keys existed.
    """
    if mobile:
        keyed = Cadre.objects.filter(mobile=mobile).first()
        if keyed is not None:
            return _cadre_by_key(keyed, name=name, title=title)
        candidates = list(Cadre.objects.filter(name=name, mobile="").order_by("pk"))
    else:
        candidates = list(Cadre.objects.filter(name=name).order_by("pk"))
    same = [c for c in candidates if c.title == title] if title else candidates
    if len(same) > 1:
        titles = "、".join(c.title or "—" for c in same)
        raise _refusal(
            "cadre_title",
            "cadre_ambiguous",
            _("Several cadres are called %(name)s (%(titles)s): give the title to tell them apart.")
            % {"name": name, "titles": titles},
        )
    if same:
        found = same[0]
        if mobile:
            found.mobile = mobile
            found.save(update_fields=["mobile"])
        return CadreMatch(found, changed=bool(mobile))
    return CadreMatch(cadre_create(name=name, title=title, mobile=mobile), created=True, namesakes=tuple(candidates))


def _cadre_by_key(cadre: Cadre, *, name: str, title: str) -> CadreMatch:
    """Return the cadre a row's mobile belongs to, taking the row's new title; refuse another name."""
    if cadre.name != name:
        raise _refusal(
            "cadre_mobile",
            "cadre_mobile_conflict",
            _("The mobile %(mobile)s belongs to the cadre %(cadre)s, not %(name)s. Please check which is right.")
            % {"mobile": cadre.mobile, "cadre": cadre, "name": name},
        )
    if title and cadre.title != title:
        cadre.title = title  # promoted or moved: the same person, as the history keeps
        cadre.save(update_fields=["title"])
        return CadreMatch(cadre, changed=True)
    return CadreMatch(cadre)


def _refusal(field: str, code: str, message: str) -> ValidationError:
    """Return a refusal about one field (a column of the list), with its stable code."""
    return ValidationError({field: ValidationError(message, code=code)})


def cadre_create(*, name: str, title: str, mobile: str = "") -> Cadre:
    """Create a cadre with an account the office gives a password later (none is usable yet)."""
    user = get_user_model()(username=_next_cadre_username(), first_name=name)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.CADRE)[0])
    return Cadre.objects.create(user=user, name=name, title=title, mobile=mobile)


def _next_cadre_username() -> str:
    """cadre-0001, cadre-0002, …: deterministic for a given database, and free of pinyin guesses."""
    # One row, not every account: the highest number is the longest name, then the greatest of those
    # (cadre-10000 comes after cadre-9999), so an import of thousands of cadres stays linear.
    last = (
        get_user_model()
        .objects.filter(username__regex=rf"^{CADRE_USERNAME_PREFIX}[0-9]+$")
        .order_by(Length("username").desc(), "-username")
        .values_list("username", flat=True)
        .first()
    )
    number = int(last.removeprefix(CADRE_USERNAME_PREFIX)) if last else 0
    return f"{CADRE_USERNAME_PREFIX}{number + 1:04d}"


@dataclass(frozen=True)
class PairingOutcome:
    """What applying a row's pairing did."""

    pairing: Pairing
    changed: bool
    cadre: CadreMatch | None = None  # None when the active pairing already was what the row asks


def pairing_apply(*, enterprise: Enterprise, plan: PairingPlan) -> PairingOutcome:
    """Pair the planned cadre with the enterprise, ending either side's other active pairing (history kept)."""
    active = Pairing.objects.active().filter(enterprise=enterprise).select_related("cadre").first()
    if active is not None and plan.matches(active):
        return PairingOutcome(active, changed=False)
    if plan.started_on is not None and not dates.in_range(plan.started_on):
        raise _refusal("paired_on", dates.DATE_OUT_OF_RANGE, dates.out_of_range_message(plan.started_on))
    match = cadre_find_or_create(name=plan.name, title=plan.title, mobile=plan.mobile)
    if active is not None and active.cadre_id == match.cadre.pk:
        # The same cadre: the list gives a new title or key, or corrects when the pairing began.
        changed = match.changed
        if plan.started_on is not None and plan.started_on != active.started_on:
            active.started_on = plan.started_on
            active.save(update_fields=["started_on"])
            changed = True
        return PairingOutcome(active, changed=changed, cadre=match)
    if plan.started_on is None:
        raise _refusal(
            "paired_on", "pairing_date_missing", _("A pairing date is needed to pair %(name)s.") % {"name": plan.name}
        )
    ended_on = plan.started_on - datetime.timedelta(days=1)
    for old in (
        Pairing.objects.active()
        .filter(Q(enterprise=enterprise) | Q(cadre=match.cadre))
        .select_related("cadre", "enterprise")
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
    pairing = Pairing.objects.create(cadre=match.cadre, enterprise=enterprise, started_on=plan.started_on)
    return PairingOutcome(pairing, changed=True, cadre=match)


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
