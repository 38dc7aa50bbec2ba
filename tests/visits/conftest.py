"""Fixtures the visits tests share."""

import datetime
import zoneinfo

import django.utils.timezone
import pytest

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def the_27th(monkeypatch) -> datetime.date:
    """Stop the portal's clock at 10:00 on 27 November 2026 in Xi'an, and return that date.

    Every view reads the day through django.utils.timezone (localdate → localtime → now), so
    this freezes the day for all of them, as time-machine would, without the dependency.
    """
    moment = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr(django.utils.timezone, "now", lambda: moment)
    assert django.utils.timezone.localdate() == moment.date()
    return moment.date()
