"""PostgreSQL restarts, or is down a while, under a running portal (issue 11).

Each web worker keeps its database connection between requests (CONN_MAX_AGE). When PostgreSQL
restarts, every kept connection is dead, and without CONN_HEALTH_CHECKS the first request each
worker serves afterwards uses it and fails with a 500. These tests restart a PostgreSQL cluster they
own (tests/pgcluster.py: never the machine's own server) under gunicorn with two sync workers, as
in production (tests/live_portal.py), and look at every answer.
"""

import datetime
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_portal import Answer, PortalServer, Visitor, manage, manage_started, production_env
from tests.pgcluster import PostgresCluster

pytestmark = [pytest.mark.slow, pytest.mark.pg_cluster]

DATABASE = "portal"
WORKERS = 2
# A cadre paired with an enterprise, made by the factories in the portal's own database (a few
# seconds less than the whole demo district): the real login form and role checks then apply.
CADRE, PASSWORD = "alice", "secret-pass-123"  # tests/factories.py's password
MAKE_CADRE = (
    "from tests import factories; "
    f"cadre = factories.CadreFactory(user__username={CADRE!r}, name='王建国'); "
    "factories.PairingFactory(cadre=cadre, enterprise=factories.EnterpriseFactory(name='西安灞河精密机械有限公司'))"
)
# Pages that read the database on every request (the session, then the cadre's own rows).
PAGES = ("/", "/cadres/mine/", "/cadres/visits/", "/notifications/")
# Requests in flight at once: more than the workers, so that every worker takes some.
IN_FLIGHT = 2 * WORKERS
AFTER_RESTART = 4 * WORKERS  # the least number of pages asked for after the restart
PORTAL_ERROR = 'id="portal-error"'
NOT_SAVED = "您填写的内容未保存，请重试。"


@dataclass(frozen=True)
class OwnedDatabase:
    """The module's own cluster and the folder for the portal's files (static, media, logs)."""

    cluster: PostgresCluster
    folder: Path

    def env(self, application_name: str = "setup", **overrides: str) -> dict[str, str]:
        # Each portal's connections carry a name of their own, so a test counts its workers' alone.
        url = f"{self.cluster.url(DATABASE)}?application_name={application_name}"
        return production_env(url, self.folder, CONN_MAX_AGE="600", **overrides)


@dataclass(frozen=True)
class Served:
    """A running portal on the owned cluster, and the cadre logged in to it."""

    server: PortalServer
    cluster: PostgresCluster
    visitor: Visitor
    name: str

    def pages(self, requests: int) -> list[tuple[str, Answer]]:
        """Ask for `requests` pages, IN_FLIGHT at a time; return each path with its answer."""
        paths = [PAGES[i % len(PAGES)] for i in range(requests)]
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            return list(zip(paths, pool.map(self.visitor.get, paths), strict=True))

    def pages_until_every_worker_is_connected(self, at_least: int) -> list[tuple[str, Answer]]:
        """Ask for at least `at_least` pages, and more until every worker holds a database connection.

        A sync worker holds one connection at most, and gunicorn's master none: WORKERS connections
        under this portal's name mean every worker has served a page that reached the database.
        """
        answers = self.pages(at_least)
        for _ in range(10):
            if self.cluster.connections(self.name) == WORKERS:
                return answers
            answers += self.pages(IN_FLIGHT)
        pytest.fail(f"the {WORKERS} workers never all connected: {self.cluster.connections(self.name)}")

    def health(self) -> Answer:
        return Visitor(self.server.base_url).get("/health/")  # as the load balancer asks: no session

    def restart_postgresql(self) -> list[tuple[str, Answer]]:
        """Restart PostgreSQL under the connected workers; return the pages asked for afterwards."""
        assert set(_statuses(self.pages_until_every_worker_is_connected(IN_FLIGHT))) == {200}
        self.cluster.restart()
        assert self.cluster.connections(self.name) == 0  # each worker's kept connection is dead now
        return self.pages_until_every_worker_is_connected(AFTER_RESTART)


@pytest.fixture(scope="module")
def _owned(tmp_path_factory) -> Iterator[OwnedDatabase]:
    """A cluster of this module's own, migrated, with a cadre and the static files collected."""
    folder = tmp_path_factory.mktemp("portal")
    with PostgresCluster.create() as cluster:
        owned = OwnedDatabase(cluster, folder)
        collected = manage_started(owned.env(), "collectstatic", "--noinput", "-v0")  # needs no database
        cluster.start()
        cluster.createdb(DATABASE)
        manage(owned.env(), "migrate", "--noinput", "-v0")
        manage(owned.env(), "shell", "--no-imports", "-c", MAKE_CADRE)
        collected()
        yield owned


@pytest.fixture
def owned(_owned) -> OwnedDatabase:
    """The module's cluster, running (a test that stopped it and then failed may have left it down)."""
    if not _owned.cluster.is_ready():
        _owned.cluster.start()
    return _owned


@contextmanager
def _served(owned: OwnedDatabase, **env: str) -> Iterator[Served]:
    name = f"bangqiao-{secrets.token_hex(4)}"
    with PortalServer(owned.env(name, **env), owned.folder, workers=WORKERS) as server:
        visitor = Visitor(server.base_url)
        visitor.log_in(CADRE, PASSWORD)
        yield Served(server, owned.cluster, visitor, name)


@pytest.fixture(scope="module")
def _portal(_owned) -> Iterator[Served]:
    with _served(_owned) as served:
        yield served


@pytest.fixture
def portal(owned, _portal) -> Served:
    """The portal as deployed (CONN_HEALTH_CHECKS on), shared by this module's tests: it boots in seconds."""
    return _portal


def _statuses(answers: list[tuple[str, Answer]]) -> list[int]:
    return [answer.status for _path, answer in answers]


def test_no_request_fails_after_postgresql_restarts(portal):
    after = portal.restart_postgresql()
    assert len(after) >= AFTER_RESTART
    assert [(path, answer.status) for path, answer in after if answer.status != 200] == []
    health = portal.health()
    assert health.status == 200
    assert health.json()["database"] == "ok"


def test_without_health_checks_the_first_request_on_each_worker_fails(owned):
    # What the issue reported, shown by the same drill: the check is what prevents it.
    with _served(owned, CONN_HEALTH_CHECKS="false") as portal:
        after = portal.restart_postgresql()
        health = portal.health()
    failed = [answer for _path, answer in after if answer.status != 200]
    # Each worker's first page after the restart used its dead connection; after the error Django
    # closes it, and the worker's next page connects afresh. Every worker served both (above).
    assert len(failed) == WORKERS, _statuses(after)
    assert {answer.status for answer in failed} == {500}
    assert all(PORTAL_ERROR in answer.body for answer in failed)
    assert health.status == 200


def test_while_postgresql_is_down_users_get_the_portals_500_page_and_health_answers_503(portal):
    portal.pages_until_every_worker_is_connected(IN_FLIGHT)
    token = portal.visitor.form_token("/cadres/visits/new/")
    typed = {
        "csrfmiddlewaretoken": token,
        "visited_on": datetime.date.today().isoformat(),
        "summary": "企业反映用电增容审批较慢，已记录。",
    }

    portal.cluster.stop()
    try:
        sent = [portal.visitor.post("/cadres/visits/new/", typed) for _ in range(WORKERS)]
        pages = [answer for _path, answer in portal.pages(2 * WORKERS)]
        health = portal.health()
    finally:
        portal.cluster.start()

    for answer in sent + pages:
        assert answer.status in (500, 503)
        assert PORTAL_ERROR in answer.body, answer.body[:300]  # the portal's page, not "Server Error (500)"
        assert NOT_SAVED in answer.body  # in Chinese: what the user typed was not saved
        assert 'lang="zh-hans"' in answer.body
    assert health.status == 503
    assert health.content_type == "application/json"
    assert health.json() == {"status": "unavailable", "database": "unavailable", "redis": "not configured"}

    # PostgreSQL is back: the same login carries on, and no page fails.
    assert set(_statuses(portal.pages_until_every_worker_is_connected(AFTER_RESTART))) == {200}
    assert portal.health().status == 200
