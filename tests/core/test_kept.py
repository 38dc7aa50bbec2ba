"""Kept figures (core/kept.py): counted once per state of what they depend on, counted again after a touch."""

import datetime

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from core import kept
from core.middleware import KeptVersionsMiddleware
from core.models import FigureVersion

pytestmark = pytest.mark.django_db

OCT, NOV = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"n": self.calls}


def test_kept_until_a_month_it_reads_is_touched():
    count = Counter()
    assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 1}
    assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 1}
    kept.touch("problems", [OCT])  # a month it does not read
    assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 1}
    kept.touch("visits", [NOV])  # a family it does not read
    assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 1}
    kept.touch("problems", [datetime.date(2026, 11, 17)])  # any day of the month names it
    assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 2}
    assert count.calls == 2


def test_every_month_touch_reaches_every_figure_of_the_family():
    count = Counter()
    kept.remember("page", {"problems": [NOV]}, count)
    kept.remember("all-time", {"problems": None}, count)
    kept.touch("problems", None)
    kept.remember("page", {"problems": [NOV]}, count)
    kept.remember("all-time", {"problems": None}, count)
    assert count.calls == 4


def test_all_time_figure_counts_again_after_any_month_changes():
    count = Counter()
    kept.remember("all-time", {"problems": None}, count)
    kept.touch("problems", [OCT])
    kept.remember("all-time", {"problems": None}, count)
    assert count.calls == 2


def test_a_month_read_for_the_first_time_is_no_change_to_an_all_time_figure():
    count = Counter()
    kept.remember("all-time", {"problems": None}, count)
    kept.remember("page", {"problems": [datetime.date(2025, 3, 1)]}, count)  # makes that month's row
    kept.remember("all-time", {"problems": None}, count)
    assert count.calls == 2
    kept.touch("problems", [])  # nothing named, nothing changed
    kept.remember("all-time", {"problems": None}, count)
    assert count.calls == 2


def test_parts_and_day_judged_are_part_of_what_is_kept():
    count = Counter()
    kept.remember("page", {"problems": [NOV]}, count, parts=("unit", 1))
    kept.remember("page", {"problems": [NOV]}, count, parts=("unit", 2))
    kept.remember("page", {"problems": [NOV]}, count, parts=("unit", 2), judged_on=datetime.date(2026, 11, 28))
    kept.remember("page", {"problems": [NOV]}, count, parts=("unit", 2), judged_on=datetime.date(2026, 11, 29))
    assert count.calls == 4


def test_a_database_loaded_again_never_meets_old_figures():
    count = Counter()
    kept.remember("page", {"problems": [NOV]}, count)
    FigureVersion.objects.all().delete()  # as a flush and a new load would
    kept.remember("page", {"problems": [NOV]}, count)
    assert count.calls == 2


def test_a_touch_rolled_back_changes_nothing():
    count = Counter()
    kept.remember("page", {"problems": [NOV]}, count)
    with pytest.raises(RuntimeError), transaction.atomic():
        kept.touch("problems", [NOV])
        raise RuntimeError
    kept.remember("page", {"problems": [NOV]}, count)
    assert count.calls == 1


def test_off_counts_every_time(settings):
    settings.KEPT_SECONDS = 0
    count = Counter()
    kept.remember("page", {"problems": [NOV]}, count)
    kept.remember("page", {"problems": [NOV]}, count)
    assert count.calls == 2


def test_a_kept_read_is_one_query(django_assert_num_queries):
    count = Counter()
    kept.remember("page", {"problems": [OCT, NOV], "visits": None}, count)
    with django_assert_num_queries(1):
        kept.remember("page", {"problems": [OCT, NOV], "visits": None}, count)


def test_months_between():
    assert kept.months_between(datetime.date(2026, 11, 30), datetime.date(2027, 2, 1)) == [
        NOV,
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]
    assert kept.months_between(NOV, OCT) == []


def test_warm_runs_the_registered_warmers_once_per_burst(settings, django_capture_on_commit_callbacks, monkeypatch):
    from core import tasks

    settings.KEPT_WARM = True
    queued = []
    monkeypatch.setattr(tasks.warm_kept, "apply_async", lambda **options: queued.append(options))
    with django_capture_on_commit_callbacks(execute=True):
        kept.touch("problems", [NOV])
    with django_capture_on_commit_callbacks(execute=True):
        kept.touch("problems", [NOV])
    assert len(queued) == 1  # the second change finds one queued already
    settings.KEPT_WARMERS = []
    assert kept.warm() == 0
    with django_capture_on_commit_callbacks(execute=True):
        kept.touch("problems", [NOV])
    assert len(queued) == 2  # after the warm-up ran, a new change queues another


def test_a_block_reads_the_versions_once_for_every_kept_answer(django_assert_num_queries):
    count = Counter()
    kept.remember("page", {"problems": [NOV]}, count)
    kept.remember("streets", {"names": None}, count)
    with kept.reading(), django_assert_num_queries(1):  # every row of the versions, once
        assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 1}
        assert kept.remember("streets", {"names": None}, count) == {"n": 2}
        assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 1}
    assert count.calls == 2


def test_a_block_sees_its_own_touch_at_once():
    count = Counter()
    with kept.reading():
        assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 1}
        kept.touch("problems", [NOV])
        assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 2}
        kept.remember("page", {"problems": [OCT]}, count)  # a month never read: its row is made and remembered
        assert kept.remember("page", {"problems": [OCT]}, count) == {"n": 3}
    assert count.calls == 3


def test_a_touch_before_the_blocks_first_read_is_read_with_the_rest():
    count = Counter()
    kept.remember("page", {"problems": [NOV]}, count)
    kept.remember("other", {"visits": [NOV]}, count)
    with kept.reading():
        kept.touch("problems", [NOV])  # nothing read yet: the first read reads every row, this one included
        assert kept.remember("page", {"problems": [NOV]}, count) == {"n": 3}
        assert kept.remember("other", {"visits": [NOV]}, count) == {"n": 2}  # still kept, read in the same query


def test_every_request_reads_the_versions_once(settings):
    assert "core.middleware.KeptVersionsMiddleware" in settings.MIDDLEWARE
    seen = []

    def view(request):
        seen.append(kept._read_once.get())
        return HttpResponse("ok")

    KeptVersionsMiddleware(view)(HttpRequest())
    assert seen == [{}]  # within the request's block, nothing read until a kept answer is asked for
    assert kept._read_once.get() is None  # and outside one again after


SEP = datetime.date(2026, 9, 1)


def series(months, *, apart=True, parts=()):
    """`kept.by_month` over the months, counting what it misses as the number of times asked: the counted months."""
    found = kept.by_month("series", "problems", months, parts=parts, apart=apart)
    missing = found.missing
    found.keep({month: f"counted {month:%m}" for month in missing})
    return found.values(), missing


def test_each_month_of_a_series_is_kept_under_its_own_months_versions():
    values, missing = series([SEP, OCT, NOV])
    assert missing == [SEP, OCT, NOV] and values == ["counted 09", "counted 10", "counted 11"]
    assert series([SEP, OCT, NOV])[1] == []  # all kept
    kept.touch("problems", [NOV])  # a move this month: November only
    values, missing = series([SEP, OCT, NOV])
    assert missing == [NOV] and values == ["counted 09", "counted 10", "counted 11"]
    kept.touch("problems", None)  # every month
    assert series([SEP, OCT, NOV])[1] == [SEP, OCT, NOV]


def test_a_series_kept_together_counts_every_month_again_after_a_touch_of_one():
    series([SEP, OCT, NOV], apart=False)
    assert series([SEP, OCT, NOV], apart=False)[1] == []
    kept.touch("problems", [NOV])
    assert series([SEP, OCT, NOV], apart=False)[1] == [SEP, OCT, NOV]


def test_a_series_keeps_apart_what_its_parts_name_and_whether_a_month_is_over():
    series([SEP, OCT], parts=("all",))
    assert series([SEP, OCT], parts=("someone",))[1] == [SEP, OCT]
    running = kept.by_month("series", "problems", [SEP, OCT], over=lambda month: False)
    running.keep(dict.fromkeys(running.missing, "while it ran"))
    ended = kept.by_month("series", "problems", [SEP, OCT], over=lambda month: month < OCT)
    assert ended.missing == [SEP]  # September, counted while it ran, is counted again now it is over


def test_a_series_is_read_in_one_query_for_its_versions(django_assert_max_num_queries):
    series([SEP, OCT, NOV])  # the rows made
    with django_assert_max_num_queries(1):
        kept.by_month("series", "problems", [SEP, OCT, NOV])


def test_nothing_of_a_series_is_kept_when_nothing_is(settings, django_assert_num_queries):
    settings.KEPT_SECONDS = 0
    with django_assert_num_queries(0):
        assert series([SEP, OCT])[1] == [SEP, OCT]
    assert series([SEP, OCT])[1] == [SEP, OCT]
