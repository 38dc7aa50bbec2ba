"""Time pages through Django's test client: the one measuring loop every bench script uses."""

import datetime
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.querylog import fresh as _fresh


@dataclass(frozen=True)
class Timing:
    median_ms: float
    worst_ms: float
    queries: int
    size: int


def measure(client: Client, url: str, runs: int) -> Timing:
    """Return the median and worst milliseconds, the queries and the bytes of a page, after one warm-up."""
    client.get(url)
    times, size, queries = [], 0, 0
    for _ in range(runs):
        with _fresh(), CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size, queries = len(body), len(captured)
    return Timing(statistics.median(times), max(times), queries, size)


def print_table(pages: Sequence[tuple[str, str, str]], runs: int, digits: int = 1, sizes: bool = False) -> None:
    """Print a Markdown table of (username, url, label) pages, each logged in as its user."""
    print("| page | user | median ms | max ms | queries |" + (" bytes |" if sizes else ""))
    print("| --- | --- | ---: | ---: | ---: |" + (" ---: |" if sizes else ""))
    clients: dict[str, Client] = {}
    for username, url, label in pages:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(get_user_model().objects.get(username=username))
        t = measure(clients[username], url, runs)
        row = f"| {label} `{url}` | {username} | {t.median_ms:.{digits}f} | {t.worst_ms:.{digits}f} | {t.queries} |"
        print(row + (f" {t.size:,} |" if sizes else ""))


def client_ready() -> None:
    """Let the test Client render pages outside the tests: the test environment, its host, plain static files."""
    import warnings

    from django.conf import settings
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Pages render without collectstatic first (the manifest storage would need it), as in the tests.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    # No worker counts the kept figures again after a change here (core/kept.py's warm-up): the bench times what
    # a reader pays, and queues no task for a worker that is not there.
    settings.KEPT_WARM = False
    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise's, for the uncollected STATIC_ROOT


STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"


def prepare(tier: str = "city") -> "datetime.date":
    """Migrate, make the test Client usable, and build the tier (demo/scale.py) into an empty database; return today.

    A database that holds the tier already is reused, so pages can be timed again after a change.
    """
    from django.core.management import call_command
    from django.utils import timezone

    from demo import scale

    call_command("migrate", verbosity=0)
    client_ready()
    if not scale.has_data():
        scale.build(scale.TIERS[tier])
    return timezone.localdate()


def timed(label: str, work) -> None:
    """Print a Markdown row: the median and worst of 3 runs of `work` after a warm-up, and its queries a run."""
    work()  # warm-up
    runs = []
    with _fresh(), CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            started = time.perf_counter()
            work()
            runs.append((time.perf_counter() - started) * 1000)
    print(f"| {label} | {sorted(runs)[1]:.0f} | {max(runs):.0f} | {len(captured) // 3} |")


# Every family of kept figures: touching them all makes every page count again.
from core.kept import FAMILIES  # noqa: E402


def changed() -> None:
    """Say every family of kept figures changed, in every month, in a committed transaction (as a writer does).

    The next read of any page counts its figures again: the first read after a change. Outside the tests the
    connection autocommits, so the new versions are committed when the block ends.
    """
    from core import kept

    with transaction.atomic():
        for family in FAMILIES:
            kept.touch(family, None)


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Runs:
    """A page's runs: milliseconds, queries and bytes of each, or the error that stopped it.

    `times` and `queries` are the kept reads (nothing changed since the page was last read); `cold_times` and
    `cold_queries` the first reads after a change (every family touched just before), when they were timed.
    """

    times: list[float]
    queries: list[int]
    size: int = 0
    error: str = ""
    cold_times: list[float] = field(default_factory=list)
    cold_queries: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        if self.error or not self.times:
            return {"error": self.error or "no runs"}
        median, p95 = _percentiles(self.times)
        found = {
            "median_ms": median,
            "p95_ms": p95,
            "queries": max(self.queries),
            "queries_min": min(self.queries),
            "bytes": self.size,
            "runs": len(self.times),
        }
        if self.cold_times:
            cold_median, cold_p95 = _percentiles(self.cold_times)
            found |= {
                "cold_median_ms": cold_median,
                "cold_p95_ms": cold_p95,
                "cold_queries": max(self.cold_queries),
                "cold_queries_min": min(self.cold_queries),
            }
        return found


def _read(client: Client, url: str) -> tuple[float, int, bytes, int]:
    """One read of a page: its milliseconds, queries, body and status."""
    with _fresh(), CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        took = (time.perf_counter() - started) * 1000
    return took, len(captured), body, response.status_code


def interleaved(pages: Sequence[tuple[str, str]], runs: int, cold: bool = False) -> list[Runs]:
    """Time (username, url) pages round-robin: one warm-up round, then `runs` rounds, each page once a round.

    With `cold`, each page is read twice a round: first right after every family of kept figures is touched
    (`changed`, not timed), so it counts again — the first read after a change — then once more, which reads what
    that count kept. Without it, the one read a round is whatever the page does when read again.

    A page that fails (an exception, or a status other than 200) is recorded as its error and left out of the
    rounds after, so one broken page never stops the rest.
    """
    clients: dict[str, Client] = {}
    results = [Runs([], []) for _ in pages]
    for round_ in range(runs + 1):
        for (username, url), result in zip(pages, results, strict=True):
            if result.error:
                continue
            if not url:
                result.error = "no URL"
                continue
            try:
                if username not in clients:
                    clients[username] = Client(raise_request_exception=True)
                    clients[username].force_login(get_user_model().objects.get(username=username))
                reads = []
                if cold:
                    changed()
                    reads.append(_read(clients[username], url))
                reads.append(_read(clients[username], url))
            except Exception as failed:
                result.error = f"{type(failed).__name__}: {str(failed)[:160]}"
                continue
            status = next((status for *_, status in reads if status != 200), 200)
            if status != 200:
                result.error = f"HTTP {status}"
                continue
            if round_:  # the first round warms up
                if cold:
                    result.cold_times.append(reads[0][0])
                    result.cold_queries.append(reads[0][1])
                result.times.append(reads[-1][0])
                result.queries.append(reads[-1][1])
                result.size = max(len(body) for _, _, body, _ in reads)
    return results


def after_each(username: str, url: str, runs: int, change: Callable[[], None]) -> dict:
    """Time a page read right after `change()` (not timed) each time, after a warm-up: a page read as often as
    something it counts changes. Its median, 95th percentile and queries, or the error that stopped it."""
    try:
        client = Client(raise_request_exception=True)
        client.force_login(get_user_model().objects.get(username=username))
        times, queries = [], []
        for round_ in range(runs + 1):
            change()
            took, count, _, status = _read(client, url)
            if status != 200:
                return {"error": f"HTTP {status}"}
            if round_:
                times.append(took)
                queries.append(count)
    except Exception as failed:
        return {"error": f"{type(failed).__name__}: {str(failed)[:160]}"}
    median, p95 = _percentiles(times)
    return {"median_ms": median, "p95_ms": p95, "queries": max(queries), "runs": runs}
