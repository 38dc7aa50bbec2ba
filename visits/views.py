import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import cast, overload

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Model, Q
from django.forms import ChoiceField
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import kept, pickers
from core.drafts import confirm_saved
from core.errors import PortalError
from core.months import days_left_in_month, last_months, month_label
from core.paging import IndexedPaginator, Tab, counted_page
from core.params import id_param
from core.pickers import SearchSelect
from core.roles import AuthenticatedRequest, PortalUser, Role, role_required, sees_everything
from core.services import submission_run
from core.spreadsheets import xlsx_response
from core.submissions import submitted_once
from core.views import export_or_queue
from enterprises.models import Enterprise, Sector
from issues.filters import QuickSelect
from issues.models import ROW_RELATED, Issue, IssueEvent
from organisation.models import Department, Pairing
from visits import attachments, compliance, proof, reach
from visits.exports import visit_headers, visit_rows, with_file_count
from visits.filters import VisitFilter
from visits.forms import (
    ComplianceFilterForm,
    ErrandAdvanceForm,
    ErrandForm,
    NewVisitForm,
    ProblemFormSet,
    VisitFilesForm,
    VisitForm,
)
from visits.models import Errand, ErrandStep, Policy, PolicyReach, Visit, VisitFile, change_reason
from visits.services import (
    errand_advance,
    errand_open,
    visit_correct,
    visit_file_remove,
    visit_files_add,
    visit_is_editable,
    visit_log,
)

GRID_PAGE_SIZE = 50
# The units' summary, a page of units at a time (a province's hundreds would pass the page's 200 KB).
GRID_UNITS_PAGE_SIZE = 50
# The xlsx judges this many cadres at a time, so its memory stays flat whatever the city.
GRID_EXPORT_CHUNK = 2000


@login_required
@require_GET
def visit_export(request: AuthenticatedRequest) -> HttpResponseBase:
    """Download each cadre's visits per month of a year, limited to the pairings the user may see.

    Streamed when small; a city's cadres are prepared in the background (core/exports.py).
    """
    return export_or_queue(request, "visits_per_month")


def _active_pairing(request: AuthenticatedRequest) -> Pairing | None:
    return Pairing.objects.current_for(request.user)


def linked_visit(request: AuthenticatedRequest, pairing: Pairing) -> Visit | None:
    """The visit a report or errand starts from (?visit=), if it is the cadre's own on this pairing; else 404."""
    if (visit_id := id_param(request, "visit")) is not None:
        return get_object_or_404(Visit.objects.visible_to(request.user), pk=visit_id, pairing=pairing)
    return None


def _get_visit_for_user(request: AuthenticatedRequest, pk: int) -> Visit:
    """Return the visit if the user may see it, else 404."""
    return get_object_or_404(
        Visit.objects.visible_to(request.user).select_related("pairing__enterprise", "pairing__cadre"), pk=pk
    )


def _get_policy_for_user(request: AuthenticatedRequest, pk: int) -> Policy:
    """Return the policy if the user may see it, else 404."""
    return get_object_or_404(Policy.objects.visible_to(request.user).prefetch_related("sectors"), pk=pk)


def _get_errand_for_user(request: AuthenticatedRequest, pk: int) -> Errand:
    """Return the errand if the user may see it, else 404."""
    return get_object_or_404(
        Errand.objects.visible_to(request.user).select_related("pairing__enterprise", "pairing__cadre"), pk=pk
    )


@login_required
@role_required(Role.CADRE)
@require_GET
def my_enterprise(request: AuthenticatedRequest) -> HttpResponse:
    """The paired enterprise: profile, this month's visits, open and awaiting-feedback problems, errands, history."""
    pairing = _active_pairing(request)
    if pairing is None:
        return render(request, "visits/my_enterprise.html", {"pairing": None})
    today = timezone.localdate()
    enterprise = pairing.enterprise
    # The cadre is judged on all their pairings this month, as on the grid and the home page.
    cell = compliance.cadre_month(request.user, today)
    issues = list(
        Issue.objects.visible_to(request.user).open().filter(enterprise=enterprise).select_related(*ROW_RELATED)
    )
    # Resolved and waiting for the enterprise's word, which the cadre records on each problem's page.
    awaiting_feedback = list(
        Issue.objects.visible_to(request.user)
        .awaiting_feedback()
        .filter(enterprise=enterprise)
        .select_related(*ROW_RELATED)
        .order_by("resolved_at", "pk")
    )
    errands = list(
        Errand.objects.visible_to(request.user).open().filter(pairing=pairing).select_related("pairing__enterprise")
    )
    history = _history(request.user, pairing)
    return render(
        request,
        "visits/my_enterprise.html",
        {
            "pairing": pairing,
            "enterprise": enterprise,
            "cell": cell,
            "days_left": days_left_in_month(today),
            "issues": issues,
            "awaiting_feedback": awaiting_feedback,
            "errands": errands,
            "history": history,
        },
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the enterprise's latest history: a visit, a problem's step or an errand's stage."""

    at: datetime.datetime
    icon: str
    text: str
    url: str
    visit: Visit | None = None  # a visit's line also says its date and the enterprise's confirmation


def _what_about(what: str, about: str) -> str:
    """A history line, "what happened: to what", punctuated in the reader's language."""
    return _("%(what)s: %(about)s") % {"what": what, "about": about}


def _history(user: PortalUser, pairing: Pairing, limit: int = 12) -> list[HistoryEntry]:
    """The latest visits, problem steps and errand steps of the enterprise, newest first."""
    visits = Visit.objects.visible_to(user).filter(pairing=pairing).order_by("-created_at")[:limit]
    events = (
        IssueEvent.objects.filter(issue__in=Issue.objects.visible_to(user).filter(enterprise=pairing.enterprise))
        .select_related("issue")
        .order_by("-created_at")[:limit]
    )
    steps = ErrandStep.objects.filter(errand__pairing=pairing).select_related("errand").order_by("-created_at")[:limit]
    entries = [
        *(
            HistoryEntry(
                v.created_at,
                "calendar-check",
                _what_about(v.get_mode_display(), v.summary or v.operations),
                reverse("visits:visit_detail", args=[v.pk]),
                visit=v,
            )
            for v in visits
        ),
        *(
            HistoryEntry(
                e.created_at,
                "exclamation-diamond",
                _what_about(e.get_action_display(), e.issue.title),
                reverse("issues:detail", args=[e.issue_id]),
            )
            for e in events
        ),
        *(
            HistoryEntry(
                s.created_at,
                "briefcase",
                _what_about(s.get_stage_display(), s.errand.matter),
                reverse("visits:errand_detail", args=[s.errand_id]),
            )
            for s in steps
        ),
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


@login_required
@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
@submitted_once
def visit_new(request: AuthenticatedRequest) -> HttpResponse:
    """Log a visit, and any problems raised in it, in one submit (mobile first); once, however often it is sent."""
    pairing = _active_pairing(request)
    if pairing is None:
        messages.error(request, _("You have no paired enterprise to log visits for."))
        return redirect("home")
    form = NewVisitForm(request.POST or None, request.FILES or None, enterprise=pairing.enterprise)
    problems = ProblemFormSet(request.POST or None, prefix="problems")
    if request.method == "POST" and form.is_valid() and problems.is_valid():
        raised = problems.raised()
        try:
            # A failure after the files were written (the token already taken) removes them with the rest.
            with proof.removed_on_failure():
                visit = submission_run(
                    user=request.user,
                    token=form.submission_token,
                    create=lambda: visit_log(
                        actor=request.user,
                        pairing=pairing,
                        data=form.visit_data(),
                        problems=raised,
                        files=form.prepared_files,
                    ),
                    result_url=lambda visit: reverse("visits:visit_detail", args=[visit.pk]),
                )
        except PortalError as exc:
            form.add_error(None, ValidationError(exc.message, code=exc.code))
        else:
            messages.success(request, _("Visit logged with %(n)d problem(s).") % {"n": len(raised)})
            confirm_saved(request)
            return redirect("visits:visit_detail", pk=visit.pk)
    # A card's unit or person searched without JavaScript (core/pickers.py) is no refusal: nothing saved yet.
    status = 400 if request.method == "POST" and not pickers.searching(request.POST) else 200
    return render(
        request,
        "visits/visit_form.html",
        {"form": form, "problems": problems, "pairing": pairing, "proof_accept": proof.ACCEPT},
        status=status,
    )


@login_required
@require_GET
def visit_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """Visit history: a cadre's own (past pairings included); everything for the overseers; filtered, paginated.

    `?format=xlsx` downloads every visit the filters keep, one row each (`visits/exports.py`).
    """
    visits = Visit.objects.visible_to(request.user)
    filterset = VisitFilter(request.GET, queryset=visits)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            _("visits-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")},
            visit_headers(),
            visit_rows(filterset.qs),
            sheet_title=_("Visits"),
        )
    # A city's 300,000 visits a year: the page's keys on `visit_list_order`, from the nearer end (core/paging.py).
    paginator = IndexedPaginator(
        filterset.qs.order_by("-visited_on", "-pk"),
        25,
        related=("pairing__enterprise", "pairing__cadre"),
        shape=with_file_count,
    )
    if sees_everything(request.user):
        # A province's ten million visits take a while to count: the count is kept until a visit changes.
        paginator.__dict__["count"] = kept.remember(  # Paginator.count is a cached_property: fill its cache
            "visits.visit_list.count",
            # Any visit, and what the filters select by (the enterprise's, the cadre's unit: organisation/kept.py).
            {"visits": None},
            lambda: filterset.qs.count(),
            parts=(_visit_filters(filterset),),
        )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_query = query.copy()
    export_query["format"] = "xlsx"
    return render(
        request,
        "visits/visit_list.html",
        {"page": page, "filter": filterset, "query": query.urlencode(), "export_query": export_query.urlencode()},
    )


def _visit_filters(filterset: VisitFilter) -> tuple[tuple[str, str], ...]:
    """The visit list's filters in use (the valid ones, as the list reads them) as plain text: its kept count's."""
    filterset.is_valid()  # a field that does not read well is left out, as the list leaves it out
    chosen = filterset.form.cleaned_data
    return tuple(
        (name, str(value.pk if isinstance(value, Model) else value))
        for name, value in sorted(chosen.items())
        if value not in (None, "")
    )


@login_required
@require_GET
def visit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = _get_visit_for_user(request, pk)
    versions = list(visit.history.select_related("history_user").order_by("-history_date"))
    for version in versions:
        version.reason = change_reason(version.history_change_reason)
    editable = visit.pairing.cadre.user_id == request.user.pk and visit_is_editable(visit)
    files = list(visit.files.all())
    return render(
        request,
        "visits/visit_detail.html",
        {
            "visit": visit,
            "policies": visit.policies.all(),
            "issues": visit.issues.select_related(*ROW_RELATED),
            "errands": visit.errands.select_related("pairing__enterprise"),
            "versions": versions,
            "editable": editable,
            "photos": [f for f in files if f.is_image],
            "documents": [f for f in files if not f.is_image],
            "files_form": VisitFilesForm(having=len(files)) if editable and len(files) < proof.max_files() else None,
        },
    )


@login_required
@role_required(Role.CADRE)
@require_http_methods(["POST"])
@submitted_once
def visit_files_add_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add photos and files to one's own visit while it can be corrected; once, however often it is sent."""
    visit = _get_visit_for_user(request, pk)
    form = VisitFilesForm(request.POST, request.FILES, having=visit.files.count())
    if form.is_valid():
        try:
            with proof.removed_on_failure():
                submission_run(
                    user=request.user,
                    token=form.submission_token,
                    create=lambda: visit_files_add(actor=request.user, visit=visit, files=form.prepared_files),
                    result_url=lambda visit: reverse("visits:visit_detail", args=[visit.pk]),
                )
        except PortalError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("The photos and files were added to the visit."))
            confirm_saved(request)
    else:
        for error in form.errors.as_data().get("proof_files", []) + form.non_field_errors().as_data():
            messages.error(request, " ".join(error.messages), extra_tags=error.code or "")
    return redirect("visits:visit_detail", pk=visit.pk)


@login_required
@role_required(Role.CADRE)
@require_http_methods(["POST"])
def visit_file_remove_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remove a photo or file from one's own visit while it can be corrected."""
    found = _get_visit_file_for_user(request, pk)
    try:
        visit_file_remove(actor=request.user, file=found)
    except PortalError as exc:
        messages.error(request, exc.message, extra_tags=exc.code)
    else:
        messages.success(request, _("The file was removed from the visit."))
    return redirect("visits:visit_detail", pk=found.visit_id)


def _get_visit_file_for_user(request: AuthenticatedRequest, pk: int) -> VisitFile:
    """Return the visit's file if the user may see its visit, else 404."""
    return get_object_or_404(VisitFile.objects.visible_to(request.user), pk=pk)


def _serve(found: VisitFile, *, thumbnail: bool) -> FileResponse:
    field, content_type = (found.thumbnail, "image/jpeg") if thumbnail else (found.file, found.content_type)
    content = proof.open_stored(field, content_type)
    if content is None:
        raise Http404
    # A photo was written again by the portal (visits/proof.py), so the browser may show it; a PDF is
    # downloaded, never opened in the page.
    response = FileResponse(content, as_attachment=not found.is_image, filename=found.name, content_type=content_type)
    # Never sniffed into something the browser would run, whatever the security settings say.
    response["X-Content-Type-Options"] = "nosniff"
    # A visit's photos are the enterprise's premises: no cache keeps a copy (a logged-in page's rule too).
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def visit_file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Serve a visit's photo or file to whoever may see the visit; 404 to anyone else."""
    return _serve(_get_visit_file_for_user(request, pk), thumbnail=False)


@login_required
@require_GET
def visit_file_thumbnail(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Serve a visit photo's thumbnail to whoever may see the visit; 404 to anyone else or for a PDF."""
    found = _get_visit_file_for_user(request, pk)
    if not found.thumbnail:
        raise Http404
    return _serve(found, thumbnail=True)


@login_required
@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def visit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Correct one's own visit within the edit window; the service refuses a locked one."""
    visit = _get_visit_for_user(request, pk)
    form = VisitForm(request.POST or None, instance=visit, enterprise=visit.pairing.enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            visit_correct(actor=request.user, visit=visit, data=form.visit_data())
        except PortalError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("The visit is corrected; the earlier version is kept in its history."))
            confirm_saved(request)
        return redirect("visits:visit_detail", pk=visit.pk)
    return render(request, "visits/visit_edit.html", {"form": form, "visit": visit}, status=400 if form.errors else 200)


# The errand list's page.
ERRAND_PAGE_SIZE = 25
# The enterprises a policy reached, or not yet, shown at a time on its page.
POLICY_PAGE_SIZE = 50


@login_required
@require_GET
def errand_list(request: AuthenticatedRequest) -> HttpResponse:
    """The errands: those being handled, the longest untouched first; those delivered, the latest first. Paged."""
    tab = request.GET.get("tab", "open")
    if tab not in ("open", "done"):
        raise Http404
    errands = Errand.objects.visible_to(request.user)
    delivered = Q(stage=Errand.Stage.DELIVERED)
    counts = errands.aggregate(all=Count("pk"), done=Count("pk", filter=delivered))
    counts["open"] = counts["all"] - counts["done"]
    rows = (
        errands.open().order_by("moved_at", "pk")
        if tab == "open"
        else errands.filter(delivered).order_by("-moved_at", "-pk")
    )
    rows = rows.select_related("pairing__enterprise", "pairing__cadre")
    tabs = [Tab("open", _("Being handled"), counts["open"]), Tab("done", _("Result delivered"), counts["done"])]
    page = counted_page(rows, counts[tab], request.GET.get("page"), ERRAND_PAGE_SIZE)
    return render(request, "visits/errand_list.html", {"tab": tab, "tabs": tabs, "page": page})


@login_required
@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
@submitted_once
def errand_new(request: AuthenticatedRequest) -> HttpResponse:
    """Open an approval errand for the paired enterprise; once, however often the form is sent."""
    pairing = _active_pairing(request)
    if pairing is None:
        messages.error(request, _("You have no paired enterprise to handle errands for."))
        return redirect("home")
    visit = linked_visit(request, pairing)
    form = ErrandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            errand = submission_run(
                user=request.user,
                token=form.submission_token,
                create=lambda: errand_open(
                    actor=request.user,
                    pairing=pairing,
                    matter=data["matter"],
                    approving_department=data["approving_department"],
                    mode=data["mode"],
                    on=data["on"],
                    note=data["note"],
                    visit=visit,
                ),
                result_url=lambda errand: reverse("visits:errand_detail", args=[errand.pk]),
            )
        except PortalError as exc:
            form.add_error(None, ValidationError(exc.message, code=exc.code))
        else:
            confirm_saved(request)
            return redirect("visits:errand_detail", pk=errand.pk)
    return render(
        request,
        "visits/errand_form.html",
        {"form": form, "visit": visit, "pairing": pairing},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def errand_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    errand = _get_errand_for_user(request, pk)
    mine = errand.pairing.cadre.user_id == request.user.pk
    form = (
        ErrandAdvanceForm(request.POST or None, errand=errand)
        if mine and errand.stage != Errand.Stage.DELIVERED
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                errand_advance(
                    actor=request.user,
                    errand=errand,
                    stage=data["stage"],
                    on=data["on"],
                    note=data["note"],
                    result=data["result"],
                )
            except PortalError as exc:
                form.add_error(None, ValidationError(exc.message, code=exc.code))
            else:
                messages.success(request, _("The errand moved on."))
                confirm_saved(request)
                return redirect("visits:errand_detail", pk=errand.pk)
    return render(
        request,
        "visits/errand_detail.html",
        {"errand": errand, "steps": errand.steps.select_related("actor"), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


class _CadrePages(Sequence[compliance.PlainRow]):
    """The grid's cadres for the Paginator: counted from the unit summary, the page's rows kept with it.

    The rows kept are the page the Paginator shows (the last, when asked past it); any other is judged when read.
    """

    def __init__(
        self,
        standings: compliance.Standings,
        count: int,
        worst_first: bool,
        kept: tuple[int, list[compliance.PlainRow]],
    ) -> None:
        self.standings, self.total, self.worst_first = standings, count, worst_first
        # The page of rows kept with the unit summary (its offset, its rows).
        self.kept = kept

    def count(self) -> int:  # type: ignore[override]  # the Paginator's count, not Sequence.count(value)
        return self.total

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> compliance.PlainRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[compliance.PlainRow]: ...
    def __getitem__(self, index: int | slice) -> compliance.PlainRow | list[compliance.PlainRow]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = self.total if index.stop is None else min(index.stop, self.total)
        offset, rows = self.kept
        if start == offset and len(rows) == max(stop - start, 0):
            return rows
        if stop <= start:
            return []
        ids = self.standings.cadre_ids(worst_first=self.worst_first, offset=start, limit=stop - start)
        return self.standings.plain_rows(ids)


def _every_row(standings: compliance.Standings, worst_first: bool) -> Iterator[compliance.CadreRow]:
    """Every cadre's row in the grid's order, `GRID_EXPORT_CHUNK` judged at a time: the xlsx's memory stays flat."""
    ids = standings.cadre_ids(worst_first=worst_first)
    for start in range(0, len(ids), GRID_EXPORT_CHUNK):
        yield from standings.rows(ids[start : start + GRID_EXPORT_CHUNK])


@dataclass(frozen=True)
class _KeptGrid:
    """What the grid keeps of a page (core/kept.py), plain data: every unit's counts in the summary's order, the
    whole grid's months and cadres, the page's cadres as judged, and every department's id and name (the units'
    names, the unit filter)."""

    units: list[compliance.UnitCounts]
    totals: list[compliance.MonthSummary]
    cadres: int
    offset: int  # where `rows` begin: the page asked for, or the last when asked past it
    rows: list[compliance.PlainRow]
    departments: list[tuple[int, str]]


def _count_grid(standings: compliance.Standings, worst_first: bool, offset: int) -> _KeptGrid:
    """Judge the grid's units and its page of cadres at `offset` (four queries): what `compliance_grid` keeps."""
    # The page asked for is read with the units' counts, in one query.
    units, ids = standings.units_and_page(worst_first=worst_first, offset=offset, limit=GRID_PAGE_SIZE)
    cadres = sum(unit.cadres for unit in units)
    if not ids and offset >= cadres > 0:  # past the last page, which the Paginator shows: one query more
        offset = (cadres - 1) // GRID_PAGE_SIZE * GRID_PAGE_SIZE
        ids = standings.cadre_ids(worst_first=worst_first, offset=offset, limit=GRID_PAGE_SIZE)
    # Every department's name once: the units' names (the unit filter is a search picker: core/pickers.py).
    departments = list(Department.objects.values_list("pk", "name"))
    names = dict(departments)
    # The units with the most cadres short this month first, then by name.
    ordered = sorted(units, key=lambda u: (-u.short, names.get(u.unit_id or 0, ""), u.unit_id or 0))
    return _KeptGrid(
        units=[unit.counts() for unit in ordered],
        totals=compliance.totals(units, standings.months),
        cadres=cadres,
        offset=offset,
        rows=standings.plain_rows(ids),
        departments=departments,
    )


@dataclass(frozen=True)
class _UnitRow:
    """A unit's line of the grid's summary: its name, the link to its cadres, and the counts."""

    name: str
    href: str
    summary: compliance.UnitSummary

    @property
    def months(self) -> list[compliance.MonthSummary]:
        return self.summary.months

    @property
    def compliant(self) -> list[str]:
        """Each month's cadres who met the rule, this month first, as written (no thousands separator is set)."""
        return [str(month.compliant) for month in reversed(self.summary.months)]


def _unit_rows(
    request: AuthenticatedRequest, units: Sequence[compliance.UnitSummary], names: dict[int, str]
) -> list[_UnitRow]:
    """The units shown, each linking to its own cadres (drill-down); `names`: every department's, by id."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("units_page", None)
    rows = []
    for unit in units:
        if unit.unit_id is None:
            rows.append(_UnitRow(_("No unit"), "", unit))
            continue
        query["department"] = str(unit.unit_id)
        rows.append(_UnitRow(names.get(unit.unit_id, ""), "?" + query.urlencode() + "#cadres", unit))
    return rows


@dataclass(frozen=True)
class _GridLine:
    """A cadre's line of the grid as the template writes it: the kept row, and its cells this month first, each
    (standing, judged, "visits/required", the standing's name in the reader's language)."""

    row: compliance.PlainRow
    shown: list[tuple[str, bool, str, str]]

    @property
    def cadre(self) -> compliance.NamedCadre:
        return self.row.cadre

    @property
    def enterprise(self) -> compliance.Named:
        return self.row.enterprise

    @property
    def cells(self) -> list[compliance.Cell]:
        return self.row.cells

    @property
    def short(self) -> int:
        return self.row.short


def _grid_lines(rows: Iterable[compliance.PlainRow]) -> list[_GridLine]:
    """The page's rows with their cells made ready once: 600 cells, each asked for four values by the template."""
    labels = {standing: str(standing.label) for standing in compliance.Standing}
    return [
        _GridLine(
            row,
            [
                (cell.standing.value, cell.is_judged, f"{cell.visits}/{cell.required}", labels[cell.standing])
                for cell in reversed(row.cells)
            ],
        )
        for row in rows
    ]


def _quick_select(field: ChoiceField) -> None:
    """Write a filter's options at once (`QuickSelect`): a province's hundreds of streets."""
    choices = field.choices
    field.widget = QuickSelect(attrs=field.widget.attrs)
    field.choices = choices  # the widget's too


def _grid_filters(filters: ComplianceFilterForm) -> tuple[tuple[str, str], ...]:
    """The grid's filters chosen (the valid ones) as plain text, in the fields' order: part of its kept figures."""
    chosen = filters.cleaned_data if filters.is_valid() else {}
    return tuple(
        (name, str(value.pk if isinstance(value, Model) else value))
        for name, value in chosen.items()
        if value not in (None, "")
    )


def _page_number(request: AuthenticatedRequest) -> int:
    """The page asked for, as the Paginator's get_page reads it: 1 for anything that is not a positive number."""
    asked = request.GET.get("page", "")
    return int(asked) if asked.isascii() and asked.isdigit() and 0 < int(asked) < 10**6 else 1


@login_required
@role_required(Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)
@require_GET
def compliance_grid(request: AuthenticatedRequest) -> HttpResponseBase:
    """Each unit's cadres against the two-visit rule over the last 12 months, then a page of cadres; exportable.

    The rule is judged in SQL for every cadre the filters keep (visits/compliance.py's `Standings`): the unit
    summary, the chart and the count come from one grouped query, the page's cadres from another, and only
    the page's cadres are judged cell by cell. All of it, with the names shown, is kept (core/kept.py) per page.
    """
    today = timezone.localdate()
    months = last_months(today, settings.CAMPAIGN_COMPLIANCE_MONTHS)
    filters = ComplianceFilterForm(request.GET or None)
    pairings = filters.filter(Pairing.objects.visible_to(request.user))
    standings = compliance.Standings(months, today, pairings, standings=filters.standings())
    worst_first = filters.worst_first()
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            f"服务达标情况-{today:%Y%m%d}.xlsx",
            [_("Cadre"), _("Unit"), _("Enterprise"), *(month_label(m) for m in months), str(compliance.SHORT_HEADING)],
            (
                [
                    r.cadre.name,
                    r.cadre.unit or "",
                    r.enterprise.name,
                    *(f"{c.visits}/{c.required}" if c.is_judged else "" for c in r.cells),
                    r.short,
                ]
                for r in _every_row(standings, worst_first)
            ),
            sheet_title=_("Visit compliance"),
        )
    offset = (_page_number(request) - 1) * GRID_PAGE_SIZE
    grid = kept.remember(
        "visits.compliance_grid",
        # The units and the filters (the cadre's unit, the enterprise's street) are touched as "visits"
        # (organisation/kept.py); the names shown (cadres, enterprises, units) and searched by are "names".
        {"visits": [month.first for month in months], "names": None},
        lambda: _count_grid(standings, worst_first, offset),
        judged_on=today,  # this month runs: its standings (at risk, missed) depend on the day
        parts=(
            _grid_filters(filters),
            offset,
            GRID_PAGE_SIZE,
            worst_first,
            "all" if sees_everything(request.user) else request.user.pk,
        ),
    )
    cadres = _CadrePages(standings, grid.cadres, worst_first, (grid.offset, grid.rows))
    page = Paginator(cadres, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_query = query.copy()
    export_query["format"] = "xlsx"
    all_units = query.copy()
    all_units.pop("department", None)
    all_units.pop("units_page", None)
    units_query = request.GET.copy()
    units_query.pop("units_page", None)
    # The unit filter lists (or finds its chosen unit among) the departments the grid read: no query of its own.
    cast(SearchSelect, filters.fields["department"].widget).offer(grid.departments)
    _quick_select(cast(ChoiceField, filters.fields["street"]))
    unit_page = Paginator(grid.units, GRID_UNITS_PAGE_SIZE).get_page(request.GET.get("units_page"))
    labels = [month_label(m) for m in months]
    return render(
        request,
        "visits/compliance.html",
        {
            "rows": _grid_lines(page.object_list),
            "page": page,
            "query": query.urlencode(),
            "months": labels,
            "short_heading": compliance.SHORT_HEADING,
            "filters": filters,
            "units": _unit_rows(
                request, [compliance.UnitSummary.of(unit, months) for unit in unit_page], dict(grid.departments)
            ),
            "unit_page": unit_page,
            "units_query": units_query.urlencode(),
            "unit_chosen": bool(request.GET.get("department")),
            "all_units_query": all_units.urlencode(),
            "totals": grid.totals,
            "export_query": export_query.urlencode(),
            "chart": {"labels": labels, "rates": [s.rate for s in grid.totals]},
        },
    )


@login_required
@require_GET
def policy_list(request: AuthenticatedRequest) -> HttpResponse:
    """The policy library; for the overseers, how many enterprises have had each one explained."""
    # The library lists the policies in force; an overseer reaches a withdrawn one from the admin.
    policies = Policy.objects.visible_to(request.user).filter(is_active=True).prefetch_related("sectors")
    level, sector = request.GET.get("level", ""), request.GET.get("sector", "")
    if level in Policy.Level.values:
        policies = policies.filter(level=level)
    if sector in Sector.values:
        policies = policies.filter(sectors__sector=sector)
    listed = list(policies)
    # Only the overseers see the figure: the others' page no longer counts it (0.9 s at a city).
    # From the summary the visit services keep (visits/reach.py): one count per policy on its index.
    reached = reach.reached([policy.pk for policy in listed]) if sees_everything(request.user) else {}
    return render(
        request,
        "visits/policy_list.html",
        {
            "policies": [(policy, reached.get(policy.pk)) for policy in listed],
            "levels": Policy.Level.choices,
            "sectors": Sector.choices,
            "level": level,
            "sector": sector,
        },
    )


@login_required
@require_GET
def policy_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One policy; for the overseers, a page at a time, who has had it explained and who in its sectors has not.

    Both lists read the summary the visit services keep (`PolicyReach`, visits/reach.py), never the visits.
    """
    policy = _get_policy_for_user(request, pk)
    context: dict[str, object] = {"policy": policy}
    if sees_everything(request.user):
        explained = PolicyReach.objects.filter(policy=policy)
        not_yet = (
            Enterprise.objects.active()
            .filter(sector__in=policy.sector_codes)
            .exclude(pk__in=explained.values("enterprise_id"))
        )
        tabs = [
            Tab("explained", _("Explained to"), explained.count(), "text-bg-success"),
            Tab("not_yet", _("In its sectors, not yet"), not_yet.count(), "text-bg-warning"),
        ]
        tab = request.GET.get("tab", "")
        tab = tab if tab in {t.key for t in tabs} else tabs[0].key
        # A deep page picks its keys on the list's index from the nearer end (core/paging.py), not by OFFSET
        # over joined rows. Both orders are total: an enterprise is reached by a policy once (`policy_reach_once`).
        rows = explained.order_by("-last_on", "enterprise_id") if tab == "explained" else not_yet.order_by("name", "pk")
        paginator = IndexedPaginator(
            rows,
            POLICY_PAGE_SIZE,
            related=("enterprise",) if tab == "explained" else (),
            count=next(t.count for t in tabs if t.key == tab),
        )
        context.update(tab=tab, tabs=tabs, page=paginator.get_page(request.GET.get("page")))
    return render(request, "visits/policy_detail.html", context)


@login_required
@require_GET
def policy_attachment(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Download a policy's attachment, to whoever may see the policy, never to be shown in the browser."""
    policy = _get_policy_for_user(request, pk)
    stored = attachments.open_stored(policy.attachment) if policy.attachment else None
    if stored is None:
        raise Http404
    file, kind = stored
    # The content type is the allow-list's for what the file is, never a guess from its name.
    response = FileResponse(
        file, as_attachment=True, filename=PurePosixPath(policy.attachment.name).name, content_type=kind.content_type
    )
    # Never sniffed into something the browser would run, whatever the security settings say.
    response["X-Content-Type-Options"] = "nosniff"
    return response
