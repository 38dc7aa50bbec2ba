"""The error pages are the portal's own, in Chinese, with a way back (issue 11)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]

MARKER = 'id="portal-error"'


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _assert_portal_page(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert MARKER in html
    assert f'data-status="{status}"' in html
    assert 'lang="zh-hans"' in html
    assert "data-back" in html and 'href="/"' in html  # the way back, and the way home
    return html


def test_an_unknown_address_gets_the_portals_404(client, cadre):
    client.force_login(cadre.user)
    html = _assert_portal_page(client.get("/no-such-page/"), 404)
    assert 'id="mainnav"' in html  # the portal's navigation, so the user can carry on


def test_a_cadre_on_the_review_desk_gets_the_portals_403(client, cadre):
    client.force_login(cadre.user)
    _assert_portal_page(client.get(reverse("issues:review")), 403)


def test_a_suspicious_request_gets_the_portals_400(client):
    _assert_portal_page(client.get("/test-errors/suspicious/"), 400)


def test_a_fault_gets_the_standalone_500_page_with_the_portals_css(client, cadre, django_assert_num_queries):
    client.raise_request_exception = False
    client.force_login(cadre.user)
    with django_assert_num_queries(0):  # the page asks nothing of the database
        response = client.get("/test-errors/boom/")
    html = _assert_portal_page(response, 500)
    assert "css/portal.css" in html
    assert "<script>" not in html and "style=" not in html  # the Content Security Policy allows neither


def test_a_form_without_its_csrf_token_gets_the_portals_refusal(cadre):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cadre.user)
    html = _assert_portal_page(client.post(reverse("visits:visit_new"), {}), 403)
    assert 'id="mainnav"' in html
