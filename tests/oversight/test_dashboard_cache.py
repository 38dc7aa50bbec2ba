"""The dashboard's figures kept for OVERSIGHT_CACHE_SECONDS (issue 16): the same page, fewer queries, and a move
counted at once."""

import datetime

import django.utils.timezone
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issues.models import Action
from issues.payloads import AcceptPayload
from oversight import dashboard as board
from oversight.scope import Scope
from tests import factories
from tests.oversight.test_dashboard import (
    DASHBOARD,
    NOVEMBER,
    Desk,
    assign,
    build_district,
    nov,
    on,
    queries_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def the_20th(monkeypatch) -> datetime.datetime:
    """The hand-built November's clock (tests/oversight/test_dashboard.py): 10:00 on the 20th."""
    moment = on(11, 20)
    monkeypatch.setattr(django.utils.timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def kept(settings):
    settings.OVERSIGHT_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _figures(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index('id="service"') : body.index('id="definitions"')], len(queries)


def test_the_kept_figures_are_the_ones_counted_and_read_in_fewer_queries(client, leader, the_20th, settings):
    build_district(6, leader=leader)
    client.force_login(leader)
    counted, _ = _figures(client)  # the setting off: counted on each request
    settings.OVERSIGHT_CACHE_SECONDS = 300
    cache.clear()
    first, counting = _figures(client)
    again, reading = _figures(client)
    assert first == counted and again == counted
    assert reading < counting and reading <= 12, reading


def test_a_move_is_counted_at_once_whatever_the_cache(client, leader, staff, the_20th, kept):
    build_district(6, leader=leader)
    client.force_login(leader)
    before, _ = _figures(client)
    desk = Desk(leader)
    cadre = factories.PairingFactory().cadre
    issue = desk.report(cadre, assign(staff.department, nov(25)), on(11, 20, 9))
    desk.move(issue, staff.user, Action.ACCEPT, AcceptPayload(), on(11, 20, 9))
    after, _ = _figures(client)
    counted = board.dashboard(leader, Scope(NOVEMBER))
    assert after != before
    assert f'data-figure="reported">{counted.reported.value}<' in after


def test_the_kept_page_runs_as_many_queries_for_more_data(client, leader, the_20th, kept):
    build_district(6, leader=leader)
    client.force_login(leader)
    queries_for(client)  # counted and kept
    small = queries_for(client)
    build_district(40, leader=leader)
    queries_for(client)  # a new version: counted again and kept
    assert queries_for(client) == small
