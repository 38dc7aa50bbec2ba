"""Supervision's writes: recording an inspection, raising its rectification items, answering and checking them.

Each is one transaction: a refusal (`SupervisionError`, with a stable code and a message in the user's
language) leaves nothing written, files included. The rules of who may do what live here:

- an inspection is recorded, and its items raised, by the leading group or the campaign office; its
  inspectors hold one of those roles;
- an item is answered by its responsible cadre, or a staff member of its responsible unit, while it is
  open or sent back; an answer after the deadline is accepted and counted late;
- an answer is checked (accepted or sent back) by one of the inspection's inspectors or whoever
  recorded it; when the last item is accepted the inspection is closed, and raising a new item opens it again.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from core.errors import PortalError
from core.roles import Role, has_role, sees_everything
from core.text import is_blank
from enterprises.models import Enterprise
from organisation.models import Cadre, Department, Pairing
from supervision.models import (
    Confirmation,
    Inspection,
    Kind,
    Rating,
    Rectification,
    Response,
    SupervisionFile,
    Target,
)
from visits import attachments

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SupervisionError(PortalError):
    """A supervision record that was refused, with its code; the message is for the user."""


@dataclass(frozen=True, kw_only=True)
class InspectionData:
    """What an inspection records. `cadre`, `enterprise` or `department` names what `target` says."""

    kind: Kind
    inspected_on: datetime.date
    inspectors: Sequence["User"]
    target: Target
    findings: str
    rating: Rating
    cadre: Cadre | None = None
    enterprise: Enterprise | None = None
    department: Department | None = None
    method: str = ""
    follows: Inspection | None = None
    visits_confirmed: Confirmation | str = ""
    said_of_cadre: str = ""
    said_of_departments: str = ""
    files: Sequence[UploadedFile] = field(default_factory=tuple)


def _overseer(actor: "User") -> None:
    if not sees_everything(actor):
        raise SupervisionError(
            "not_an_overseer", _("Only the leading group and the campaign office record inspections.")
        )


def _check_files(files: Sequence[UploadedFile]) -> None:
    for upload in files:
        try:
            attachments.check(upload, upload.name or "", upload.size or 0)
        except ValidationError as exc:
            raise SupervisionError(exc.code or "attachment_refused", f"{upload.name}: {exc.messages[0]}") from exc


def _store(files: Sequence[UploadedFile], actor: "User", now: datetime.datetime, **record: object) -> None:
    for upload in files:
        try:
            SupervisionFile.objects.create(
                file=upload, name=(upload.name or "")[:200], uploaded_by=actor, uploaded_at=now, **record
            )
        except OSError as exc:
            raise attachments.not_stored(exc) from exc


def cadre_serving(enterprise: Enterprise, day: datetime.date) -> Cadre | None:
    """The cadre paired with the enterprise on the day (an inspection of the enterprise counts for them)."""
    pairing = (
        Pairing.objects.in_force_on(day).filter(enterprise=enterprise).select_related("cadre").order_by("-started_on")
    ).first()
    return pairing.cadre if pairing is not None else None


def _subject(data: InspectionData) -> tuple[Cadre | None, Enterprise | None, Department | None]:
    if data.target == Target.CADRE:
        if data.cadre is None:
            raise SupervisionError("no_subject", _("Choose the cadre inspected."))
        return data.cadre, None, None
    if data.target == Target.ENTERPRISE:
        if data.enterprise is None:
            raise SupervisionError("no_subject", _("Choose the enterprise inspected."))
        return cadre_serving(data.enterprise, data.inspected_on), data.enterprise, None
    want = Department.Kind.STREET if data.target == Target.STREET else Department.Kind.DEPARTMENT
    if data.department is None or data.department.kind != want:
        message = (
            _("Choose the street inspected.")
            if want == Department.Kind.STREET
            else _("Choose the department inspected.")
        )
        raise SupervisionError("no_subject", message)
    return None, None, data.department


@transaction.atomic
def inspection_record(*, actor: "User", data: InspectionData, now: datetime.datetime | None = None) -> Inspection:
    """Record an inspection with its files, or nothing."""
    now = now or timezone.now()
    _overseer(actor)
    today = timezone.localdate(now)
    dates.check_date(data.inspected_on, today)
    if data.inspected_on > today:
        raise SupervisionError("inspection_in_future", _("An inspection cannot be dated in the future."))
    if not data.inspectors:
        raise SupervisionError("no_inspectors", _("Name at least one inspector."))
    for person in data.inspectors:
        if not (person.is_active and has_role(person, Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)):
            raise SupervisionError(
                "inspector_not_overseer",
                _("%(name)s is not a member of the leading group or the campaign office.")
                % {"name": person.get_full_name() or person.get_username()},
            )
    if is_blank(data.findings):
        raise SupervisionError("no_findings", _("Write what the inspection found."))
    if data.follows is not None and data.kind != Kind.FOLLOW_UP:
        raise SupervisionError("follows_not_follow_up", _("Only a follow-up inspection follows up an earlier one."))
    said = data.visits_confirmed or data.said_of_cadre.strip() or data.said_of_departments.strip()
    if said and not (data.kind == Kind.UNANNOUNCED and data.target == Target.ENTERPRISE):
        raise SupervisionError(
            "said_not_unannounced",
            _("What the enterprise said is recorded on an unannounced visit to an enterprise only."),
        )
    cadre, enterprise, department = _subject(data)
    _check_files(data.files)
    inspection = Inspection.objects.create(
        kind=data.kind,
        inspected_on=data.inspected_on,
        target=data.target,
        cadre=cadre,
        enterprise=enterprise,
        department=department,
        follows=data.follows,
        method=data.method,
        findings=data.findings,
        rating=data.rating,
        visits_confirmed=data.visits_confirmed,
        said_of_cadre=data.said_of_cadre,
        said_of_departments=data.said_of_departments,
        created_by=actor,
        created_at=now,
    )
    inspection.inspectors.set(data.inspectors)
    _store(data.files, actor, now, inspection=inspection)
    return inspection


@transaction.atomic
def item_raise(
    *,
    actor: "User",
    inspection: Inspection,
    requirement: str,
    deadline: datetime.date,
    cadre: Cadre | None = None,
    department: Department | None = None,
    now: datetime.datetime | None = None,
) -> Rectification:
    """Raise a rectification item for one cadre or one unit; the inspection is open again until it is accepted."""
    now = now or timezone.now()
    _overseer(actor)
    if (cadre is None) == (department is None):
        raise SupervisionError("one_responsible", _("Name either the responsible cadre or the responsible unit."))
    if is_blank(requirement):
        raise SupervisionError("no_requirement", _("Write what must change."))
    today = timezone.localdate(now)
    dates.check_date(deadline, today)
    if deadline < today:
        raise SupervisionError("deadline_past", _("The deadline cannot be in the past."))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    item = Rectification.objects.create(
        inspection=inspection,
        cadre=cadre,
        department=department,
        requirement=requirement,
        deadline=deadline,
        created_by=actor,
        created_at=now,
    )
    if inspection.closed_at is not None:
        inspection.closed_at = None
        inspection.save(update_fields=["closed_at"])
    return item


def may_answer(user: "User", item: Rectification) -> bool:
    """Whether the user answers for the item: its cadre, or an active staff member of its unit."""
    if item.cadre_id is not None:
        return bool(item.cadre and item.cadre.user_id == user.pk)
    return has_role(user, Role.DEPARTMENT_STAFF) and item.department_id == getattr(
        getattr(user, "department_staff", None), "department_id", None
    )


def may_check(user: "User", inspection: Inspection) -> bool:
    """Whether the user checks the inspection's answers: one of its inspectors, whoever recorded it, a superuser."""
    if not sees_everything(user):
        return False
    return user.is_superuser or inspection.created_by_id == user.pk or inspection.inspectors.filter(pk=user.pk).exists()


@transaction.atomic
def item_answer(
    *,
    actor: "User",
    item_id: int,
    text: str,
    files: Sequence[UploadedFile] = (),
    now: datetime.datetime | None = None,
) -> Response:
    """Answer an open or sent-back item with what was done and its evidence; it waits for the inspector's check."""
    now = now or timezone.now()
    # Only the item's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the join (a unit's item).
    item = Rectification.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=item_id)
    if not may_answer(actor, item):
        raise SupervisionError("not_responsible", _("Only the cadre or unit responsible answers this item."))
    if item.status not in (Rectification.Status.OPEN, Rectification.Status.SENT_BACK):
        raise SupervisionError("not_waiting", _("This item is not waiting for an answer."))
    if is_blank(text):
        raise SupervisionError("no_answer", _("Write what was done."))
    _check_files(files)
    response = Response.objects.create(item=item, text=text, responded_by=actor, responded_at=now)
    _store(files, actor, now, response=response)
    item.status = Rectification.Status.ANSWERED
    item.save(update_fields=["status"])
    return response


@transaction.atomic
def item_check(
    *,
    actor: "User",
    item_id: int,
    accept: bool,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Rectification:
    """Accept the item's answer, or send it back with why; the last item accepted closes the inspection."""
    now = now or timezone.now()
    item = Rectification.objects.select_for_update().select_related("inspection").get(pk=item_id)
    if not may_check(actor, item.inspection):
        raise SupervisionError(
            "not_inspector", _("Only the inspection's inspectors, or whoever recorded it, check its items.")
        )
    if item.status != Rectification.Status.ANSWERED:
        raise SupervisionError("not_answered", _("This item has no answer waiting to be checked."))
    if not accept and is_blank(note):
        raise SupervisionError("no_reason", _("Say why the answer is sent back."))
    response = item.responses.order_by("-responded_at", "-pk").first()
    assert response is not None  # an answered item has an answer
    response.verdict = Response.Verdict.ACCEPTED if accept else Response.Verdict.SENT_BACK
    response.verdict_note = note
    response.checked_by = actor
    response.checked_at = now
    response.save(update_fields=["verdict", "verdict_note", "checked_by", "checked_at"])
    if accept:
        item.status = Rectification.Status.ACCEPTED
        item.accepted_at = now
        item.answered_at = response.responded_at
    else:
        item.status = Rectification.Status.SENT_BACK
    item.save(update_fields=["status", "accepted_at", "answered_at"])
    inspection = Inspection.objects.select_for_update().get(pk=item.inspection_id)
    if accept and not inspection.items.exclude(status=Rectification.Status.ACCEPTED).exists():
        inspection.closed_at = now
        inspection.save(update_fields=["closed_at"])
    return item
