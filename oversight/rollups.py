"""Roll-ups per department, cadre, street and sector, and the department performance table: to be built (issue 13)."""

from django.http import Http404, HttpRequest, HttpResponse


def rollup_view(request: HttpRequest, dimension: str) -> HttpResponse:
    raise Http404


def departments_view(request: HttpRequest) -> HttpResponse:
    raise Http404
