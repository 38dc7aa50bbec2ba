"""The enterprise's link in tests: its token, a clean rate-limit count for each test."""

import pytest
from django.core.cache import cache

from enterprises.links import token_for


@pytest.fixture(autouse=True)
def _fresh_counts():
    """The rate limits count in the cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(enterprise_link):
    return token_for(enterprise_link)


@pytest.fixture
def other_link(other_enterprise):
    from enterprises.links import link_issue

    return link_issue(enterprise=other_enterprise, actor=None)
