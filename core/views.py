from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers; for the load balancer and the process manager."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The portal's page for a form refused by the CSRF check (settings.CSRF_FAILURE_VIEW).

    Django's own page is English and technical; this one says, in the user's language,
    that the input was not saved and how to send it again. The reason is logged by Django.
    """
    return render(request, "403_csrf.html", status=403)
