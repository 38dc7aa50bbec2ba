"""`manage.py portal_address` (what `make run` prints): the address gunicorn binds, from BIND."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from core.management.commands.portal_address import address_lines


def _said(monkeypatch, bind: str | None) -> list[str]:
    if bind is None:
        monkeypatch.delenv("BIND", raising=False)
    else:
        monkeypatch.setenv("BIND", bind)
    out = io.StringIO()
    with translation.override("en"):
        call_command("portal_address", stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        (None, "http://127.0.0.1:8000/"),  # the Procfile's default
        ("", "http://127.0.0.1:8000/"),  # ${BIND:-…} takes an empty BIND for none
        ("127.0.0.1:9000", "http://127.0.0.1:9000/"),
        ("10.20.30.40:8080", "http://10.20.30.40:8080/"),
        ("localhost", "http://localhost:8000/"),
        ("[::1]:8001", "http://[::1]:8001/"),
    ],
)
def test_it_prints_the_address_bind_names(monkeypatch, bind, url):
    assert _said(monkeypatch, bind) == [f"The portal: {url}"]


def test_every_interface_is_shown_by_the_machines_name_with_the_local_address_beside(monkeypatch):
    monkeypatch.setattr("socket.gethostname", lambda: "qsz-web1")
    lines = _said(monkeypatch, "0.0.0.0:8000")
    assert lines[0] == "The portal: http://qsz-web1:8000/"
    assert "every network interface" in lines[1] and lines[1].endswith("http://127.0.0.1:8000/")


def test_without_a_hostname_every_interface_is_shown_as_this_computer():
    with translation.override("en"):
        assert address_lines("0.0.0.0:8000", "")[0] == "The portal: http://127.0.0.1:8000/"
        assert address_lines("[::]:9000", "")[0] == "The portal: http://127.0.0.1:9000/"


def test_a_unix_socket_is_named_with_no_url(monkeypatch):
    (line,) = _said(monkeypatch, "unix:/run/portal.sock")
    assert "unix:/run/portal.sock" in line and "http" not in line


def test_the_make_run_target_prints_this_command_and_the_demo_logins():
    makefile = (settings.BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert "manage.py portal_address" in makefile and "manage.py demo_logins" in makefile
    assert "http://127.0.0.1:8000/" not in makefile  # never a fixed address
