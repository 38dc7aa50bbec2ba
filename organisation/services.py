"""The organisation's writes: cadres, units' staff and their accounts, one-to-one pairings with history.

A list's pairings are applied set-based (`PairingBook`): read up front, decided in memory, written in bulk.
"""

import datetime
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from core import dates
from core.history import bulk_create_with_history, bulk_update_with_history
from core.roles import Role
from enterprises.importers import SAVE_BATCH, PairingPlan, Write, batched
from enterprises.models import Enterprise
from organisation import kept as organisation_kept
from organisation.models import Cadre, Department, DepartmentStaff, Pairing

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Field

CADRE_USERNAME_PREFIX = "cadre-"


@dataclass(frozen=True)
class CadreMatch:
    """The cadre a list row names, and what finding it did."""

    cadre: Cadre
    created: bool = False
    changed: bool = False  # the row gave the cadre a new title, or its mobile for the first time
    # Cadres of the same name the row did not match, when it created a new one: maybe the same person.
    namesakes: tuple[Cadre, ...] = ()
    # What the row sets on a registered cadre once the row is accepted (title or mobile).
    sets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PairingOutcome:
    """What applying a row's pairing did."""

    pairing: Pairing
    changed: bool
    cadre: CadreMatch | None = None  # None when the active pairing already was what the row asks


def _refusal(field: str, code: str, message: str) -> ValidationError:
    """Return a refusal about one field (a column of the list), with its stable code."""
    return ValidationError({field: ValidationError(message, code=code)})


def _pairing_order(pairing: Pairing) -> tuple[int, int]:
    # Pairing's own ordering (-started_on, pk), for the pairings a row ends.
    return (-pairing.started_on.toordinal(), pairing.pk or 0)


class PairingBook:
    """The cadres and active pairings a list names, read up front in a few queries, changed in memory, saved in bulk.

    `cadre_find` and `pairing_apply` are the rules of a list's pairings, applied row after row in
    memory, each row seeing what the rows above it did; a refused row changes nothing. `save` writes
    the lot in batches, the cadres' history rows too. Built for an import (organisation/imports.py),
    whose enterprises come from `enterprises.importers.EnterpriseBook`.
    """

    def __init__(self, *, plans: list[PairingPlan], enterprises: list[Enterprise]) -> None:
        names = {p.name for p in plans}
        mobiles = {p.mobile for p in plans if p.mobile}
        self.by_pk: dict[int, Cadre] = {}
        for batch in batched(sorted(names)):
            self._read_cadres(Cadre.objects.filter(name__in=batch))
        for batch in batched(sorted(mobiles - {c.mobile for c in self.by_pk.values()})):
            self._read_cadres(Cadre.objects.filter(mobile__in=batch))
        self.by_mobile = {c.mobile: c for c in self.by_pk.values() if c.mobile}
        self.by_name: dict[str, list[Cadre]] = defaultdict(list)
        for cadre in sorted(self.by_pk.values(), key=lambda c: c.pk):
            self.by_name[cadre.name].append(cadre)
        # The active pairings of the list's registered enterprises and of the cadres it may name.
        known = {e.pk: e for e in enterprises if e.pk}
        self.of_enterprise: dict[int, Pairing] = {}  # by id() of the enterprise
        self.of_cadre: dict[int, Pairing] = {}  # by id() of the cadre
        active = Pairing.objects.active().order_by()
        found: list[Pairing] = []
        for batch in batched(sorted(known)):
            found.extend(active.filter(enterprise_id__in=batch))
        paired = {p.cadre_id for p in found}
        for batch in batched(sorted(self.by_pk.keys() - paired)):
            found.extend(active.filter(cadre_id__in=batch).select_related("enterprise"))
        # The cadres of the list's enterprises the list does not name: their pairings may end.
        for batch in batched(sorted({p.cadre_id for p in found} - self.by_pk.keys())):
            self._read_cadres(Cadre.objects.filter(pk__in=batch))
        for pairing in found:
            pairing.cadre = self.by_pk[pairing.cadre_id]
            if pairing.enterprise_id in known:
                pairing.enterprise = known[pairing.enterprise_id]
            self._index(pairing)
        self.new_cadres: list[Cadre] = []
        self.changed_cadres: dict[int, Cadre] = {}
        self.new_pairings: list[Pairing] = []
        self.ended: dict[int, Pairing] = {}
        self.moved: dict[int, Pairing] = {}  # pairings whose start the list corrects
        self.rows: dict[int, int] = {}  # the row that changed a cadre or a pairing, by id() of the object

    def _read_cadres(self, cadres: QuerySet[Cadre]) -> None:
        for cadre in cadres.order_by():
            self.by_pk.setdefault(cadre.pk, cadre)

    def _index(self, pairing: Pairing) -> None:
        self.of_enterprise[id(pairing.enterprise)] = pairing
        self.of_cadre[id(pairing.cadre)] = pairing

    def cadre_find(self, *, name: str, title: str, mobile: str = "") -> CadreMatch:
        """Return the cadre a row names: by mobile first, else by name (and title); a new one when none matches.

        The mobile is the key: a new title for a known mobile replaces the old, and namesakes with other
        mobiles are other people. A cadre no list has keyed yet is found by name (and title) and takes the
        row's mobile. Without a mobile, the name and title decide, as before keys existed. Nothing is
        changed until `cadre_accept`: a row refused later leaves the cadre as it was.
        """
        _check_lengths(name=name, title=title)
        if mobile:
            keyed = self.by_mobile.get(mobile)
            if keyed is not None:
                return self._cadre_by_key(keyed, name=name, title=title)
            candidates = [c for c in self.by_name.get(name, ()) if not c.mobile]
        else:
            candidates = list(self.by_name.get(name, ()))
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
            return CadreMatch(same[0], changed=bool(mobile), sets=(("mobile", mobile),) if mobile else ())
        cadre = Cadre(name=name, title=title, mobile=mobile)
        return CadreMatch(cadre, created=True, namesakes=tuple(candidates))

    @staticmethod
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
            # promoted or moved: the same person, as the history keeps
            return CadreMatch(cadre, changed=True, sets=(("title", title),))
        return CadreMatch(cadre)

    def cadre_accept(self, match: CadreMatch, *, row: int = 0) -> None:
        """Make what finding the cadre decided so: register the new cadre, or set the row's title or mobile."""
        cadre = match.cadre
        if match.created or match.sets:
            self.rows[id(cadre)] = row
        if match.created:
            self.new_cadres.append(cadre)
            self.by_name[cadre.name].append(cadre)
            if cadre.mobile:
                self.by_mobile[cadre.mobile] = cadre
            return
        for field, value in match.sets:
            setattr(cadre, field, value)
            if field == "mobile":
                self.by_mobile[value] = cadre
        if match.sets:
            self.changed_cadres[cadre.pk] = cadre

    def pairing_apply(self, *, enterprise: Enterprise, plan: PairingPlan, row: int = 0) -> PairingOutcome:
        """Pair the planned cadre with the enterprise, ending either side's other active pairing (history kept).

        `row` is the list's row asking for it: what the row changes is written down as its (`rows`).
        """
        active = self.of_enterprise.get(id(enterprise))
        if active is not None and plan.matches(active):
            return PairingOutcome(active, changed=False)
        if plan.started_on is not None and not dates.in_range(plan.started_on):
            raise _refusal("paired_on", dates.DATE_OUT_OF_RANGE, dates.out_of_range_message(plan.started_on))
        match = self.cadre_find(name=plan.name, title=plan.title, mobile=plan.mobile)
        if active is not None and active.cadre is match.cadre:
            # The same cadre: the list gives a new title or key, or corrects when the pairing began.
            self.cadre_accept(match, row=row)
            changed = match.changed
            if plan.started_on is not None and plan.started_on != active.started_on:
                active.started_on = plan.started_on
                self.moved[id(active)] = active
                self.rows[id(active)] = row
                changed = True
            return PairingOutcome(active, changed=changed, cadre=match)
        if plan.started_on is None:
            raise _refusal(
                "paired_on",
                "pairing_date_missing",
                _("A pairing date is needed to pair %(name)s.") % {"name": plan.name},
            )
        ended_on = plan.started_on - datetime.timedelta(days=1)
        olds = {id(p): p for p in (active, self.of_cadre.get(id(match.cadre))) if p is not None}
        olds_in_order = sorted(olds.values(), key=_pairing_order)
        for old in olds_in_order:
            if ended_on < old.started_on:
                raise _refusal(
                    "paired_on",
                    "pairing_date_too_early",
                    _(
                        "The pairing date %(date)s is not after the start (%(start)s) "
                        "of the pairing it replaces (%(old)s)."
                    )
                    % {"date": plan.started_on, "start": old.started_on, "old": old},
                )
        self.cadre_accept(match, row=row)
        for old in olds_in_order:
            old.ended_on = ended_on
            self.ended[id(old)] = old
            self.rows[id(old)] = row
            if self.of_enterprise.get(id(old.enterprise)) is old:
                del self.of_enterprise[id(old.enterprise)]
            if self.of_cadre.get(id(old.cadre)) is old:
                del self.of_cadre[id(old.cadre)]
        pairing = Pairing(cadre=match.cadre, enterprise=enterprise, started_on=plan.started_on)
        self.new_pairings.append(pairing)
        self.rows[id(pairing)] = row
        self._index(pairing)
        return PairingOutcome(pairing, changed=True, cadre=match)

    def writes(self) -> list[Write]:
        """The book's writes, in the order they must run: accounts and cadres (with history), then the pairings.

        The enterprises must be saved first (`EnterpriseBook.save`): a new pairing needs its enterprise's key.
        A pairing begun and ended by one list is written once, with its end.
        """
        return [
            Write(self.new_cadres, _cadres_create),
            Write(list(self.changed_cadres.values()), _cadres_update),
            Write([p for p in self.ended.values() if p.pk], _pairings_end),
            Write([p for p in self.moved.values() if p.pk], _pairings_move),
            Write(self.new_pairings, _pairings_create),
        ]

    def save(self) -> None:
        """Write the book in batches: accounts and cadres (with history), then the pairings ended, moved, begun.

        Bulk writes send no signal: the caller touches the kept figures they change, once (organisation/imports.py).
        """
        for write in self.writes():
            write.run(write.objects)


def _cadres_update(cadres: list[Cadre]) -> None:
    bulk_update_with_history(cadres, Cadre, fields=["title", "mobile"], batch_size=SAVE_BATCH)


def _pairings_end(pairings: list[Pairing]) -> None:
    Pairing.objects.bulk_update(pairings, ["ended_on"], batch_size=SAVE_BATCH)


def _pairings_move(pairings: list[Pairing]) -> None:
    Pairing.objects.bulk_update(pairings, ["started_on"], batch_size=SAVE_BATCH)


def _pairings_create(pairings: list[Pairing]) -> None:
    for pairing in pairings:
        pairing.pk = None  # a key from a batch rolled back (first_refused) is no key
        pairing.cadre = pairing.cadre  # take the keys the cadre and the enterprise have now
        pairing.enterprise = pairing.enterprise
    Pairing.objects.bulk_create(pairings, batch_size=SAVE_BATCH)


def _check_lengths(*, name: str, title: str) -> None:
    """Refuse a cadre's name or title longer than its column, as the model's field would (max_length)."""
    for field, column, value in (("name", "cadre", name), ("title", "cadre_title", title)):
        try:
            cast("Field[str, str]", Cadre._meta.get_field(field)).run_validators(value)
        except ValidationError as exc:
            raise ValidationError({column: exc.error_list}) from exc


def cadre_create(*, name: str, title: str, mobile: str = "") -> Cadre:
    """Create a cadre with an account the office gives a password later (none is usable yet)."""
    cadre = Cadre(name=name, title=title, mobile=mobile)
    _cadres_create([cadre])
    # Written in bulk (no signal): a new cadre counts among the unpaired and in the grid (organisation/kept.py).
    organisation_kept.touch_grouped()
    return cadre


def _cadres_create(cadres: list[Cadre]) -> None:
    """Create cadres, each with an account the office gives a password later, in batches, history kept."""
    if not cadres:
        return
    number = _last_cadre_number()
    for cadre in cadres:
        cadre.pk = None  # a key from a batch rolled back (first_refused) is no key
    users = []
    for offset, cadre in enumerate(cadres, start=1):
        user = get_user_model()(username=f"{CADRE_USERNAME_PREFIX}{number + offset:04d}", first_name=cadre.name)
        # What set_unusable_password stores, without 40 secrets.choice calls a cadre: an unusable mark.
        user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        users.append(user)
    users = get_user_model().objects.bulk_create(users, batch_size=SAVE_BATCH)
    group = Group.objects.get_or_create(name=Role.CADRE)[0]
    membership = get_user_model().groups.through
    membership.objects.bulk_create(
        [membership(user_id=user.pk, group_id=group.pk) for user in users], batch_size=SAVE_BATCH
    )
    for cadre, user in zip(cadres, users, strict=True):
        cadre.user = user
    saved = bulk_create_with_history(cadres, Cadre, batch_size=SAVE_BATCH)
    for cadre, row in zip(cadres, saved, strict=True):
        cadre.pk = row.pk


def _last_cadre_number() -> int:
    """The highest N of the accounts cadre-N (cadre-0001, cadre-0002, …: deterministic, free of pinyin guesses)."""
    # One row, not every account: the highest number is the longest name, then the greatest of those
    # (cadre-10000 comes after cadre-9999), so an import of thousands of cadres stays linear.
    last = (
        get_user_model()
        .objects.filter(username__regex=rf"^{CADRE_USERNAME_PREFIX}[0-9]+$")
        .order_by(Length("username").desc(), "-username")
        .values_list("username", flat=True)
        .first()
    )
    return int(last.removeprefix(CADRE_USERNAME_PREFIX)) if last else 0


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
