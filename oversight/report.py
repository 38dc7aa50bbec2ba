"""The monthly report (月报), as a page and a Word file: to be built (issue 13)."""

from django.http import Http404, HttpRequest, HttpResponse


def view(request: HttpRequest, month: str) -> HttpResponse:
    raise Http404
