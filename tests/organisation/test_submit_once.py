"""A confirmation of an import sent twice imports once, and the repeat says so instead of "expired"."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Submission
from enterprises.models import Enterprise
from organisation.models import Pairing
from organisation.pending import PENDING_KEY
from tests import factories
from tests.organisation.helpers import fixture
from tests.refusals import refusals
from tests.submissions import tokens_on, told_already_submitted, with_token

pytestmark = pytest.mark.django_db
IMPORT = reverse("organisation:import")
CONFIRM = reverse("organisation:import_confirm")


@pytest.fixture
def preview(client, office):
    """The preview page of a valid list, as the campaign office sees it before confirming."""
    client.force_login(office)
    return client.post(IMPORT, {"file": SimpleUploadedFile("title_row.xlsx", fixture("title_row.xlsx"))})


def test_the_same_confirmation_sent_twice_imports_once_and_the_repeat_says_so(client, preview):
    [token] = tokens_on(preview)
    data = with_token({"token": client.session[PENDING_KEY]["token"]}, token)
    first = client.post(CONFIRM, data)
    assert first.status_code == 302 and first["Location"] == IMPORT
    enterprises, pairings = Enterprise.objects.count(), Pairing.objects.count()
    assert enterprises == 3

    again = client.post(CONFIRM, data, follow=True)

    assert again.redirect_chain == [(IMPORT, 302)]
    assert told_already_submitted(again)
    assert refusals(again) == []  # not "expired or already imported"
    assert (Enterprise.objects.count(), Pairing.objects.count()) == (enterprises, pairings)


def test_a_confirmation_refused_because_the_registry_changed_claims_nothing(client, preview):
    [token] = tokens_on(preview)
    factories.EnterpriseFactory(name="西安浐灞文旅发展有限公司")  # one of the list's names, another code
    response = client.post(CONFIRM, with_token({"token": client.session[PENDING_KEY]["token"]}, token))
    assert response.status_code == 409
    assert not Submission.objects.exists()
    assert Enterprise.objects.count() == 1


def test_a_confirmation_without_a_token_previews_again_with_one(client, preview):
    upload = client.session[PENDING_KEY]["token"]
    response = client.post(CONFIRM, {"token": upload})
    assert response.status_code == 400
    assert response.context["confirm"].has_error(NON_FIELD_ERRORS, "token_missing")
    [fresh] = tokens_on(response)
    assert Enterprise.objects.count() == 0

    assert client.post(CONFIRM, with_token({"token": upload}, fresh)).status_code == 302
    assert Enterprise.objects.count() == 3
