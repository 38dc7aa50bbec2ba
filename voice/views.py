from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
