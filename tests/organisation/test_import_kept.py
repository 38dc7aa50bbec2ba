"""The previewed list kept for its confirmation (issue 11): parsed once, the confirmation importing the
preview's rows; stored whole or not at all, a failing disk a clear refusal, never a 500 and never an
error after the import has committed."""

import errno
import json
import logging
import pathlib

import pytest
from django.db import transaction

from enterprises.models import Enterprise
from organisation import pending
from organisation.imports import enterprise_import
from organisation.models import Pairing
from organisation.pending import PENDING_KEY
from tests import factories
from tests.organisation.helpers import CONFIRM, IMPORT, fixture, forbid_parsing, form_refusal, kept_files, upload
from tests.submissions import tokens_on, told_already_submitted, with_token

pytestmark = pytest.mark.django_db


# --- Parsed once ----------------------------------------------------------------------------------------


def _registry() -> tuple[list, list]:
    enterprises = Enterprise.objects.values_list(
        "name", "uscc", "kind", "origin", "sector", "street", "contact_person", "phone"
    )
    pairings = Pairing.objects.values_list(
        "enterprise__name", "cadre__name", "cadre__title", "cadre__mobile", "started_on", "ended_on"
    )
    return sorted(enterprises), sorted(pairings)


@pytest.mark.parametrize("name", ["title_row.xlsx", "district_gbk.csv", "namesakes.xlsx"])
def test_the_confirmation_imports_the_previews_rows_without_reading_the_file_again(
    office_client, settings, monkeypatch, name
):
    # What importing the file straight from its bytes writes, rolled back.
    with transaction.atomic():
        assert enterprise_import(data=fixture(name), dry_run=False, filename=name).written
        expected = _registry()
        transaction.set_rollback(True)
    assert _registry() == ([], [])

    preview = upload(office_client, name, fixture(name))
    assert preview.status_code == 200 and preview.context["report"].ok
    # What waits for the confirmation is the rows read, as JSON: not the file, not a pickle.
    [kept] = kept_files(settings)
    assert kept.endswith(".json")
    kept_rows = json.loads((settings.MEDIA_ROOT / "imports" / kept).read_bytes())["rows"]
    assert len(kept_rows) == preview.context["report"].new

    forbid_parsing(monkeypatch)
    [token] = tokens_on(preview)
    response = office_client.post(CONFIRM, with_token({"token": office_client.session[PENDING_KEY]["token"]}, token))

    assert response.status_code == 302 and response["Location"] == IMPORT
    assert _registry() == expected
    assert kept_files(settings) == []


def test_a_confirmation_refused_because_the_registry_changed_checks_the_kept_rows(office_client, monkeypatch):
    preview = upload(office_client, "title_row.xlsx", fixture("title_row.xlsx"))
    [token] = tokens_on(preview)
    forbid_parsing(monkeypatch)
    # Someone registers one of the list's names under another code in between.
    factories.EnterpriseFactory(name="西安浐灞文旅发展有限公司")

    response = office_client.post(CONFIRM, with_token({"token": office_client.session[PENDING_KEY]["token"]}, token))

    assert response.status_code == 409
    assert [(e.row, e.code) for e in response.context["report"].errors] == [(5, "uscc_conflict")]
    assert Enterprise.objects.count() == 1


def test_a_confirmation_without_its_one_time_token_previews_the_kept_rows_again(office_client, monkeypatch):
    upload(office_client, "title_row.xlsx", fixture("title_row.xlsx"))
    forbid_parsing(monkeypatch)
    response = office_client.post(CONFIRM, {"token": office_client.session[PENDING_KEY]["token"]})
    assert response.status_code == 400
    assert response.context["report"].new == 3
    assert Enterprise.objects.count() == 0


# --- Storage that fails ---------------------------------------------------------------------------------


def _failing(error: int):
    def fail(*args, **kwargs):
        raise OSError(error, "simulated")

    return fail


@pytest.mark.parametrize(
    ("target", "name", "error"),
    [
        (pending.tempfile, "mkstemp", errno.EACCES),  # the folder is not writable
        (pending.os, "fsync", errno.ENOSPC),  # the disk filled up while the list was written
        (pending.os, "replace", errno.EIO),  # the disk failed as the list was put in place
    ],
)
def test_a_list_the_server_cannot_store_is_refused_with_503_leaving_no_file_and_importing_nothing(
    office_client, settings, monkeypatch, caplog, target, name, error
):
    monkeypatch.setattr(target, name, _failing(error))

    response = upload(office_client, "title_row.xlsx", fixture("title_row.xlsx"))

    assert response.status_code == 503
    assert form_refusal(response) == "not_stored"
    assert kept_files(settings) == []  # neither the list nor a half-written or empty temporary file
    assert PENDING_KEY not in office_client.session
    assert "report" not in response.context  # the upload page again, not a preview offering to import
    assert Enterprise.objects.count() == 0
    assert any(r.levelno == logging.ERROR and r.name == "organisation.pending" for r in caplog.records)


def test_an_imports_folder_that_cannot_be_made_is_refused_with_503(office_client, settings):
    # A real failure, which even root meets: a file stands where the folder should be.
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports").write_bytes(b"")
    response = upload(office_client, "title_row.xlsx", fixture("title_row.xlsx"))
    assert response.status_code == 503
    assert form_refusal(response) == "not_stored"
    assert PENDING_KEY not in office_client.session


def test_a_kept_file_that_cannot_be_deleted_after_the_import_still_gives_the_success_page(
    office_client, settings, monkeypatch, caplog
):
    preview = upload(office_client, "title_row.xlsx", fixture("title_row.xlsx"))
    [token] = tokens_on(preview)
    data = with_token({"token": office_client.session[PENDING_KEY]["token"]}, token)
    monkeypatch.setattr(pathlib.Path, "unlink", _failing(errno.EACCES))

    response = office_client.post(CONFIRM, data, follow=True)

    assert response.redirect_chain == [(IMPORT, 302)]
    [success] = [m for m in response.context["messages"] if m.level_tag == "success"]
    assert "title_row.xlsx" in success.message
    assert Enterprise.objects.count() == 3
    assert PENDING_KEY not in office_client.session
    assert any(r.levelno == logging.WARNING and r.name == "organisation.pending" for r in caplog.records)
    # The file stays until the day-old sweep; the confirmation sent again imports nothing more.
    assert len(kept_files(settings)) == 1
    again = office_client.post(CONFIRM, data, follow=True)
    assert told_already_submitted(again)
    assert Enterprise.objects.count() == 3


def test_a_kept_file_that_cannot_be_read_at_the_confirmation_is_expired_not_an_error(office_client, monkeypatch):
    preview = upload(office_client, "title_row.xlsx", fixture("title_row.xlsx"))
    [token] = tokens_on(preview)
    monkeypatch.setattr(pathlib.Path, "read_bytes", _failing(errno.EIO))

    response = office_client.post(CONFIRM, with_token({"token": office_client.session[PENDING_KEY]["token"]}, token))

    assert response.status_code == 302 and response["Location"] == IMPORT
    assert Enterprise.objects.count() == 0
