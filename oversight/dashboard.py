"""The leading group's dashboard (/oversight/): to be built (issue 13)."""

from django.http import Http404, HttpRequest, HttpResponse


def view(request: HttpRequest) -> HttpResponse:
    raise Http404
