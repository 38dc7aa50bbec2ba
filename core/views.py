from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import health as checks


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For the proxy, the process manager and monitoring: 200 when healthy, else 503 (core/health.py)."""
    healthy, answer = checks.report()
    return JsonResponse(answer, status=200 if healthy else 503)
