from typing import Any

from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import health as checks
from core.forms import PortalPasswordChangeForm


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
