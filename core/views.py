from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from core import health as checks
from core import pickers
from core.exports import export_params, export_start, sheet_for
from core.forms import PortalPasswordChangeForm
from core.models import ExportJob
from core.roles import AuthenticatedRequest
from core.spreadsheets import xlsx_response

EXPORTS_PAGE_SIZE = 20


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For the proxy, the process manager and monitoring: 200 when healthy, else 503 (core/health.py)."""
    healthy, answer = checks.report()
    return JsonResponse(answer, status=200 if healthy else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The portal's page for a form refused by the CSRF check (settings.CSRF_FAILURE_VIEW).

    Django's own page is English and technical; this one says, in the user's language,
    that the input was not saved and how to send it again. The reason is logged by Django.
    """
    return render(request, "403_csrf.html", status=403)


class PasswordChange(PasswordChangeView):
    """The user's own password change: the old password is checked as a login is (core/forms.py).

    The admin's own page (admin:password_change) sends here, so there is only this one.
    """

    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("home")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


def export_or_queue(request: AuthenticatedRequest, name: str) -> HttpResponseBase:
    """Stream the export `name` at once when it is small; else start a background job and show "my exports".

    The views of the apps' exports end here, so every export has the same threshold and the same job.
    """
    sheet = sheet_for(name=name, user=request.user, params=request.GET)
    if sheet.count() <= settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS:
        return xlsx_response(sheet.filename, sheet.headers, sheet.rows(), sheet_title=sheet.title)
    _job, created = export_start(
        user=request.user, name=name, params=export_params(request.GET), language=translation.get_language()
    )
    if created:
        messages.info(
            request,
            _("This export is large: it is being prepared in the background. You will be notified when it is ready."),
        )
    else:
        messages.info(request, _("The same export is already being prepared; you will be notified when it is ready."))
    return redirect("exports:list")


def _get_export_for_user(request: AuthenticatedRequest, pk: int) -> ExportJob:
    """Return the user's own export, else 404: nobody downloads anyone else's, whatever their role."""
    return get_object_or_404(ExportJob.objects.filter(user=request.user), pk=pk)


@login_required
@require_GET
def export_list(request: AuthenticatedRequest) -> HttpResponse:
    """My exports: the files written in the background for the user, newest first, with their downloads."""
    jobs = ExportJob.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(jobs, EXPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/exports.html", {"page": page, "keep_hours": settings.CAMPAIGN_EXPORT_KEEP_HOURS})


@login_required
@require_GET
def export_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Download one's own export while it is kept; 410 (with why) once it has expired."""
    job = _get_export_for_user(request, pk)
    if job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING, ExportJob.Status.FAILED):
        raise Http404
    if not job.is_downloadable():
        return render(request, "core/export_gone.html", {"job": job}, status=410)
    try:
        content = job.file.open("rb")
    except FileNotFoundError:
        # Deleted by hand or lost with a disk: as good as expired, and the user is told so.
        return render(request, "core/export_gone.html", {"job": job}, status=410)
    response = FileResponse(
        content,
        as_attachment=True,
        filename=job.filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def pick(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    """The options of a search picker (an htmx fragment): the row chosen, then the first matches (core/pickers.py)."""
    if kind not in pickers.PICKERS:
        raise Http404
    if not pickers.may_search(kind, request.user):
        raise PermissionDenied
    picker, found = pickers.request_options(kind, request.user, request.GET)

    def row(obj: Any) -> dict[str, Any]:
        return {"pk": obj.pk, "label": picker.label(obj), "attrs": picker.option_attrs(obj)}

    select = request.GET.get("id", "")
    context = {
        "kept": None if found.kept is None else row(found.kept),
        "found": [row(obj) for obj in found.found],
        "searched": found.searched,
        # The picker's live region, which says the count (its id is the select's id and "-count").
        "status": f"{select}-count" if select else "",
    }
    return render(request, "core/_pick_options.html", context)
