"""The shared demo district (tests/conftest.py) is there for the tests that ask for it, and for no other.

The tests that do not ask for it come first in this file on purpose: conftest runs the
district's tests before every other, so they still run after it has been rolled back.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connection

from enterprises.models import Enterprise
from tests import factories
from tests.shared_district import SharedDistrict


def _no_demo_rows() -> bool:
    return not Enterprise.objects.exists() and not User.objects.filter(username__in=["admin", "ganbu001"]).exists()


@pytest.mark.django_db
def test_a_test_that_does_not_ask_for_the_district_finds_no_enterprises():
    assert SharedDistrict.seeded == SharedDistrict.rolled_back  # seeded earlier in this run, then rolled back
    assert _no_demo_rows()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_finds_no_enterprises_and_no_transaction_left_open():
    assert not connection.in_atomic_block
    assert _no_demo_rows()


@pytest.mark.django_db
def test_the_district_is_there_for_a_test_that_asks_and_its_writes_are_its_own(demo_district):
    assert SharedDistrict.seeded == 1 and SharedDistrict.rolled_back == 0
    assert demo_district.created["enterprises"] == Enterprise.objects.count() == 139
    # Both rolled back with this test's savepoint.
    Enterprise.objects.update(is_active=False)
    factories.EnterpriseFactory(name="西安灞桥测试写入有限公司")


@pytest.mark.django_db
def test_the_next_test_that_asks_sees_the_district_as_seeded_again(demo_district):
    assert Enterprise.objects.active().count() == Enterprise.objects.count() == 139
