"""Reminders against the broker itself: a real Celery worker on Redis, and Redis unreachable."""

import datetime
import io
import logging
import time
import uuid

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangqiao_portal.celery import app
from core.tasks import ping
from issues.models import Flow, Status
from notifications.models import Delivery, Kind, Notification, Reminder
from notifications.services import reminders_send
from notifications.tasks import scan_reminders
from tests.factories import IssueFactory, category

REAL_BROKER = True  # tests/notifications/conftest.py: do not stub the delivery task here
DAY = datetime.timedelta(days=1)
UNREACHABLE = "redis://127.0.0.1:1/0"


def _use_broker(url: str) -> None:
    app.conf.broker_url = url
    # Celery caches its connection and producer pools; drop them so the next publish dials `url`.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """Point Celery and the cache at a port where no Redis answers."""
    before = app.conf.broker_url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE}}
    _use_broker(UNREACHABLE)
    yield
    _use_broker(before)


def overdue_problem(enterprise, cadre, department, today=None):
    category()  # transactional tests flush what the migrations loaded
    today = today or timezone.localdate()
    return IssueFactory(
        enterprise=enterprise,
        reporter=cadre,
        flow=Flow.ASSIGNED,
        status=Status.IN_PROGRESS,
        department=department,
        responsible_person="张晓明",
        deadline=today - DAY,
        title="用电增容迟迟未办",
    )


@pytest.mark.django_db
def test_with_redis_down_pages_answer_and_the_next_scan_catches_up(
    client, redis_down, caplog, django_capture_on_commit_callbacks, staff, cadre, enterprise, department
):
    issue = overdue_problem(enterprise, cadre, department)
    Notification.objects.create(recipient=staff.user, kind=Kind.ISSUE_OVERDUE, title="旧通知")
    client.force_login(staff.user)
    for url in (reverse("home"), reverse("notifications:list"), reverse("notifications:bell"), f"/issues/{issue.pk}/"):
        assert client.get(url).status_code == 200, url

    # As beat's scan would: record, then queue delivery after commit.
    caplog.set_level(logging.ERROR, logger="notifications.services")
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_send()
    assert result.counts[Kind.ISSUE_OVERDUE] == 2
    assert "Could not queue reminders" in caplog.text
    assert (result.handed_over, result.queued, result.not_queued, result.complete) == (True, 0, 2, False)
    assert Notification.objects.filter(recipient=staff.user).count() == 1  # only the old one
    assert Delivery.objects.filter(sent_at__isnull=True, recipient=staff.user).exists()
    assert client.get(reverse("home")).status_code == 200

    # Later (Redis still down, or a cron-only host): the next scan delivers what was due, once.
    with django_capture_on_commit_callbacks(execute=True):
        again = reminders_send(now=timezone.now() + datetime.timedelta(hours=1), inline=True)
    assert again.total == 0
    assert Notification.objects.filter(recipient=staff.user, kind=Kind.ISSUE_OVERDUE).count() == 2
    assert Notification.objects.filter(recipient=cadre.user, reminder__kind=Kind.ISSUE_OVERDUE).count() == 1
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _drain() -> None:
    """Wait until the worker has run everything queued so far (solo pool, FIFO, prefetch 1)."""
    token = uuid.uuid4().hex
    ping.delay(token)
    assert _wait_for(lambda: cache.get(f"celery-ping:{token}") == "pong"), "the worker never drained the queue"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_due_reminder_arrives_once_through_a_real_worker(staff, cadre, enterprise, department, leader):
    from celery.contrib.testing.worker import start_worker

    assert app.conf.broker_url.startswith("redis://")
    issue = overdue_problem(enterprise, cadre, department, today=timezone.localdate() - 7 * DAY)  # 8 days overdue
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        scan_reminders.delay()
        scan_reminders.delay()  # beat twice, or an admin's extra run: nothing is said twice
        assert _wait_for(
            lambda: Reminder.objects.exists() and not Delivery.objects.filter(sent_at__isnull=True).exists()
        )
        _drain()

    overdue = Notification.objects.filter(reminder__kind=Kind.ISSUE_OVERDUE, reminder__object_id=issue.pk)
    assert sorted(overdue.values_list("recipient_id", flat=True)) == sorted([staff.user_id, cadre.user_id])
    supervise = Notification.objects.filter(reminder__kind=Kind.ISSUE_SUPERVISE)
    assert list(supervise.values_list("recipient_id", flat=True)) == [leader.pk]
    assert Notification.objects.count() == Reminder.objects.count()
    said = [n.text.title for n in staff.user.notifications.all()]
    assert len([title for title in said if title.startswith("已逾期 8 天")]) == 1


@pytest.mark.django_db(transaction=True)  # committed, as a shell run is: the hand-over runs at commit
def test_send_reminders_with_the_broker_down_says_nothing_was_queued_and_exits_non_zero(
    redis_down, staff, cadre, enterprise, department
):
    now = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0))
    overdue_problem(enterprise, cadre, department, today=now.date())
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("send_reminders", "--now", "2026-11-20T09:00", "--enqueue", stdout=out)

    assert failed.value.returncode == 1  # what cron and systemd see
    # Recorded (two overdue, one visit reminder); queued for neither of the two people, and said so.
    assert _("Reminders recorded: %(count)d.") % {"count": 3} in out.getvalue()
    queued = _("Queued for the workers: recipients %(queued)d of %(people)d (earlier scans' pending included).")
    assert queued % {"queued": 0, "people": 2} in out.getvalue()
    not_queued = _(
        "Not queued: recipients %(count)d, the message broker is unreachable. Their reminders are "
        "recorded and stay pending: the next scan queues them again, or run send_reminders without "
        "--enqueue to deliver them here."
    )
    assert str(failed.value) == not_queued % {"count": 2}
    assert Reminder.objects.count() == 3 and not Notification.objects.exists()
    assert Delivery.objects.filter(sent_at__isnull=True).count() == 3 * 2  # in-app and email, pending

    # The catch-up is unchanged: the next run (here delivering in-process) hands over what was left.
    later = io.StringIO()
    call_command("send_reminders", "--now", "2026-11-20T10:05", stdout=later)
    assert _("Reminders recorded: %(count)d.") % {"count": 0} in later.getvalue()
    assert Notification.objects.count() == 3
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()
