"""Two identical sends of the enterprise's request form at the same moment, on real PostgreSQL: one problem."""

import time
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from issues.models import Issue
from tests import factories
from tests.at_once import at_once
from voice import services
from voice.models import LinkSubmission

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_identical_request_sends_at_once_raise_one_problem(cadre, enterprise_link, token, monkeypatch):
    data = {"submission": str(uuid.uuid4()), "title": "希望协调招工", "category": factories.category("other").pk}
    url = reverse("voice:request", kwargs={"token": token})
    slow_request = services.issue_request

    def issue_request_after_a_pause(**kwargs):
        # Hold the claimed token a while uncommitted, so the other send certainly meets it.
        time.sleep(0.5)
        return slow_request(**kwargs)

    monkeypatch.setattr(services, "issue_request", issue_request_after_a_pause)
    saids: list[str] = []

    def send() -> None:
        response = Client().post(url, data)
        saids.append(response.status_code == 302 and response["Location"].rsplit("=", 1)[1])

    at_once(send)
    cache.clear()

    assert sorted(saids) == ["again", "raised"]
    assert Issue.objects.count() == 1 and LinkSubmission.objects.count() == 1
