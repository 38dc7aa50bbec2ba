"""The cadre's writes: logging and correcting visits and their proof, moving approval errands along; saving a policy."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dates
from core.errors import PortalError
from core.text import is_blank
from issues.models import IssueCategory
from issues.payloads import RoutePayload
from issues.services import issue_report
from organisation.models import Pairing
from visits import attachments, proof, reach, tallies
from visits.models import Errand, ErrandStep, Policy, Visit, VisitFile

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class VisitError(PortalError):
    """A visit or errand that was refused, with its code; the message is for the user."""


@dataclass(frozen=True, kw_only=True)
class RaisedProblem:
    """A problem the enterprise raised during the visit; the route's record says how the cadre routed it."""

    title: str
    category: IssueCategory
    route: RoutePayload
    description: str = ""


@dataclass(frozen=True)
class VisitData:
    visited_on: datetime.date
    mode: str
    operations: str = ""
    opinions: str = ""
    summary: str = ""
    policies: Sequence[Policy] = field(default_factory=tuple)


def _in_window(day: datetime.date, now: datetime.datetime) -> None:
    """Refuse a date outside the portal's window (core/dates.py) with its code."""
    today = timezone.localdate(now)
    if not dates.in_range(day, today):
        raise VisitError(dates.DATE_OUT_OF_RANGE, dates.out_of_range_message(day, today))


def _check_date(pairing: Pairing, visited_on: datetime.date, now: datetime.datetime) -> None:
    _in_window(visited_on, now)
    if visited_on > timezone.localdate(now):
        raise VisitError("visit_in_future", _("A visit cannot be dated in the future."))
    if visited_on < pairing.started_on:
        raise VisitError(
            "before_pairing",
            _("The pairing started on %(date)s; a visit cannot be dated before it.") % {"date": pairing.started_on},
        )
    if pairing.ended_on and visited_on > pairing.ended_on:
        raise VisitError("pairing_ended", _("The pairing ended on %(date)s.") % {"date": pairing.ended_on})


@transaction.atomic
def visit_log(
    *,
    actor: "User",
    pairing: Pairing,
    data: VisitData,
    problems: Sequence[RaisedProblem] = (),
    files: Sequence[proof.Prepared] = (),
    now: datetime.datetime | None = None,
) -> Visit:
    """Log a visit, report every problem raised in it and store its photos and files: all of it, or nothing.

    `files` come from `visits.proof.prepare_all` (checked, photos cleaned); a file the disk will not
    take refuses the visit, and the files already written are removed again.
    """
    now = now or timezone.now()
    if pairing.cadre.user_id != actor.pk or pairing.ended_on is not None:
        raise VisitError("not_own_pairing", _("You can log visits only to the enterprise you serve now."))
    _check_date(pairing, data.visited_on, now)
    proof.check_count(having=0, adding=len(files))
    visit = Visit.objects.create(
        pairing=pairing,
        visited_on=data.visited_on,
        mode=data.mode,
        operations=data.operations,
        opinions=data.opinions,
        summary=data.summary,
        created_by=actor,
        created_at=now,
    )
    reach.change([], [(pk, pairing.enterprise_id, visit.visited_on) for pk in {policy.pk for policy in data.policies}])
    visit.policies.set(data.policies)
    tallies.count([(pairing.pk, visit.visited_on)])
    for problem in problems:
        issue_report(
            actor=actor,
            enterprise=pairing.enterprise,
            title=problem.title,
            category=problem.category,
            route=problem.route,
            description=problem.description,
            visit=visit,
            now=now,
        )
    # Written last, so that a refused problem has written nothing to the disk.
    _store_files(visit=visit, files=files, actor=actor, now=now)
    return visit


def _store_files(*, visit: Visit, files: Sequence[proof.Prepared], actor: "User", now: datetime.datetime) -> None:
    """Write each file and its thumbnail, then its row; any failure removes what was written (`removed_on_failure`)."""
    with proof.removed_on_failure():
        for prepared in files:
            row = VisitFile(
                visit=visit,
                name=prepared.name[:255],
                content_type=prepared.kind.content_type,
                size=len(prepared.content),
                uploaded_by=actor,
                uploaded_at=now,
            )
            content, thumbnail = proof.disk_names(prepared)
            try:
                row.file.save(content.name or "", content, save=False)
                proof.wrote(row.file)
                if thumbnail is not None:
                    row.thumbnail.save(thumbnail.name or "", thumbnail, save=False)
                    proof.wrote(row.thumbnail)
            except OSError as exc:
                raise attachments.not_stored(exc) from exc
            row.save()


def _own_editable(*, actor: "User", visit: Visit, now: datetime.datetime) -> Visit:
    """Lock and return the visit if the actor logged it and it can still be corrected, else refuse."""
    visit = Visit.objects.select_for_update().select_related("pairing__cadre").get(pk=visit.pk)
    if visit.pairing.cadre.user_id != actor.pk:
        raise VisitError("not_own_pairing", _("Only the cadre who logged a visit may correct it."))
    if not visit_is_editable(visit, now):
        raise VisitError(
            "visit_locked",
            _("A visit can be corrected for %(days)d days after it is logged; this one is locked.")
            % {"days": settings.CAMPAIGN_VISIT_EDIT_DAYS},
        )
    return visit


@transaction.atomic
def visit_files_add(
    *, actor: "User", visit: Visit, files: Sequence[proof.Prepared], now: datetime.datetime | None = None
) -> Visit:
    """Add photos and files to one's own visit while it can be corrected, within CAMPAIGN_VISIT_FILES_MAX."""
    now = now or timezone.now()
    visit = _own_editable(actor=actor, visit=visit, now=now)
    if not files:
        raise VisitError("no_files", _("Choose at least one photo or file."))
    proof.check_count(having=visit.files.count(), adding=len(files))
    _store_files(visit=visit, files=files, actor=actor, now=now)
    return visit


@transaction.atomic
def visit_file_remove(*, actor: "User", file: VisitFile, now: datetime.datetime | None = None) -> Visit:
    """Remove a photo or file from one's own visit while it can be corrected; the disk forgets it once committed."""
    now = now or timezone.now()
    visit = _own_editable(actor=actor, visit=file.visit, now=now)
    row = VisitFile.objects.select_for_update().get(pk=file.pk, visit=visit)
    stored = [row.file, row.thumbnail]
    row.delete()

    # Only after the commit: a rollback keeps the row, which must still find its file.
    def forget() -> None:
        for stored_file in stored:
            proof.delete_stored(stored_file)

    transaction.on_commit(forget)
    return visit


def visit_is_editable(visit: Visit, now: datetime.datetime | None = None) -> bool:
    """A cadre may correct a visit for CAMPAIGN_VISIT_EDIT_DAYS after logging it; then it is locked."""
    limit = visit.created_at + datetime.timedelta(days=settings.CAMPAIGN_VISIT_EDIT_DAYS)
    return (now or timezone.now()) <= limit


@transaction.atomic
def visit_correct(*, actor: "User", visit: Visit, data: VisitData, now: datetime.datetime | None = None) -> Visit:
    """Correct one's own visit within the edit window; the history keeps every version."""
    now = now or timezone.now()
    visit = _own_editable(actor=actor, visit=visit, now=now)
    _check_date(visit.pairing, data.visited_on, now)
    tallies.move((visit.pairing_id, visit.visited_on), (visit.pairing_id, data.visited_on))
    with reach.kept([visit.pk]):
        for name in ("visited_on", "mode", "operations", "opinions", "summary"):
            setattr(visit, name, getattr(data, name))
        # A key, never a sentence: the history says it in each reader's language (visits.models.CHANGE_REASONS).
        visit._change_reason = "corrected"  # type: ignore[attr-defined]  # read by simple_history
        visit.save()
        visit.policies.set(data.policies)
    return visit


@transaction.atomic
def visit_admin_save(*, visit: Visit) -> Visit:
    """Save a visit as the admin changed or added it (a history revert too), moving its count in the tally.

    A changed pairing or date moves the policies it already explained (`visit_admin_policies_save` counts
    a change to the policies themselves, which the admin saves afterwards).
    """
    before = None
    if visit.pk is not None:
        before = Visit.objects.select_for_update().filter(pk=visit.pk).values_list("pairing_id", "visited_on").first()
    with reach.kept([visit.pk] if visit.pk is not None else []):
        visit.save()
    tallies.move(before, (visit.pairing_id, visit.visited_on))
    return visit


@transaction.atomic
def visit_admin_policies_save(*, visit: Visit, save: Callable[[], None]) -> None:
    """Save what the admin's form relates to a saved visit (`save`: its policies, its files), counting the policies."""
    with reach.kept([visit.pk]):
        save()


@transaction.atomic
def visits_delete(*, visits: Sequence[Visit]) -> int:
    """Delete visits (the admin's delete) and take them out of the tally; return how many were deleted."""
    locked = Visit.objects.select_for_update().filter(pk__in=[visit.pk for visit in visits])
    counted = list(locked.values_list("pairing_id", "visited_on"))
    with reach.kept([visit.pk for visit in visits]):
        for visit in visits:
            visit.delete()  # one by one, so that the history records each deletion
    tallies.count(counted, by=-1)
    return len(counted)


@transaction.atomic
def errand_open(
    *,
    actor: "User",
    pairing: Pairing,
    matter: str,
    approving_department: str,
    mode: str,
    on: datetime.date,
    note: str = "",
    visit: Visit | None = None,
    now: datetime.datetime | None = None,
) -> Errand:
    """Open an approval errand at its first stage: the materials are submitted."""
    now = now or timezone.now()
    if pairing.cadre.user_id != actor.pk or pairing.ended_on is not None:
        raise VisitError("not_own_pairing", _("You can open errands only for the enterprise you serve now."))
    if is_blank(matter):
        raise VisitError("matter_required", _("Say what the errand is for."))
    _in_window(on, now)
    if on > timezone.localdate(now):
        raise VisitError("stage_in_future", _("A stage cannot be dated in the future."))
    if on < pairing.started_on:
        raise VisitError(
            "before_pairing",
            _("The pairing started on %(date)s; an errand cannot be dated before it.") % {"date": pairing.started_on},
        )
    errand = Errand.objects.create(
        pairing=pairing,
        visit=visit,
        matter=matter,
        approving_department=approving_department,
        mode=mode,
        stage=Errand.Stage.SUBMITTED,
        created_at=now,
        moved_at=now,
    )
    ErrandStep.objects.create(
        errand=errand, stage=Errand.Stage.SUBMITTED, on=on, note=note, actor=actor, created_at=now
    )
    return errand


@transaction.atomic
def errand_advance(
    *,
    actor: "User",
    errand: Errand,
    stage: int,
    on: datetime.date,
    note: str = "",
    result: str = "",
    now: datetime.datetime | None = None,
) -> Errand:
    """Move an errand forward to a later stage; delivering the result needs the result."""
    now = now or timezone.now()
    errand = Errand.objects.select_for_update().select_related("pairing__cadre").get(pk=errand.pk)
    if errand.pairing.cadre.user_id != actor.pk:
        raise VisitError("not_own_pairing", _("Only the cadre handling this errand may move it."))
    if stage <= errand.stage:
        raise VisitError("errand_backwards", _("An errand only moves forward, to a stage it has not reached."))
    _in_window(on, now)
    if on > timezone.localdate(now):
        raise VisitError("stage_in_future", _("A stage cannot be dated in the future."))
    last = errand.steps.order_by("-stage").first()
    if last and on < last.on:
        raise VisitError(
            "stage_before_previous",
            _("A stage cannot be dated before the previous one (%(date)s).") % {"date": last.on},
        )
    if stage == Errand.Stage.DELIVERED:
        if is_blank(result):
            raise VisitError("result_required", _("Record the result delivered to the enterprise."))
        errand.result = result.strip()
    errand.stage, errand.moved_at = stage, now
    errand.save()
    ErrandStep.objects.create(errand=errand, stage=stage, on=on, note=note, actor=actor, created_at=now)
    return errand


def policy_save(*, policy: Policy) -> None:
    """Save the policy with its new attachment, or neither: a disk that refuses the file is AttachmentNotStored.

    The file is written before the row (FileField.pre_save), and the storage leaves no partial file
    (core/storage.py), so a refusal leaves no row, no changed row and no 0-byte file.
    """
    try:
        with transaction.atomic():
            policy.save()
    except OSError as exc:
        raise attachments.not_stored(exc) from exc
