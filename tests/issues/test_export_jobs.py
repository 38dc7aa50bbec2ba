"""The ledger's export: streamed up to CAMPAIGN_EXPORT_INLINE_MAX_ROWS rows, prepared in the background above."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import tasks
from core.exports import export_run
from core.models import ExportJob
from tests.factories import EnterpriseFactory, IssueFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("issues:ledger_export")


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def queued_exports(monkeypatch):
    recorded: list[int] = []
    monkeypatch.setattr(tasks.run_export, "delay", recorded.append)
    return recorded


def _sheet(content: bytes) -> list[tuple]:
    return [tuple(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_an_export_up_to_the_threshold_streams_at_once(client, office, settings, queued_exports):
    for _ in range(3):
        IssueFactory(enterprise=EnterpriseFactory(sector="tourism"))
    IssueFactory(enterprise=EnterpriseFactory(sector="industry"))
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 3
    client.force_login(office)
    response = client.get(EXPORT, {"sector": "tourism"})  # 3 rows: not above the threshold
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert len(_sheet(b"".join(response.streaming_content))) == 4  # the headers and three rows
    assert not ExportJob.objects.exists() and not queued_exports


def test_an_export_above_the_threshold_is_prepared_in_the_background(
    client, office, settings, queued_exports, django_capture_on_commit_callbacks
):
    for _ in range(3):
        IssueFactory(enterprise=EnterpriseFactory(sector="tourism"))
    IssueFactory(enterprise=EnterpriseFactory(sector="industry"))
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 2
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT, {"sector": "tourism", "page": "3"})
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    job = ExportJob.objects.get()
    assert queued_exports == [job.pk] and job.params == "sector=tourism"
    export_run(job_id=job.pk)
    job.refresh_from_db()
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 100
    streamed = _sheet(b"".join(client.get(EXPORT, {"sector": "tourism"}).streaming_content))
    with job.file.open("rb") as written:
        assert _sheet(written.read()) == streamed and job.row_count == 3


def test_an_english_reader_gets_the_background_file_in_english(
    client, office, settings, queued_exports, django_capture_on_commit_callbacks
):
    for _ in range(3):
        IssueFactory()
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 2
    client.force_login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(EXPORT)
    job = export_run(job_id=queued_exports[0])
    assert job is not None and job.filename.startswith("problem-ledger-")
    with job.file.open("rb") as written:
        assert _sheet(written.read())[0][:2] == ("No.", "Reported at")
