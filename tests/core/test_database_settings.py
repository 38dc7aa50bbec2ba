from django.conf import settings


def test_kept_connections_are_checked_before_a_request_reuses_them():
    # Without it, the first request on each web worker after PostgreSQL restarts is a 500.
    db = settings.DATABASES["default"]
    assert db["CONN_HEALTH_CHECKS"] is True
