"""The supervision pages: the ledger, an inspection and its circular, the items, answering and checking, files.

Every lookup goes through `_get_inspection_for_user`, `_get_item_for_user` or `_get_file_for_user`, which
answer 404 for what the viewer may not see (the models' `visible_to`: a cadre or a department never sees
an unannounced visit, not even about themselves). The services decide every write and refuse with a code;
the pages show the refusal's message.
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import wordfiles
from core.drafts import confirm_saved
from core.errors import PortalError
from core.params import id_param
from core.roles import AuthenticatedRequest, Role, role_required
from core.services import submission_run
from core.submissions import submitted_once
from supervision import exports
from supervision.docx import circular_docx, circular_filename
from supervision.filters import InspectionFilter, ItemFilter
from supervision.forms import AnswerForm, CheckForm, InspectionForm, ItemForm
from supervision.models import Inspection, Kind, Rectification, SupervisionFile
from supervision.services import inspection_record, item_answer, item_check, item_raise, may_answer, may_check
from visits import attachments

OVERSEERS = (Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)
PAGE_SIZE = 50


def _get_inspection_for_user(request: AuthenticatedRequest, pk: int) -> Inspection:
    """Return the inspection if the user may see it, else 404: the one lookup every inspection view uses."""
    rows = Inspection.objects.visible_to(request.user).select_related(*exports.INSPECTION_RELATED, "follows")
    return get_object_or_404(rows, pk=pk)


def _get_item_for_user(request: AuthenticatedRequest, pk: int) -> Rectification:
    """Return the item if the user may see it, else 404."""
    rows = Rectification.objects.visible_to(request.user).select_related(*exports.ITEM_RELATED, "created_by")
    return get_object_or_404(rows, pk=pk)


def _get_file_for_user(request: AuthenticatedRequest, pk: int) -> SupervisionFile:
    """Return the file if the user sees its inspection or its answer's item, else 404."""
    return get_object_or_404(SupervisionFile.visible_to(request.user), pk=pk)


def _query(request: AuthenticatedRequest) -> str:
    """The page's query string without its page number, for the pager and the export link."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


# --- The ledger (督查台账) ------------------------------------------------------------------------------


@login_required
@require_GET
def ledger(request: AuthenticatedRequest) -> HttpResponseBase:
    """The inspections the user may see, filtered and paged; ?format=xlsx: every row the filters keep."""
    inspections = Inspection.objects.visible_to(request.user).with_item_counts()
    filterset = InspectionFilter(request.GET, queryset=inspections, user=request.user)
    rows = filterset.qs.order_by("-inspected_on", "-pk")
    if request.GET.get("format") == "xlsx":
        return exports.ledger_xlsx(rows)
    rows = rows.select_related(*exports.INSPECTION_RELATED).prefetch_related(exports.inspectors_prefetch())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/ledger.html",
        {"filter": filterset, "page": page, "query": _query(request)},
    )


# --- Recording an inspection ---------------------------------------------------------------------------


def _inspection_url(inspection: Inspection) -> str:
    return reverse("supervision:inspection", args=[inspection.pk])


def _new_inspection_initial(request: AuthenticatedRequest) -> dict[str, object]:
    """The form's start: today, the user as an inspector; ?follows=<id> starts a follow-up of that inspection."""
    initial: dict[str, object] = {"inspectors": [request.user.pk]}
    # On a POST `follows` is the form's own field, which the form checks.
    follows_id = id_param(request, "follows") if request.method == "GET" else None
    if follows_id is not None:
        earlier = get_object_or_404(Inspection.objects.visible_to(request.user), pk=follows_id)
        initial.update(
            kind=Kind.FOLLOW_UP,
            follows=earlier.pk,
            target=earlier.target,
            cadre=earlier.cadre_id,
            enterprise=earlier.enterprise_id,
            department=earlier.department_id,
            street=earlier.department_id,
        )
    return initial


@login_required
@role_required(*OVERSEERS)
@require_http_methods(["GET", "POST"])
@submitted_once
def inspection_new(request: AuthenticatedRequest) -> HttpResponse:
    """Record an inspection with its files in one submit; once, however often the form is sent."""
    form = InspectionForm(request.POST or None, request.FILES or None, initial=_new_inspection_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            inspection = submission_run(
                user=request.user,
                token=form.submission_token,
                create=lambda: inspection_record(actor=request.user, data=form.data_for_service()),
                result_url=_inspection_url,
            )
        except PortalError as exc:
            form.refuse(exc)
        else:
            messages.success(request, _("The inspection is recorded."))
            confirm_saved(request)
            return redirect(_inspection_url(inspection))
    return render(request, "supervision/inspection_form.html", {"form": form}, status=400 if form.errors else 200)


# --- An inspection, its circular, its items ------------------------------------------------------------


def _items_of(inspection: Inspection) -> QuerySet[Rectification]:
    return inspection.items.select_related("cadre", "department").order_by("deadline", "pk")


@login_required
@require_GET
def inspection(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Everything an inspection recorded, printable; ?format=docx: its circular (通报) as a Word file."""
    found = _get_inspection_for_user(request, pk)
    inspectors = [person.get_full_name() or person.get_username() for person in found.inspectors.order_by("pk")]
    items = list(_items_of(found))
    if request.GET.get("format") == "docx":
        return wordfiles.docx_response(circular_docx(found, inspectors, items), circular_filename(found))
    overseer = Inspection.objects.shows_notes_to(request.user)
    context = {
        "inspection": found,
        "inspectors": inspectors,
        "items": items,
        "files": found.files.order_by("uploaded_at", "pk"),
        "follow_ups": found.follow_ups.visible_to(request.user).order_by("inspected_on", "pk"),
        "shows_notes": overseer,
        "may_raise": overseer,
        "item_form": ItemForm(inspection=found) if overseer else None,
        "today": timezone.localdate(),
    }
    return render(request, "supervision/inspection.html", context)


@login_required
@role_required(*OVERSEERS)
@require_http_methods(["GET", "POST"])
@submitted_once
def item_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Raise a rectification item from an inspection; once, however often the form is sent."""
    found = _get_inspection_for_user(request, pk)
    form = ItemForm(request.POST or None, inspection=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission_run(
                user=request.user,
                token=form.submission_token,
                create=lambda: item_raise(
                    actor=request.user,
                    inspection=found,
                    requirement=data["requirement"],
                    deadline=data["deadline"],
                    cadre=data["cadre"],
                    department=data["department"],
                ),
                result_url=lambda item: _inspection_url(found),
            )
        except PortalError as exc:
            form.refuse(exc)
        else:
            messages.success(request, _("The rectification item is raised."))
            confirm_saved(request)
            return redirect(_inspection_url(found))
    return render(
        request,
        "supervision/item_form.html",
        {"inspection": found, "form": form},
        status=400 if form.errors else 200,
    )


# --- Rectification items (整改事项) ---------------------------------------------------------------------


@login_required
@require_GET
def items(request: AuthenticatedRequest) -> HttpResponseBase:
    """The items the user may see (a cadre: their own; a department: its own), filtered and paged; or as xlsx."""
    filterset = ItemFilter(request.GET, queryset=Rectification.objects.visible_to(request.user), user=request.user)
    rows = filterset.qs.order_by("deadline", "pk")
    if request.GET.get("format") == "xlsx":
        return exports.items_xlsx(rows)
    page = Paginator(rows.select_related(*exports.ITEM_RELATED), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/items.html",
        {"filter": filterset, "page": page, "query": _query(request), "today": timezone.localdate()},
    )


def _item_url(item: Rectification) -> str:
    return reverse("supervision:item", args=[item.pk])


def _render_item(
    request: AuthenticatedRequest,
    item: Rectification,
    *,
    answer_form: AnswerForm | None = None,
    check_form: CheckForm | None = None,
    status: int = 200,
) -> HttpResponse:
    waiting = item.status in (Rectification.Status.OPEN, Rectification.Status.SENT_BACK)
    if answer_form is None and waiting and may_answer(request.user, item):
        answer_form = AnswerForm()
    if check_form is None and item.status == Rectification.Status.ANSWERED and may_check(request.user, item.inspection):
        check_form = CheckForm()
    responses = item.responses.select_related("responded_by", "checked_by").prefetch_related(
        Prefetch("files", queryset=SupervisionFile.objects.order_by("uploaded_at", "pk"))
    )
    context = {
        "item": item,
        "inspection": item.inspection,
        "sees_inspection": Inspection.objects.visible_to(request.user).filter(pk=item.inspection_id).exists(),
        "responses": responses,
        "answer_form": answer_form,
        "check_form": check_form,
        "today": timezone.localdate(),
    }
    return render(request, "supervision/item.html", context, status=status)


@login_required
@require_GET
def item(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One item: what must change, by when, its answers and their checks; the answer or check form for whoever acts."""
    return _render_item(request, _get_item_for_user(request, pk))


@login_required
@require_POST
@submitted_once
def item_answer_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The responsible person answers the item with what was done and its evidence."""
    found = _get_item_for_user(request, pk)
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_item(request, found, answer_form=form, status=400)
    try:
        submission_run(
            user=request.user,
            token=form.submission_token,
            create=lambda: item_answer(
                actor=request.user, item_id=found.pk, text=form.cleaned_data["text"], files=form.cleaned_data["uploads"]
            ),
            result_url=lambda response: _item_url(found),
        )
    except PortalError as exc:
        if exc.code.startswith("attachment_") or exc.code in AnswerForm.REFUSAL_FIELDS:
            # Beside what the user typed, which the page shows again.
            form.refuse(exc)
            return _render_item(request, found, answer_form=form, status=400)
        # The code goes along as the message's tag, for tests and scripts; the user reads the message.
        messages.error(request, exc.message, extra_tags=exc.code)
    else:
        messages.success(request, _("Your answer is sent; it waits for the inspectors' check."))
        confirm_saved(request)
    return redirect(_item_url(found))


@login_required
@require_POST
@submitted_once
def item_check_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An inspector accepts the item's answer, or sends it back saying why."""
    found = _get_item_for_user(request, pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _render_item(request, found, check_form=form, status=400)
    try:
        checked = submission_run(
            user=request.user,
            token=form.submission_token,
            create=lambda: item_check(
                actor=request.user, item_id=found.pk, accept=form.accepts, note=form.cleaned_data["note"]
            ),
            result_url=_item_url,
        )
    except PortalError as exc:
        if exc.code in CheckForm.REFUSAL_FIELDS:
            form.refuse(exc)
            return _render_item(request, found, check_form=form, status=400)
        messages.error(request, exc.message, extra_tags=exc.code)
    else:
        if checked.status == Rectification.Status.ACCEPTED:
            messages.success(request, _("The answer is accepted."))
        else:
            messages.success(request, _("The answer is sent back."))
        confirm_saved(request)
    return redirect(_item_url(found))


# --- Files ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Download an inspection's file or an answer's evidence, to whoever sees its record; never shown inline."""
    found = _get_file_for_user(request, pk)
    stored = attachments.open_stored(found.file) if found.file else None
    if stored is None:
        raise Http404
    content, kind = stored
    # The name it was uploaded under, when its extension says the kind its content is (it did when it came).
    name = found.name if attachments.extension_of(found.name) in kind.extensions else ""
    # The content type is the allow-list's for what the file is, never a guess from its name.
    response = FileResponse(
        content,
        as_attachment=True,
        filename=name or PurePosixPath(found.file.name).name,
        content_type=kind.content_type,
    )
    # Never sniffed into something the browser would run, whatever the security settings say.
    response["X-Content-Type-Options"] = "nosniff"
    return response
