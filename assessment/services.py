"""The annual assessment's writes: freezing a year and unfreezing it, by the leading group only.

A freeze keeps every cadre's and department's score, rank and breakdown, and the weights and rating values
then in force (`assessment/scores.py` counts them, `assessment/rules.py` says how), so later edits to the
data or the weights leave the frozen year as it was. Unfreezing keeps the snapshot, with who unfroze it,
when and why; freezing again makes a new one. Each is one transaction; a refusal is an `AssessmentError`
with a stable code, and leaves nothing written.
"""

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import rules, scores
from assessment.models import Freeze, FrozenScore
from core.errors import PortalError
from core.roles import Role, has_role
from core.text import is_blank

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AssessmentError(PortalError):
    """A freeze or an unfreeze that was refused, with its code; the message is for the user."""


def may_freeze(user: "User") -> bool:
    """Whether the user freezes and unfreezes assessment years: a member of the leading group."""
    return has_role(user, Role.LEADING_GROUP)


def _leading_group(actor: "User") -> None:
    if not may_freeze(actor):
        raise AssessmentError(
            "not_leading_group", _("Only the leading group freezes and unfreezes an assessment year.")
        )


@transaction.atomic
def year_freeze(*, actor: "User", year: int, now: datetime.datetime | None = None) -> Freeze:
    """Freeze the year's assessment as it stands now: every score with its breakdown, and the weights in force."""
    now = now or timezone.now()
    _leading_group(actor)
    if year < rules.FIRST_YEAR or now < rules.year_period(year).start_at:
        raise AssessmentError("year_not_begun", _("A year is frozen once it has begun."))
    if Freeze.objects.in_force().filter(year=year).exists():
        raise AssessmentError("already_frozen", _("This year is frozen already; unfreeze it first."))
    assessment = scores.live(year, now)
    try:
        # A savepoint: two members freezing at once, the second insert fails on the one-freeze-per-year
        # constraint and is refused as the check above would refuse it.
        with transaction.atomic():
            freeze = Freeze.objects.create(
                year=year, frozen_by=actor, frozen_at=now, weights=assessment.weights.as_json()
            )
    except IntegrityError:
        raise AssessmentError("already_frozen", _("This year is frozen already; unfreeze it first.")) from None
    FrozenScore.objects.bulk_create(scores.frozen_rows(freeze, assessment), batch_size=500)
    return freeze


@transaction.atomic
def year_unfreeze(*, actor: "User", year: int, reason: str, now: datetime.datetime | None = None) -> Freeze:
    """Unfreeze the year: the snapshot stays, with who unfroze it, when and why; the pages count it live again."""
    now = now or timezone.now()
    _leading_group(actor)
    if is_blank(reason):
        raise AssessmentError("no_reason", _("Say why the year is unfrozen."))
    freeze = Freeze.objects.select_for_update().in_force().filter(year=year).first()
    if freeze is None:
        raise AssessmentError("not_frozen", _("This year is not frozen."))
    freeze.unfrozen_by = actor
    freeze.unfrozen_at = now
    freeze.unfreeze_reason = reason.strip()
    freeze.save(update_fields=["unfrozen_by", "unfrozen_at", "unfreeze_reason"])
    return freeze
