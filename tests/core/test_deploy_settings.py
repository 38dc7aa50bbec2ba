"""The production switches as a shell sees them: each test runs manage.py in a fresh process."""

import os
import secrets
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # each test starts Django in a subprocess: about a second

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50)[:50],
    "ALLOWED_HOSTS": "portal.example.gov.cn",
}
SWITCHES = (
    "HTTPS", "BEHIND_PROXY", "SECURE_COOKIES", "HSTS_SECONDS", "HSTS_PRELOAD", "HSTS_INCLUDE_SUBDOMAINS",
    "TRUSTED_PROXIES",
)  # fmt: skip
# Set by the browser tests for Playwright's event loop; a deployment never has it (check --deploy says so).
TEST_ONLY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SWITCHES + TEST_ONLY}
    env.update(PRODUCTION, **environment)
    return subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True)


def test_https_passes_the_deploy_check_at_warning_level():
    run = manage("check", "--deploy", "--fail-level", "WARNING", HTTPS="true")
    assert run.returncode == 0, run.stderr


def test_plain_http_is_warned_of():
    run = manage("check", "--deploy", "--fail-level", "WARNING")
    assert run.returncode == 1
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in run.stderr


SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)"
)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "None False False"),
        ({"HTTPS": "true"}, "None True True"),
        ({"HTTPS": "true", "BEHIND_PROXY": "true"}, "('HTTP_X_FORWARDED_PROTO', 'https') True True"),
    ],
)
def test_the_proxy_header_is_trusted_only_behind_a_declared_proxy(environment, expected):
    run = manage("shell", "--no-imports", "-c", SHOW, **environment)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == expected


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "0"),
        ({"BEHIND_PROXY": "true"}, "1"),
        ({"BEHIND_PROXY": "true", "TRUSTED_PROXIES": "2"}, "2"),
        ({"TRUSTED_PROXIES": "1"}, "1"),
    ],
)
def test_the_client_address_is_read_through_the_declared_proxies_only(environment, expected):
    run = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.TRUSTED_PROXIES)", **environment
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == expected


def test_a_negative_number_of_proxies_is_refused():
    run = manage("check", TRUSTED_PROXIES="-1")
    assert run.returncode != 0 and "TRUSTED_PROXIES" in run.stderr
