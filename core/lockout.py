"""Login lockout: whose address a request comes from, who is locked out and until when, the unlock.

django-axes counts failed logins (the login page, the admin's, and wrong old passwords on the
password-change form: `core.forms.PortalPasswordChangeForm`) per account and client address
(settings.AXES_LOCKOUT_PARAMETERS). After AXES_FAILURE_LIMIT of them within AXES_COOLOFF_TIME that
account is locked out from that address until the cool-off has passed since the failure that locked
it: tries during the lockout are refused without being counted
(AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so they do not restart the hour.

Axes asks this module for the client's address (AXES_CLIENT_IP_CALLABLE) and for the page it shows
(AXES_LOCKOUT_CALLABLE); the user admin (`core/admin.py`) asks it who is locked out and unlocks.
"""

import datetime
import ipaddress
from http import HTTPStatus

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_address(request: HttpRequest) -> str | None:
    """Return the client's address as the outermost of settings.TRUSTED_PROXIES proxies saw it.

    Each trusted proxy appends the address it was reached from to X-Forwarded-For (nginx's
    `$proxy_add_x_forwarded_for`), after whatever the client sent itself. So only the last
    TRUSTED_PROXIES entries are believed, counted from the right; anything to their left is the
    client's to forge. With no trusted proxy, or a header that did not pass through them all, the
    connection's own address counts (REMOTE_ADDR), whatever the header says.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies: int = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # An empty entry can only be the client's own (a proxy always writes an address): skip it.
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    try:
        # One spelling per address (2001:DB8::1 and 2001:db8::1 are one client).
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def _cool_off() -> datetime.timedelta:
    """Return how long a lockout lasts, and how long a failure counts (settings.AXES_COOLOFF_TIME)."""
    cool_off = get_cool_off()
    if cool_off is None:
        raise ImproperlyConfigured("AXES_COOLOFF_TIME must be set: the portal's lockouts end by themselves.")
    return cool_off


def _locking_attempts(now: datetime.datetime) -> "QuerySet[AccessAttempt]":
    """Failures per account and address within the window, where they reach the limit (one row per pair)."""
    return (
        AccessAttempt.objects.filter(attempt_time__gte=now - _cool_off())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=get_failure_limit(None, None))
    )


def login_locked() -> Exists:
    """An expression true for an account locked out now from some address (to annotate a user queryset)."""
    return Exists(_locking_attempts(timezone.now()).filter(username=OuterRef("username")))


def lockouts(*, username: str) -> dict[str | None, datetime.datetime]:
    """Return each address the account is locked out from now, with the last moment of that lockout.

    Axes keeps one row per account, address and browser, each with its latest counted failure. A
    lockout lasts until enough of its rows have left the window that the rest count fewer than the limit.
    """
    cool_off = _cool_off()
    limit = get_failure_limit(None, None)
    by_address: dict[str | None, list[tuple[datetime.datetime, int]]] = {}
    for address, at, failures in (
        AccessAttempt.objects.filter(username=username, attempt_time__gte=timezone.now() - cool_off)
        .order_by("attempt_time")
        .values_list("ip_address", "attempt_time", "failures_since_start")
    ):
        by_address.setdefault(address, []).append((at, failures))
    ends = {}
    for address, attempts in by_address.items():
        counted = sum(failures for _at, failures in attempts)
        for at, failures in attempts:  # oldest first: the first to leave the window
            if counted < limit:
                break
            counted -= failures
            if counted < limit:
                ends[address] = at + cool_off
    return ends


def unlock(*, usernames: list[str]) -> int:
    """Forget the counted failures of these accounts, from every address; return how many rows went."""
    # One delete for them all, on axes' own table: the portal uses axes' database handler (AXES_HANDLER).
    deleted, _ = AccessAttempt.objects.filter(username__in=usernames).delete()
    return deleted


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The locked-out page (settings.AXES_LOCKOUT_CALLABLE): when to try again, and who can unlock sooner."""
    if credentials is None:
        credentials = getattr(request, "axes_credentials", None)
    username = get_client_username(request, credentials) or ""
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    retry_at = minutes_left = None
    if (ends := lockouts(username=username).get(address)) is not None:
        # The lockout lasts up to and including `ends`: the page names the next whole minute.
        retry_at = (ends + datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
        minutes_left = max(1, round((retry_at - timezone.now()).total_seconds() / 60))
    context = {"retry_at": retry_at, "minutes_left": minutes_left}
    return render(request, "registration/locked_out.html", context, status=HTTPStatus.TOO_MANY_REQUESTS)
