"""Login lockout: counted per account and client address, an hour from the lockout, the office unlocks.

django-axes counts failed logins; `core/lockout.py` tells it the client's address (through
TRUSTED_PROXIES), renders the locked-out page and unlocks. Every test logs in through the login page,
as a browser does, from an address given as the proxy or the network would give it.
"""

import datetime

import axes.handlers.proxy
import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
NGINX = "127.0.0.1"  # every request reaches gunicorn from the proxy on the same machine
ATTACKER, VICTIM = "198.51.100.66", "198.51.100.10"


def log_in(client, username: str, password: str = PASSWORD, *, remote: str = NGINX, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=remote, headers=headers)


def fail_until_locked(client, settings, username: str, **address) -> None:
    """Send wrong passwords until the lockout; the last one answers with the locked-out page."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, username, "wrong-password", **address).status_code == 200
    assert log_in(client, username, "wrong-password", **address).status_code == 429


def is_logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


@pytest.fixture
def account(db):
    """An ordinary account the campaign office looks after: a cadre's."""
    return UserFactory(username="kim", first_name="金晓", roles=[Role.CADRE])


class Clock:
    """Django's clock and django-axes' own, moved forward by hand."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(second=0, microsecond=0)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)  # the attempts' auto_now_add, the portal's own code
    monkeypatch.setattr(axes.handlers.proxy, "now", clock)  # axes' request.axes_attempt_time
    return clock


# --- 1. The client's address, through the trusted proxies -----------------------------------------


def test_behind_the_proxy_locking_one_client_out_leaves_another_alone(client, settings, account):
    settings.TRUSTED_PROXIES = 1
    fail_until_locked(client, settings, "kim", forwarded=ATTACKER)
    # kim, on her own computer behind the same nginx, still logs in.
    assert is_logged_in(log_in(client, "kim", forwarded=VICTIM))


def test_behind_the_proxy_a_forged_header_does_not_dodge_the_lockout(client, settings, account):
    """nginx appends the address it saw to whatever the client sent: only that last entry is believed."""
    settings.TRUSTED_PROXIES = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "kim", "wrong-password", forwarded=f"10.0.0.{n}, {ATTACKER}")
    response = log_in(client, "kim", forwarded=f"10.0.0.99, {ATTACKER}")
    assert response.status_code == 429 and not response.wsgi_request.user.is_authenticated


def test_without_a_trusted_proxy_a_forged_header_does_not_dodge_the_lockout(client, settings, account):
    settings.TRUSTED_PROXIES = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "kim", "wrong-password", remote=ATTACKER, forwarded=f"10.0.0.{n}")
    assert log_in(client, "kim", remote=ATTACKER, forwarded="10.0.0.99").status_code == 429


def test_without_a_trusted_proxy_a_forged_header_locks_nobody_else_out(client, settings, account):
    settings.TRUSTED_PROXIES = 0
    fail_until_locked(client, settings, "kim", remote=ATTACKER, forwarded=VICTIM)
    assert is_logged_in(log_in(client, "kim", remote=VICTIM))


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "counted"),
    [
        (0, "192.0.2.1", "198.51.100.1", "192.0.2.1"),
        (1, NGINX, "198.51.100.1", "198.51.100.1"),
        (1, NGINX, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (1, NGINX, "6.6.6.6,, 198.51.100.1", "198.51.100.1"),
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.1", "198.51.100.1"),
        (1, NGINX, "2001:DB8::1", "2001:db8::1"),  # one address, one spelling
        # Not through every trusted proxy, or not an address: the connection's own address.
        (1, NGINX, None, NGINX),
        (2, NGINX, "198.51.100.1", NGINX),
        (1, NGINX, "6.6.6.6, unknown", NGINX),
        (1, NGINX, "6.6.6.6, 1.2.3.4:80", NGINX),
    ],
)
def test_the_address_counted_is_the_one_the_outermost_trusted_proxy_saw(
    client, settings, account, proxies, remote, forwarded, counted
):
    settings.TRUSTED_PROXIES = proxies
    log_in(client, "kim", "wrong-password", remote=remote, forwarded=forwarded)
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("kim", counted)]


# --- 2. The cool-off, and the page that says when ---------------------------------------------------


def test_the_cool_off_runs_from_the_lockout_however_often_one_tries_again(client, settings, account, clock):
    fail_until_locked(client, settings, "kim")
    for minutes in (20, 20, 19):  # tries at 20, 40 and 59 minutes after the lockout, all refused
        clock.advance(minutes=minutes)
        assert log_in(client, "kim", "wrong-password").status_code == 429
    clock.advance(minutes=1)
    assert log_in(client, "kim").status_code == 429  # the right password too, until the hour is up
    clock.advance(seconds=1)
    assert is_logged_in(log_in(client, "kim"))


def test_failures_during_the_lockout_are_not_counted(client, settings, account):
    fail_until_locked(client, settings, "kim")
    log_in(client, "kim", "wrong-password")
    log_in(client, "kim")
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT


def test_the_locked_out_page_says_when_to_try_again_and_whom_to_ask(client, settings, account, clock):
    fail_until_locked(client, settings, "kim")
    locked_at = clock.now
    clock.advance(minutes=25)
    response = log_in(client, "kim")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    # An hour after the failure that locked it, rounded up to the next minute, when a try will pass.
    assert response.context["retry_at"] == locked_at + datetime.timedelta(hours=1, minutes=1)
    assert response.context["minutes_left"] == 36
    page = response.content.decode()
    assert timezone.localtime(response.context["retry_at"]).strftime("%H:%M") in page
    assert 'lang="zh-hans"' in page and reverse("login") in page


# --- 3. The campaign office unlocks its accounts ---------------------------------------------------


def _lock_out(settings, username: str, remote: str = ATTACKER) -> None:
    fail_until_locked(Client(), settings, username, remote=remote)


def _changelist(client):
    return client.get(reverse("admin:auth_user_changelist"))


def _locked_in_list(response) -> set[str]:
    return {user.username for user in response.context["cl"].result_list if user.login_locked}


def test_the_clerk_sees_which_accounts_are_locked_out(client, settings, clerk, account):
    UserFactory(username="lee", roles=[Role.CADRE])
    _lock_out(settings, "kim")
    client.force_login(clerk)
    response = _changelist(client)
    assert _locked_in_list(response) == {"kim"}
    assert "column-login_locked" in response.content.decode()


def test_the_user_list_asks_the_same_number_of_queries_however_many_are_locked(client, settings, clerk, account):
    _lock_out(settings, "kim")
    client.force_login(clerk)
    _changelist(client)  # the content types, cached after the first page
    with CaptureQueriesContext(connection) as one_locked:
        assert len(_locked_in_list(_changelist(client))) == 1
    for n in range(3):
        UserFactory(username=f"locked{n}", roles=[Role.CADRE])
        _lock_out(settings, f"locked{n}", remote=f"198.51.100.{n}")
    with CaptureQueriesContext(connection) as four_locked:
        assert len(_locked_in_list(_changelist(client))) == 4
    assert len(four_locked.captured_queries) == len(one_locked.captured_queries)


def test_the_clerk_unlocks_accounts_from_the_user_list(client, settings, clerk, account):
    _lock_out(settings, "kim")
    client.force_login(clerk)
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "unlock_logins", "_selected_action": [account.pk]}
    )
    assert response.status_code == 302
    assert _locked_in_list(_changelist(client)) == set()
    assert LogEntry.objects.filter(user=clerk, object_id=str(account.pk)).exists()
    assert is_logged_in(log_in(client, "kim", remote=ATTACKER))


def test_the_clerk_unlocks_an_account_from_its_page(client, settings, clerk, account):
    _lock_out(settings, "kim")
    client.force_login(clerk)
    unlock = reverse("admin:auth_user_unlock", args=[account.pk])
    page = client.get(reverse("admin:auth_user_change", args=[account.pk]))
    assert page.context["login_locked_until"] is not None and unlock in page.content.decode()
    response = client.post(unlock)
    assert response.status_code == 302 and response["Location"] == reverse("admin:auth_user_change", args=[account.pk])
    assert client.get(reverse("admin:auth_user_change", args=[account.pk])).context["login_locked_until"] is None
    assert LogEntry.objects.filter(user=clerk, object_id=str(account.pk)).exists()
    assert is_logged_in(log_in(client, "kim", remote=ATTACKER))


def test_an_account_that_is_not_locked_shows_no_unlock_button(client, clerk, account):
    client.force_login(clerk)
    page = client.get(reverse("admin:auth_user_change", args=[account.pk]))
    assert page.context["login_locked_until"] is None
    assert reverse("admin:auth_user_unlock", args=[account.pk]) not in page.content.decode()


def test_unlocking_takes_a_post(client, settings, clerk, account):
    _lock_out(settings, "kim")
    client.force_login(clerk)
    assert client.get(reverse("admin:auth_user_unlock", args=[account.pk])).status_code == 405
    assert AccessAttempt.objects.filter(username="kim").exists()


def test_unlocking_an_account_that_does_not_exist_is_404(client, clerk):
    client.force_login(clerk)
    assert client.post(reverse("admin:auth_user_unlock", args=[987654])).status_code == 404


def test_the_clerk_cannot_unlock_an_account_beyond_the_portal_roles(client, settings, clerk, superuser):
    _lock_out(settings, "grace")
    client.force_login(clerk)
    assert client.post(reverse("admin:auth_user_unlock", args=[superuser.pk])).status_code == 403
    client.post(reverse("admin:auth_user_changelist"), {"action": "unlock_logins", "_selected_action": [superuser.pk]})
    assert _locked_in_list(_changelist(client)) == {"grace"}


def test_a_superuser_unlocks_a_superuser(client, settings, superuser):
    other = UserFactory(username="heidi", is_staff=True, is_superuser=True)
    _lock_out(settings, "heidi")
    client.force_login(superuser)
    assert client.post(reverse("admin:auth_user_unlock", args=[other.pk])).status_code == 302
    assert not AccessAttempt.objects.filter(username="heidi").exists()


def test_the_office_without_admin_access_cannot_unlock(client, settings, office, account):
    _lock_out(settings, "kim")
    client.force_login(office)
    response = client.post(reverse("admin:auth_user_unlock", args=[account.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert AccessAttempt.objects.filter(username="kim").exists()


def test_anonymous_cannot_unlock(client, settings, account):
    _lock_out(settings, "kim")
    response = client.post(reverse("admin:auth_user_unlock", args=[account.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert AccessAttempt.objects.filter(username="kim").exists()


def test_an_account_locked_out_elsewhere_is_not_listed_once_the_hour_is_up(client, settings, clerk, account, clock):
    _lock_out(settings, "kim")
    client.force_login(clerk)
    assert _locked_in_list(_changelist(client)) == {"kim"}
    clock.advance(hours=1, seconds=1)
    assert _locked_in_list(_changelist(client)) == set()


# --- 4. The password-change form counts too ---------------------------------------------------------


def _change_password(client, old: str, new: str = "Qiye-fuwu-2027"):
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(reverse("password_change"), data, REMOTE_ADDR=NGINX)


def test_wrong_old_passwords_on_the_change_form_count_as_failed_logins(client, settings, account):
    assert is_logged_in(log_in(client, "kim"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _change_password(client, "wrong-password")
        assert response.status_code == 200 and "old_password" in response.context["form"].errors
    assert _change_password(client, "wrong-password").status_code == 429
    assert log_in(Client(), "kim").status_code == 429  # the login from the same address is locked too


def test_a_locked_out_user_cannot_keep_guessing_on_the_change_form(client, settings, account):
    client.force_login(account)
    _lock_out(settings, "kim", remote=NGINX)
    assert _change_password(client, PASSWORD).status_code == 429  # even the right old password
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT


def test_the_right_old_password_still_changes_it(client, account):
    client.force_login(account)
    response = _change_password(client, PASSWORD)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_password("Qiye-fuwu-2027")


def test_the_admins_own_password_page_is_the_counted_one(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
