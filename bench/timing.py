"""Time pages through Django's test client: the one measuring loop every bench script uses."""

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


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
        with CaptureQueriesContext(connection) as captured:
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
