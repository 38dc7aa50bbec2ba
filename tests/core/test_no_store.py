import io

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core.middleware import NoStoreMiddleware


def test_a_logged_in_page_is_not_stored(client, office):
    client.force_login(office)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_an_export_is_not_stored(client, office):
    client.force_login(office)
    response = client.get(reverse("issues:ledger_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"


def test_an_anonymous_page_is_left_alone():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert "Cache-Control" not in NoStoreMiddleware(lambda r: HttpResponse())(request)


def test_a_download_is_not_stored_even_without_a_login():
    request = RequestFactory().get("/")
    response = NoStoreMiddleware(lambda r: FileResponse(io.BytesIO(b"x"), as_attachment=True, filename="a.xlsx"))(
        request
    )
    assert response["Cache-Control"] == "no-store"


def test_a_views_own_cache_control_is_kept(office):
    request = RequestFactory().get("/")
    request.user = office

    def view(r):
        response = HttpResponse()
        response["Cache-Control"] = "private, max-age=60"
        return response

    assert NoStoreMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"
