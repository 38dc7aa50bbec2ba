"""Writers in bulk send no signal, so they touch the families themselves: the stress set of demo/scale.py, written
and dropped by raw SQL, shows at once in the problems' kept figures."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from core.months import Month
from core.periods import Period
from demo import scale
from issues import measures
from issues.models import Issue
from tests import factories
from tests.kept.conftest import Kept

pytestmark = pytest.mark.django_db


def test_the_stress_set_written_and_dropped_shows_at_once(cadre, department):
    if connection.vendor != "postgresql":
        pytest.skip("the stress set is built on PostgreSQL only")
    factories.UserFactory(username=scale.LEAD)

    # The stress problems are reported 20 days ago: that month's figures.
    month = Month.of(timezone.localdate() - datetime.timedelta(days=20))

    def count():
        return measures.counts(Issue.objects.all(), measures.Window.of(Period.month(month)), ["reported"])

    page = Kept("stress", {"problems": [month.first]}, count)
    before = page.read()
    scale.build_stress(open_problems=4, due_share=0.5)
    built = page.read()
    assert built == count() != before
    assert built["reported"] == before["reported"] + 4
    assert scale.drop_stress() == 4
    assert page.read() == count() == before
    assert page.counted == 3
