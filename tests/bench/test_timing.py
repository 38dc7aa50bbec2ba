"""bench/timing.py: a page's first read after a change (every family of kept figures touched) and its kept read."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import timing
from core import kept
from core.models import FigureVersion

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"n": self.calls}


def tokens() -> dict[str, str]:
    rows = FigureVersion.objects.filter(month=kept.EVERY_MONTH).values_list("family", "token")
    return dict(rows)


def test_a_change_makes_every_family_s_kept_figures_count_again():
    count = Counter()
    depends = {family: [NOV] for family in timing.FAMILIES}
    for family in timing.FAMILIES:
        kept.remember(f"page reading {family}", {family: [NOV]}, count)
    kept.remember("page reading them all", depends, count)
    kept.remember("page reading them all", depends, count)
    assert count.calls == len(timing.FAMILIES) + 1

    timing.changed()

    for family in timing.FAMILIES:
        assert kept.remember(f"page reading {family}", {family: [NOV]}, count)["n"] == count.calls
    assert kept.remember("page reading them all", depends, count) == {"n": count.calls}
    assert count.calls == 2 * (len(timing.FAMILIES) + 1)


def test_each_round_reads_the_page_after_a_change_then_kept(cadre):
    url = reverse("notifications:list")
    client = Client()
    client.force_login(cadre.user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    before = tokens()

    (runs,) = timing.interleaved([(cadre.user.username, url)], runs=3, cold=True)

    assert runs.error == "" and len(runs.times) == len(runs.cold_times) == 3
    after = tokens()
    assert set(after) == set(timing.FAMILIES)
    assert all(after[family] != before.get(family) for family in timing.FAMILIES)
    summary = runs.summary()
    # This page keeps nothing: both reads make the page's own queries.
    assert summary["queries"] == summary["cold_queries"] == len(captured)
    assert summary["runs"] == 3 and summary["cold_median_ms"] > 0 and summary["bytes"] > 0


def test_without_cold_only_the_kept_read_is_timed_and_nothing_is_touched(cadre):
    before = tokens()

    (runs,) = timing.interleaved([(cadre.user.username, reverse("notifications:list"))], runs=2)

    assert len(runs.times) == 2 and runs.cold_times == []
    assert "cold_median_ms" not in runs.summary()
    assert tokens() == before


def test_a_page_read_after_each_change(cadre):
    changes = []

    found = timing.after_each(cadre.user.username, reverse("notifications:list"), 4, lambda: changes.append(1))

    assert len(changes) == 5  # the warm-up's and each timed read's
    assert found["runs"] == 4 and found["median_ms"] <= found["p95_ms"] and found["queries"] > 0


def test_a_failing_page_is_its_error(cadre):
    (runs,) = timing.interleaved([(cadre.user.username, "/no-such-page/")], runs=2, cold=True)
    assert runs.summary() == {"error": "HTTP 404"}
    assert timing.after_each(cadre.user.username, "/no-such-page/", 2, lambda: None) == {"error": "HTTP 404"}
