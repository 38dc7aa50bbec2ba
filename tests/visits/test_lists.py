"""The lists that grow with a city: paged, their query counts the same at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PairingFactory, VisitFactory
from visits.models import Errand
from visits.views import ERRAND_PAGE_SIZE

pytestmark = pytest.mark.django_db


def _errands(n: int, pairing, stage=Errand.Stage.SUBMITTED) -> None:
    Errand.objects.bulk_create(
        Errand(
            pairing=pairing,
            matter=f"代办事项{i}",
            approving_department="行政审批局",
            stage=stage,
            result="已办结" if stage == Errand.Stage.DELIVERED else "",
        )
        for i in range(n)
    )


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # warm-up: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("tab", ["open", "done"])
@pytest.mark.parametrize("persona", ["cadre", "leader"])
def test_the_errand_list_runs_as_many_queries_for_a_citys_errands_as_for_a_districts(
    client, request, cadre, persona, tab
):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    mine = cadre.pairings.get()
    _errands(2, mine)
    _errands(2, mine, Errand.Stage.DELIVERED)
    small = _queries(client, reverse("visits:errand_list"), {"tab": tab})
    _errands(ERRAND_PAGE_SIZE * 2, mine)
    _errands(ERRAND_PAGE_SIZE * 2, mine, Errand.Stage.DELIVERED)
    _errands(ERRAND_PAGE_SIZE, PairingFactory())
    assert _queries(client, reverse("visits:errand_list"), {"tab": tab}) == small <= 12
    assert _queries(client, reverse("visits:errand_list"), {"tab": tab, "page": 2}) == small


def test_the_errand_list_pages_each_tab_and_counts_only_the_cadres_own(client, cadre):
    _errands(ERRAND_PAGE_SIZE + 1, cadre.pairings.get())
    _errands(3, cadre.pairings.get(), Errand.Stage.DELIVERED)
    _errands(4, PairingFactory())  # another cadre's
    client.force_login(cadre.user)
    response = client.get(reverse("visits:errand_list"))
    assert [(t.key, t.count) for t in response.context["tabs"]] == [("open", ERRAND_PAGE_SIZE + 1), ("done", 3)]
    assert len(response.context["page"]) == ERRAND_PAGE_SIZE
    assert "?tab=open&amp;page=2" in response.content.decode()
    assert len(client.get(reverse("visits:errand_list"), {"tab": "open", "page": 2}).context["page"]) == 1
    assert len(client.get(reverse("visits:errand_list"), {"tab": "done"}).context["page"]) == 3


def test_the_errand_list_lists_the_longest_untouched_first(client, cadre):
    _errands(3, cadre.pairings.get())
    client.force_login(cadre.user)
    shown = list(client.get(reverse("visits:errand_list")).context["page"])
    assert shown == sorted(shown, key=lambda e: (e.moved_at, e.pk))


def test_the_errand_list_answers_404_for_a_tab_it_does_not_have(client, cadre):
    client.force_login(cadre.user)
    assert client.get(reverse("visits:errand_list"), {"tab": "all"}).status_code == 404


@pytest.mark.parametrize("persona", ["cadre", "leader"])
def test_the_visit_list_is_paged_and_runs_as_many_queries_for_more_visits(client, request, settings, cadre, persona):
    settings.KEPT_SECONDS = 0  # counted every time (tests/visits/test_kept_figures.py reads the kept count)
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    VisitFactory.create_batch(2, pairing=cadre.pairings.get())
    small = _queries(client, reverse("visits:visit_list"))
    VisitFactory.create_batch(30, pairing=cadre.pairings.get())
    VisitFactory.create_batch(5)
    assert _queries(client, reverse("visits:visit_list")) == small <= 12
    assert len(client.get(reverse("visits:visit_list")).context["page"]) == 25
