"""Two scans at the same instant on real PostgreSQL: each key is recorded and delivered once."""

import datetime
import threading

import pytest
from django.db import connection

from issues.models import Flow, Status
from notifications import reminders
from notifications.models import Delivery, Kind, Notification, Reminder
from notifications.services import reminders_deliver, reminders_send
from tests.factories import IssueFactory, PairingFactory, category
from tests.notifications.conftest import NOW, TODAY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(target, count: int = 2) -> list:
    outcomes: list = []

    def run() -> None:
        try:
            outcomes.append(target())
        except Exception as exc:  # the test reports it
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_scans_at_once_record_and_deliver_each_reminder_once(monkeypatch, queued, department, staff, leader):
    category()
    for _n in range(5):
        pairing = PairingFactory()
        IssueFactory(
            enterprise=pairing.enterprise,
            reporter=pairing.cadre,
            flow=Flow.ASSIGNED,
            status=Status.IN_PROGRESS,
            department=department,
            deadline=TODAY - datetime.timedelta(days=8),
        )
    barrier = threading.Barrier(2)
    real_scan = reminders.scan

    def scan_then_meet(*, now):
        found = real_scan(now=now)
        barrier.wait(timeout=30)  # both scans have read; now both write at the same instant
        return found

    monkeypatch.setattr(reminders, "scan", scan_then_meet)
    results = _in_threads(lambda: reminders_send(now=NOW))
    assert not [r for r in results if isinstance(r, Exception)], results

    keys = Reminder.objects.count()
    assert keys == sum(r.total for r in results) > 0  # every key counted by exactly one of the two scans
    assert Reminder.objects.filter(kind=Kind.ISSUE_OVERDUE).count() == 10  # 5 problems × (staff, cadre)
    assert Delivery.objects.count() == keys * 2  # in-app and email, once each

    # Both scans queued the same people; two workers delivering one person at once still write once.
    assert set(queued) == set(Reminder.objects.values_list("recipient_id", flat=True))
    for recipient_id in set(queued):
        _in_threads(lambda rid=recipient_id: reminders_deliver(recipient_id=rid, now=NOW))
    assert Notification.objects.count() == keys
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()

    monkeypatch.setattr(reminders, "scan", real_scan)
    assert reminders_send(now=NOW).total == 0
