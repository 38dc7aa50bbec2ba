"""A move's hand-over against the broker itself: a real worker on Redis, and Redis unreachable."""

import logging
import time

import pytest
from django.core import mail
from django.urls import reverse

from bangqiao_portal.celery import app
from issues.models import Action, Status
from issues.payloads import ResolvePayload
from issues.services import issue_transition
from notifications.models import Delivery, Kind, Notification
from notifications.services import reminders_send
from tests.factories import category, issue_in
from tests.notifications.test_broker import _drain, _wait_for
from tests.notifications.test_broker import redis_down as redis_down  # a fixture, used by name
from tests.submissions import with_token

REAL_BROKER = True  # tests/conftest.py: do not stub the delivery task here


@pytest.mark.django_db
def test_with_redis_down_a_move_still_commits_rings_the_bell_and_the_email_waits_for_the_scan(
    client, redis_down, caplog, django_capture_on_commit_callbacks, staff, cadre, enterprise, department
):
    cadre.user.email = "alice@bangqiao.local"
    cadre.user.save()
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=enterprise, reporter=cadre)
    caplog.set_level(logging.ERROR, logger="notifications.services")
    client.force_login(staff.user)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("issues:act", args=[issue.pk, Action.RESOLVE]),
            with_token({"resolve-version": issue.version, "resolve-note": "已协调供电公司增容"}),
        )
    assert response.status_code == 302 and time.monotonic() - started < 5
    issue.refresh_from_db()
    assert issue.status == Status.RESOLVED
    assert "Could not queue reminders" in caplog.text
    assert Notification.objects.filter(recipient=cadre.user, kind=Kind.ISSUE_HANDED_OVER).count() == 1
    assert Delivery.objects.filter(recipient=cadre.user, channel="email", sent_at__isnull=True).count() == 1
    assert mail.outbox == []

    # The next scan (beat, or send_reminders on a cron-only host) delivers the email, once.
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(inline=True)
    assert len(mail.outbox) == 1 and issue.title in mail.outbox[0].body  # with whatever else was due then
    assert Notification.objects.filter(recipient=cadre.user, kind=Kind.ISSUE_HANDED_OVER).count() == 1
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_hand_over_reaches_the_cadre_once_through_a_real_worker(staff, cadre, enterprise, department):
    from celery.contrib.testing.worker import start_worker

    assert app.conf.broker_url.startswith("redis://")
    category()  # transactional tests flush what the migrations loaded
    cadre.user.email = "alice@bangqiao.local"
    cadre.user.save()
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=enterprise, reporter=cadre)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        issue_transition(
            issue_id=issue.pk, actor=staff.user, action=Action.RESOLVE, version=0, payload=ResolvePayload(note="已办结")
        )
        assert _wait_for(lambda: not Delivery.objects.filter(sent_at__isnull=True).exists())
        _drain()
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [(cadre.user_id, Kind.ISSUE_HANDED_OVER)]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@bangqiao.local"]
