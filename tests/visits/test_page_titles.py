"""Each visit's and errand's page has a title of its own, its number first, so a phone's tabs tell them apart."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import VisitFactory
from visits.services import errand_open

pytestmark = pytest.mark.django_db


def _title(client, url: str) -> str:
    client.cookies["django_language"] = "en"
    return re.search(r"<title>(.*?)</title>", client.get(url).content.decode(), re.S).group(1)


def test_two_visits_on_the_same_day_have_distinct_titles(client, cadre, enterprise):
    pairing = cadre.pairings.get()
    first, second = (VisitFactory(pairing=pairing, visited_on=timezone.localdate()) for _ in range(2))
    client.force_login(cadre.user)
    day = timezone.localdate().isoformat()
    for visit in (first, second):
        title = _title(client, reverse("visits:visit_detail", args=[visit.pk]))
        assert title.startswith(f"Visit #{visit.pk} · {day} · {enterprise.name} · ")


def test_two_errands_for_the_same_matter_have_distinct_titles(client, cadre):
    errands = [
        errand_open(
            actor=cadre.user,
            pairing=cadre.pairings.get(),
            matter="施工许可",
            approving_department="区住建局",
            mode="agent",
            on=timezone.localdate(),
        )
        for _ in range(2)
    ]
    client.force_login(cadre.user)
    for errand in errands:
        assert _title(client, reverse("visits:errand_detail", args=[errand.pk])).startswith(
            f"Errand #{errand.pk} · 施工许可 · "
        )
