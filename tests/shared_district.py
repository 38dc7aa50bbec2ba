"""The demo district, seeded once per test session for the tests that only read it.

Seeding the district takes about a second, and many tests read the same one. It is
seeded inside an outer transaction that nothing commits: each test that asks for it
still runs in its own savepoint (pytest-django's `db`), so what the test writes is
rolled back, and the district itself is rolled back right after the last test that
asked for it. tests/conftest.py runs those tests first and one after another, so no
other test sees a demo row, and transactional and browser tests, which flush the
database and talk to it from other threads, never run while the transaction is open.
The files the district uploads (supervision's photos) go to a folder of its own, removed with it.
"""

import datetime
import shutil
import tempfile
from dataclasses import dataclass

from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

FIXTURE = "demo_district"
# Fixtures that make a test transactional (pytest-django's names): such a test commits and flushes.
TRANSACTIONAL_FIXTURES = frozenset({"transactional_db", "live_server", "django_db_reset_sequences"})


@dataclass(frozen=True)
class DemoDistrict:
    """The seeded district: the day it was seeded for, and what seed_demo created."""

    today: datetime.date
    created: dict[str, int]


def uses_district(item) -> bool:
    """Return whether a collected test asks for the shared district."""
    return FIXTURE in getattr(item, "fixturenames", ())


def is_transactional(item) -> bool:
    """Return whether a collected test runs outside a rolled-back transaction (pytest-django's rule)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        flags = {**dict(zip(("transaction", "reset_sequences"), marker.args, strict=False)), **marker.kwargs}
        if flags.get("transaction") or flags.get("reset_sequences"):
            return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


class SharedDistrict:
    """The district in its outer transaction: opened once, rolled back once."""

    # Kept across instances for tests/demo/test_shared_district.py: what this session did.
    seeded = 0
    rolled_back = 0

    def __init__(self, django_db_blocker) -> None:
        self._blocker = django_db_blocker
        self._atomic: transaction.Atomic | None = None
        self._media: override_settings | None = None
        self.district: DemoDistrict | None = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self) -> DemoDistrict:
        """Begin the outer transaction and seed the district in it."""
        assert not self.is_open
        with self._blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            self._atomic = atomic
            # Held while the district lives, so its files can be read back; the folder goes with the rollback.
            self._media = override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="demo-district-media-"))
            self._media.enable()
            # The hasher the tests use (tests/conftest.py), so demo logins check as fast there.
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                from demo.seed import seed_demo

                # The real today, as `make run` seeds it: seed_demo dates some rows by the clock.
                today = timezone.localdate()
                self.district = DemoDistrict(today=today, created=seed_demo(today=today).created)
        SharedDistrict.seeded += 1
        return self.district

    def close(self) -> None:
        """Roll the district back; a second call does nothing."""
        if self._atomic is None:
            return
        atomic, self._atomic, self.district = self._atomic, None, None
        with self._blocker.unblock():
            # Nothing a test opened may be left above it, or the rollback would hit the wrong block.
            assert connection.atomic_blocks == [atomic], connection.atomic_blocks
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        if self._media is not None:
            media, self._media = self._media, None
            folder = media.options["MEDIA_ROOT"]
            media.disable()
            shutil.rmtree(folder, ignore_errors=True)
        SharedDistrict.rolled_back += 1
