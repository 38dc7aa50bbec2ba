"""The enterprise list's export: streamed when small, prepared in the background above the threshold."""

import pytest
from django.urls import reverse

from core import tasks
from core.exports import export_run
from core.models import ExportJob
from tests import factories
from tests.organisation.helpers import read_xlsx, response_bytes

pytestmark = pytest.mark.django_db

EXPORT = reverse("organisation:export")


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_big_enterprise_export_is_prepared_in_the_background_with_the_same_rows(
    client, office, settings, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_export, "delay", queued.append)
    for _ in range(3):
        factories.PairingFactory()
    client.force_login(office)
    streamed = read_xlsx(response_bytes(client.get(EXPORT)))
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT)
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    job = export_run(job_id=queued[0])
    assert job is not None and job.status == ExportJob.Status.DONE and job.row_count == 3
    with job.file.open("rb") as written:
        assert read_xlsx(written.read()) == streamed


def test_the_exports_page_links_to_my_exports(client, cadre):
    client.force_login(cadre.user)
    assert f'href="{reverse("exports:list")}"' in client.get(reverse("organisation:exports")).text
