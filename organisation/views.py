from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from core.roles import AuthenticatedRequest, Role, role_required, roles_of, sees_everything
from core.services import submission_run
from core.spreadsheets import workbook_response, write_rows
from core.submissions import submitted_once
from core.views import export_or_queue
from enterprises.forms import ImportConfirmForm, ImportForm
from organisation.exports import EXAMPLE_ROW, allowed_value_rows, template_headers
from organisation.imports import ImportReport, enterprise_import, enterprise_import_table
from organisation.pending import NotStored, pending_discard, pending_keep, pending_table


def _preview(
    request: HttpRequest,
    report: ImportReport,
    name: str,
    token: str,
    status: int = 200,
    confirm: ImportConfirmForm | None = None,
) -> HttpResponse:
    confirm = confirm or ImportConfirmForm(initial={"token": token})
    ctx = {"report": report, "name": name, "form": ImportForm(), "confirm": confirm}
    return render(request, "organisation/import_preview.html", ctx, status=status)


class _NotImported(Exception):
    """The registry changed since the preview and nothing was written: raised, so the claim goes too."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report


@login_required
@role_required(Role.CAMPAIGN_OFFICE)  # importing rewrites the district's registry
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a list and preview what importing it would do; nothing is written yet."""
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data["data"]
        report = enterprise_import(data=data, dry_run=True, filename=upload.name)
        if not report.ok or report.table is None:
            return _preview(request, report, upload.name, "")
        try:
            # The rows read are kept, so that the confirmation imports them without reading the file again.
            token = pending_keep(request.session, name=upload.name, table=report.table)
        except NotStored as refused:
            form.add_error("file", ValidationError(refused.message, code=refused.code))
            status = 503  # the server's disk, not the file: the same file may be sent again later
        else:
            return _preview(request, report, upload.name, token)
    ctx = {"form": form, "max_mb": settings.CAMPAIGN_IMPORT_MAX_BYTES / 1024 / 1024}
    return render(request, "organisation/import.html", ctx, status=status)


@login_required
@role_required(Role.CAMPAIGN_OFFICE)  # importing rewrites the district's registry
@require_POST
@submitted_once
def import_confirm(request: AuthenticatedRequest) -> HttpResponse:
    """Import the previewed list, all or nothing; once, however often the confirmation is sent."""
    form = ImportConfirmForm(request.POST)
    token = request.POST.get("token", "")
    kept = pending_table(request.session, token)
    if kept is None:
        messages.error(request, _("The uploaded list has expired or was already imported. Please upload it again."))
        return redirect("organisation:import")
    name, table = kept
    if not form.is_valid():
        # A confirmation without its one-time token (a page older than the token): preview again, with one.
        report = enterprise_import_table(table=table, dry_run=True)
        return _preview(request, report, name, token, status=400, confirm=form)

    def import_or_refuse() -> ImportReport:
        report = enterprise_import_table(table=table, dry_run=False)
        if not report.written:
            raise _NotImported(report)
        return report

    try:
        report = submission_run(
            user=request.user,
            token=form.submission_token,
            create=import_or_refuse,
            result_url=lambda _report: reverse("organisation:import"),
        )
    except _NotImported as refused:
        # The registry changed since the preview: show why, write nothing.
        pending_discard(request.session)
        return _preview(request, refused.report, name, "", status=409)
    # The import has committed: from here on nothing may fail, or the page would deny what was written.
    pending_discard(request.session)
    messages.success(
        request,
        _("%(name)s imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {"name": name, "new": report.new, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("organisation:import")


@login_required
@role_required(Role.CAMPAIGN_OFFICE)  # importing rewrites the district's registry
@require_GET
def import_template(request: HttpRequest) -> FileResponse:
    """Download the list template: the empty list, an example on a sheet of its own, and the allowed values."""
    workbook = Workbook(write_only=True)
    # Only the first sheet is read: the example beside it is never imported.
    write_rows(workbook.create_sheet(_("List")), template_headers(), [])
    note = _("An example only: this sheet is never imported. Fill in the sheet “%(sheet)s”.") % {"sheet": _("List")}
    write_rows(workbook.create_sheet(_("Example")), template_headers(), [EXAMPLE_ROW, [], [note]])
    write_rows(
        workbook.create_sheet(_("Allowed values")),
        [_("Column"), _("Write one of"), _("Also accepted")],
        allowed_value_rows(),
    )
    return workbook_response(workbook, _("enterprise-list-template.xlsx"))


@login_required
@require_GET
def exports_page(request: HttpRequest) -> HttpResponse:
    """List the spreadsheets the user may download, each limited to what the user may see."""
    held = roles_of(request.user)
    ctx = {
        "can_export_visits": sees_everything(request.user) or Role.CADRE in held,
        "year": timezone.localdate().year,
        "inline_max_rows": settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS,
    }
    return render(request, "organisation/exports.html", ctx)


@login_required
@require_GET
def enterprise_export(request: AuthenticatedRequest) -> HttpResponseBase:
    """Download the enterprises the user may see, with their current cadre, in the template's columns.

    Streamed when small; a province's list is prepared in the background (core/exports.py).
    """
    return export_or_queue(request, "enterprises")
