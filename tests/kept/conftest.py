"""What the tests of the touches share: a kept figure read through `kept.remember`, counting how often it counts."""

import datetime

import pytest
from django.utils import timezone

from core import kept
from core.months import Month
from core.periods import Period


class Kept:
    """A kept figure: `read()` gives what `kept.remember` keeps; `counted` how many times it really counted."""

    def __init__(self, name, depends, count, judged_on=None):
        self.name, self.depends, self.count, self.judged_on = name, depends, count, judged_on
        self.counted = 0

    def _count(self):
        self.counted += 1
        return self.count()

    def read(self):
        return kept.remember(self.name, self.depends, self._count, judged_on=self.judged_on)


@pytest.fixture
def this_month() -> Month:
    return Month.of(timezone.localdate())


@pytest.fixture
def last_month(this_month) -> Month:
    return Month.of(this_month.first - datetime.timedelta(days=1))


def period(month: Month) -> Period:
    return Period.month(month)
