from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core import kept


class PortalLocaleMiddleware:
    """Speak Chinese unless the user chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and
    many office computers run English-language browsers; the campaign's working
    language is Chinese, so only the explicit choice (a cookie) counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of a logged-in user's pages or of any download.

    A shared office computer's cache, or a caching proxy on the intranet, would otherwise keep
    enterprises' problems and spreadsheets of mobile numbers after the user logged out. A view that
    chose its own Cache-Control keeps it; static files never get here (WhiteNoise answers first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        # A session is what a login leaves (the portal gives anonymous visitors none). Asking its cookie,
        # not request.user, costs no query: the 500 page and an outage must not need the database.
        session = settings.SESSION_COOKIE_NAME
        logged_in = session in request.COOKIES or session in response.cookies
        download = response.get("Content-Disposition", "").lower().startswith("attachment")
        if download or logged_in:
            response["Cache-Control"] = "no-store"
        return response


class KeptVersionsMiddleware:
    """Read the versions of kept figures once per request, however many kept answers its page asks for.

    See core/kept.py `reading`: a page keeping its figures and the streets its filters offer pays one query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with kept.reading():
            return self.get_response(request)
