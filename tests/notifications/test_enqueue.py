"""The scan's hand-over reaches Redis in one round trip per batch of people, one task per person (issue 16)."""

import base64
import json

import pytest
import redis
from redis.connection import AbstractConnection

from bangqiao_portal.celery import app
from notifications import services
from notifications.services import deliveries_enqueue
from notifications.tasks import deliver

REAL_BROKER = True  # tests/conftest.py: do not stub the delivery task here

pytestmark = pytest.mark.redis


@pytest.fixture
def broker():
    """The broker's Redis, its connection warmed (queue declared) and the delivery tasks taken off it after."""
    assert app.conf.broker_url.startswith("redis://")
    client = redis.Redis.from_url(app.conf.broker_url)
    deliveries_enqueue(recipient_ids=[0])  # connects and declares the queue: not what is counted
    yield client
    for raw in client.lrange("celery", 0, -1):
        if json.loads(raw)["headers"]["task"] == deliver.name:
            client.lrem("celery", 0, raw)


@pytest.fixture
def pushes(monkeypatch):
    """Count the writes to Redis that carry tasks: one list of LPUSHes per round trip."""
    writes: list[int] = []
    send = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        packed = command if isinstance(command, bytes) else b"".join(bytes(part) for part in command)
        if packed.count(b"LPUSH"):
            writes.append(packed.count(b"LPUSH"))
        return send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return writes


def _queued_recipients(client) -> list[int]:
    """The recipients of the delivery tasks waiting in the queue."""
    recipients = []
    for raw in client.lrange("celery", 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == deliver.name:
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            recipients.extend(args)
    return recipients


def test_twenty_five_people_are_queued_one_task_each_in_one_round_trip(broker, pushes):
    people = list(range(1001, 1026))
    assert deliveries_enqueue(recipient_ids=people) == 25
    assert pushes == [25]  # one write to Redis, carrying the 25 tasks
    assert sorted(_queued_recipients(broker)) == sorted([0, *people])  # 0: the fixture's warm-up


def test_a_round_trip_carries_at_most_a_batch_of_people(broker, pushes, monkeypatch):
    monkeypatch.setattr(services, "ENQUEUE_BATCH", 10)
    people = list(range(2001, 2026))
    assert deliveries_enqueue(recipient_ids=people) == 25
    assert pushes == [10, 10, 5]
    assert sorted(_queued_recipients(broker)) == sorted([0, *people])
