"""Run the same action in several threads at the same moment, each on its own database connection.

For the tests on real PostgreSQL that two requests or two services racing each other leave one right answer:
every thread waits at a barrier, then acts; its connection is closed after, and whatever it raised is raised
again here, in the test's thread, once all have finished.
"""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(action: Callable[[], object], times: int = 2, timeout: float = 30) -> None:
    barrier = threading.Barrier(times)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:  # raised again below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if failures:
        raise failures[0]
