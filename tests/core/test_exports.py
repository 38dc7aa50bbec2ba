"""Exports written in the background (core/exports.py): the job, its task, its file, its download and its sweep.

Through the ledger's export, the real entry point: above `CAMPAIGN_EXPORT_INLINE_MAX_ROWS` rows the view
starts a job instead of streaming, the task writes the file, the user is told once, and only they may
download it until it expires.
"""

import datetime
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import exports, tasks
from core.exports import ExportError, export_run, export_start, exports_sweep
from core.models import ExportJob
from issues.models import Flow, Issue, Status
from notifications.models import Notification
from tests.factories import CadreFactory, EnterpriseFactory, IssueFactory, category

pytestmark = pytest.mark.django_db

LEDGER_EXPORT = reverse("issues:ledger_export")
MY_EXPORTS = reverse("exports:list")


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 2


@pytest.fixture
def queued_exports(monkeypatch):
    """The export tasks queued after commit, recorded instead of published."""
    recorded: list[int] = []
    monkeypatch.setattr(tasks.run_export, "delay", recorded.append)
    return recorded


def _issues(n: int) -> None:
    enterprise, reporter, kind = EnterpriseFactory(), CadreFactory(), category()
    Issue.objects.bulk_create(
        Issue(
            enterprise=enterprise,
            reporter=reporter,
            category=kind,
            title=f"问题{i}",
            flow=Flow.ESCALATED,
            status=Status.ESCALATED,
        )
        for i in range(n)
    )


def _rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _job_for(client, user, queued_exports, django_capture_on_commit_callbacks, params=None) -> ExportJob:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(LEDGER_EXPORT, params or {})
    assert response.status_code == 302 and response["Location"] == MY_EXPORTS
    return ExportJob.objects.get(pk=queued_exports[-1])


def test_a_big_export_starts_one_job_and_shows_my_exports(
    client, office, queued_exports, django_capture_on_commit_callbacks
):
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks, {"status": "escalated"})
    assert (job.user, job.name, job.status, job.params, job.language) == (
        office,
        "ledger",
        ExportJob.Status.PENDING,
        "status=escalated",
        "zh-hans",
    )
    page = client.get(MY_EXPORTS)
    assert page.status_code == 200 and 'data-status="pending"' in page.text


def test_the_same_export_asked_again_while_it_waits_reuses_the_job(
    client, office, queued_exports, django_capture_on_commit_callbacks
):
    _issues(3)
    first = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks, {"status": "escalated"})
    client.get(LEDGER_EXPORT, {"status": "escalated", "page": "2"})  # the page number makes no other export
    assert ExportJob.objects.count() == 1 and queued_exports == [first.pk]
    client.get(LEDGER_EXPORT, {"q": "问题"})  # other filters: another file
    assert ExportJob.objects.count() == 2


def test_the_database_keeps_one_waiting_job_per_identical_request(office, queued_exports):
    # Two requests at once both miss the other's row; the second insert fails here, and export_start
    # returns the first job instead (its IntegrityError path).
    first, created = export_start(user=office, name="ledger", params="", language="zh-hans")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(user=office, name="ledger", params="", language="zh-hans", key=first.key)
    ExportJob.objects.filter(pk=first.pk).update(status=ExportJob.Status.DONE)
    again, created_again = export_start(user=office, name="ledger", params="", language="zh-hans")
    assert created and created_again and again.pk != first.pk  # once done, the same request writes a new file


def test_the_job_writes_the_rows_the_page_would_stream(
    client, office, settings, queued_exports, django_capture_on_commit_callbacks
):
    IssueFactory(title='=HYPERLINK("x")', enterprise=EnterpriseFactory(sector="tourism"))
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.row_count == 4
    settings.CAMPAIGN_EXPORT_INLINE_MAX_ROWS = 1000
    streamed = b"".join(client.get(LEDGER_EXPORT).streaming_content)
    with job.file.open("rb") as written:
        assert _rows(written.read()) == _rows(streamed)


def test_the_job_reads_the_rows_with_the_users_visibility_when_it_runs(
    client, cadre, enterprise, queued_exports, django_capture_on_commit_callbacks
):
    for i in range(3):
        IssueFactory(title=f"我的问题{i}", enterprise=enterprise, reporter=cadre)
    _issues(5)  # other enterprises' problems, which the cadre may not see
    job = _job_for(client, cadre.user, queued_exports, django_capture_on_commit_callbacks)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as written:
        titles = {row[6] for row in _rows(written.read())[1:]}
    assert titles == {"我的问题0", "我的问题1", "我的问题2"} and job.row_count == 3


def test_the_user_is_told_once_with_the_download_link(
    client, office, queued_exports, django_capture_on_commit_callbacks
):
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks)
    export_run(job_id=job.pk)
    assert export_run(job_id=job.pk) is None  # the task delivered twice: the second finds it done
    told = Notification.objects.get(recipient=office)
    assert told.link == reverse("exports:download", args=[job.pk]) and told.kind == "export_ready"
    assert "问题台账" in told.text.title and "3" in told.text.body


def test_a_failing_export_records_its_error_and_tells_the_user(
    client, office, monkeypatch, queued_exports, django_capture_on_commit_callbacks
):
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks)

    def broken(user, params):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(exports._REGISTRY, "ledger", broken)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "disk on fire" in job.error and not job.file
    told = Notification.objects.get(recipient=office)
    assert told.kind == "export_failed" and told.link == MY_EXPORTS and "问题台账" in told.text.title
    page = client.get(MY_EXPORTS).text
    assert 'data-status="failed"' in page and "问题台账" in page  # the export's label, said in Chinese
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_an_account_disabled_before_the_job_runs_gets_no_file(
    client, office, queued_exports, django_capture_on_commit_callbacks
):
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks)
    type(office).objects.filter(pk=office.pk).update(is_active=False)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file and "no longer active" in job.error


def test_an_unknown_export_is_refused_with_its_code(office):
    with pytest.raises(ExportError) as refused:
        export_start(user=office, name="nothing", params="", language="zh-hans")
    assert refused.value.code == "unknown_export"


def test_with_the_broker_down_the_job_waits_and_the_sweep_queues_it_again(
    client, office, monkeypatch, django_capture_on_commit_callbacks
):
    _issues(3)

    def down(job_id):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.run_export, "delay", down)
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(LEDGER_EXPORT).status_code == 302  # the user sees no error
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.PENDING
    assert 'data-status="pending"' in client.get(MY_EXPORTS).text
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_export, "delay", queued.append)
    assert exports_sweep().requeued == 0  # asked a moment ago: perhaps still on its way
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert exports_sweep(now=later).requeued == 1 and queued == [job.pk]


def test_the_sweep_fails_a_job_whose_worker_died_and_tells_the_user(office, queued_exports):
    job, _created = export_start(user=office, name="ledger", params="", language="zh-hans")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=timezone.now())
    later = timezone.now() + datetime.timedelta(hours=2)
    assert exports_sweep(now=later).failed == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "interrupted" in job.error
    assert Notification.objects.filter(recipient=office, kind="export_failed").count() == 1


def test_the_sweep_deletes_expired_files(client, office, queued_exports, django_capture_on_commit_callbacks, settings):
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    path = settings.MEDIA_ROOT / job.file.name
    assert path.exists()
    assert exports_sweep().expired == 0 and path.exists()  # still kept
    later = job.expires_at + datetime.timedelta(minutes=1)
    assert exports_sweep(now=later).expired == 1
    job.refresh_from_db()
    assert not path.exists() and job.status == ExportJob.Status.EXPIRED and not job.file
    assert exports_sweep(now=later + datetime.timedelta(days=31)).deleted == 1  # the row, a month on


def test_only_the_user_who_asked_downloads_the_file(
    client, office, superuser, leader, queued_exports, django_capture_on_commit_callbacks
):
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks)
    export_run(job_id=job.pk)
    download = reverse("exports:download", args=[job.pk])
    response = client.get(download)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert len(_rows(b"".join(response.streaming_content))) == 4
    for other in (superuser, leader):
        client.force_login(other)
        assert client.get(download).status_code == 404
        assert 'id="export-jobs"' in (page := client.get(MY_EXPORTS).text) and download not in page
    client.logout()
    anonymous = client.get(download)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_an_expired_file_answers_410_with_why(client, office, queued_exports, django_capture_on_commit_callbacks):
    _issues(3)
    job = _job_for(client, office, queued_exports, django_capture_on_commit_callbacks)
    export_run(job_id=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 410 and 'id="export-gone"' in response.text
    assert 'data-status="expired"' in client.get(MY_EXPORTS).text


def test_a_job_not_yet_written_has_no_download(client, office, queued_exports):
    job, _created = export_start(user=office, name="ledger", params="", language="zh-hans")
    client.force_login(office)
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_my_exports_needs_a_login_and_a_get(client, office):
    assert client.get(MY_EXPORTS).status_code == 302
    client.force_login(office)
    assert client.post(MY_EXPORTS).status_code == 405
    assert client.post(reverse("exports:download", args=[1])).status_code == 405


@pytest.mark.parametrize("size", [3, 60])
def test_the_job_runs_the_same_queries_whatever_its_size(size, office, queued_exports):
    _issues(size)
    job, _created = export_start(user=office, name="ledger", params="status=escalated", language="zh-hans")
    with CaptureQueriesContext(connection) as captured:
        export_run(job_id=job.pk)
    assert ExportJob.objects.get(pk=job.pk).row_count == size
    assert len(captured) == QUERIES_PER_RUN, [q["sql"] for q in captured]


# Claim (lock, mark running), the user's roles, the filter's choices, the rows, then finish (lock, save,
# the notification), each transaction's savepoint: none per row.
QUERIES_PER_RUN = 11


@pytest.mark.parametrize("size", [2, 40])
def test_my_exports_runs_the_same_queries_whatever_its_size(size, client, office, django_assert_num_queries):
    ExportJob.objects.bulk_create(
        ExportJob(user=office, name="ledger", key=str(i), status=ExportJob.Status.DONE, language="zh-hans")
        for i in range(size)
    )
    client.force_login(office)
    client.get(MY_EXPORTS)
    with django_assert_num_queries(QUERIES_MY_EXPORTS):
        assert client.get(MY_EXPORTS).status_code == 200


# The session, the user, the page's count and rows, the bell's unread count, the user's roles.
QUERIES_MY_EXPORTS = 6


def test_a_host_without_a_worker_runs_the_waiting_exports_with_a_command(office, queued_exports):
    from django.core.management import call_command

    _issues(3)
    job, _created = export_start(user=office, name="ledger", params="", language="zh-hans")
    out = io.StringIO()
    call_command("run_exports", stdout=out)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.row_count == 3 and out.getvalue().startswith("1 export(s) run")
    assert Notification.objects.filter(recipient=office, kind="export_ready").count() == 1


def test_beat_sweeps_the_exports():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["sweep-exports"]["task"] == tasks.sweep_exports.name


def test_with_celery_eager_the_file_is_ready_when_my_exports_shows(
    client, office, monkeypatch, django_capture_on_commit_callbacks
):
    from bangqiao_portal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    _issues(3)
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit: the task runs here
        assert client.get(LEDGER_EXPORT)["Location"] == MY_EXPORTS
    response = client.get(MY_EXPORTS)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and 'data-status="done"' in response.text
    assert reverse("exports:download", args=[job.pk]) in response.text
    assert Notification.objects.filter(recipient=office, kind="export_ready").count() == 1
