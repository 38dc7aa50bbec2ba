"""The visits-per-month export: streamed for a district, prepared in the background for a city's cadres."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import tasks
from core.exports import export_run
from core.models import ExportJob
from tests import factories

pytestmark = pytest.mark.django_db

EXPORT = reverse("visits:visit_export")


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_big_visits_export_is_prepared_in_the_background_with_the_same_rows(
    client, office, settings, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_export, "delay", queued.append)
    for _ in range(3):
        factories.VisitFactory(visited_on=datetime.date(2026, 3, 2))
    client.force_login(office)
    streamed = b"".join(client.get(EXPORT, {"year": 2026}).streaming_content)
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT, {"year": 2026})
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    job = export_run(job_id=queued[0])
    assert job is not None and job.row_count == 3 and job.params == "year=2026"

    def rows(content: bytes) -> list[tuple]:
        return [tuple(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]

    with job.file.open("rb") as written:
        assert rows(written.read()) == rows(streamed)


def test_a_cadres_visits_export_stays_immediate(client, cadre, settings, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_export, "delay", queued.append)
    for _ in range(3):
        factories.VisitFactory()  # other cadres' visits: not counted for this cadre
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 2
    client.force_login(cadre.user)
    response = client.get(EXPORT)
    assert response.status_code == 200 and not ExportJob.objects.exists() and not queued
