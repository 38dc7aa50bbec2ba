from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import health as checks


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
