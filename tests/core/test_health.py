import datetime
import json

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from core import health
from notifications.models import Delivery, Kind, Reminder, ScanRecord
from notifications.services import reminders_send
from tests.factories import UserFactory


@pytest.fixture
def url():
    return reverse("health")


def test_healthy_answers_200_with_each_check(client, db, url, settings):
    settings.REDIS_URL = ""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "reminders": {"last_scan_age_seconds": None, "deliveries_waiting": 0},
    }


def test_reports_the_last_scan_and_the_deliveries_waiting(client, db, url):
    reminders_send(inline=False)
    ScanRecord.objects.update(finished_at=timezone.now() - datetime.timedelta(hours=2))
    user = UserFactory()
    reminder = Reminder.objects.create(kind=Kind.FEEDBACK_WAITING, object_id=1, recipient=user, period="p", title="t")
    Delivery.objects.create(reminder=reminder, recipient=user, channel="inapp")
    Delivery.objects.create(reminder=reminder, recipient=user, channel="email", sent_at=timezone.now())
    reminders_answer = client.get(url).json()["reminders"]
    assert 7200 <= reminders_answer["last_scan_age_seconds"] < 7260
    assert reminders_answer["deliveries_waiting"] == 1


def test_a_scan_that_finds_nothing_still_records_that_it_ran(db):
    assert reminders_send().total == 0
    first = ScanRecord.objects.get(name=ScanRecord.REMINDERS).finished_at
    assert first > timezone.now() - datetime.timedelta(minutes=1)
    reminders_send()
    assert ScanRecord.objects.count() == 1
    assert ScanRecord.objects.get(name=ScanRecord.REMINDERS).finished_at > first


def test_503_when_the_database_does_not_answer(client, db, url, monkeypatch):
    monkeypatch.setattr(health, "database", lambda: health.DOWN)
    response = client.get(url)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "unavailable"
    assert "reminders" not in response.json()  # the probes read the database: not asked


def test_a_failing_database_cursor_counts_as_down(db, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:  # undone before the test's own clean-up needs the database
        patched.setattr(health.connection, "cursor", broken)
        assert health.database() == health.DOWN


def test_503_when_redis_is_configured_and_unreachable(client, db, url, settings):
    settings.REDIS_URL = "redis://:secret-password@127.0.0.1:6390/0"
    response = client.get(url)
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"
    assert response.json()["database"] == "ok"
    assert "secret-password" not in response.content.decode() and "6390" not in response.content.decode()


def test_head_answers_without_a_body(client, db, url):
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""


def test_post_is_refused(client, db, url):
    assert client.post(url).status_code == 405


def test_a_failing_probe_is_reported_without_changing_the_status(client, db, url, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(health._probes, "reminders", broken)
    response = client.get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["reminders"] == "unavailable"


@pytest.mark.redis
def test_a_configured_redis_that_answers_is_ok(client, db, url, settings):
    from tests.services import redis_url

    settings.REDIS_URL = redis_url()
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"
