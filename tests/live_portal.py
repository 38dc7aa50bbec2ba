"""The portal as production runs it: gunicorn in a subprocess, and a visitor who talks HTTP to it.

For fault tests, which need the real processes (several workers, each keeping its own database
connection) rather than Django's test client in the test's own thread. `PortalServer` runs
`gunicorn bangqiao_portal.wsgi` with production settings (DEBUG off, collected static files) against
the database it is given; `Visitor` keeps a session cookie like a browser and never follows a redirect,
so every answer's own status is seen.
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from tests.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[1]
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Switches a developer's shell (or the test session) may carry that a production web process has not.
NOT_PRODUCTION = ("DJANGO_ALLOW_ASYNC_UNSAFE", "CONN_HEALTH_CHECKS", "HSTS_SECONDS", "PORTAL_BASE_URL")


def production_env(database_url: str, folder: Path, **overrides: str) -> dict[str, str]:
    """Return the environment of a production web process on `database_url`, its files under `folder`."""
    env = {name: value for name, value in os.environ.items() if name not in NOT_PRODUCTION}
    env.update(
        DJANGO_SETTINGS_MODULE="bangqiao_portal.settings",
        DATABASE_URL=database_url,
        REDIS_URL="",  # the file broker and an in-process cache: this test is about the database alone
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="false",
        BEHIND_PROXY="false",
        SECURE_COOKIES="false",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """Run one manage.py command as an operator would, in its own process."""
    manage_started(env, *args)()


def manage_started(env: dict[str, str], *args: str) -> Callable[[], None]:
    """Start one manage.py command; the function returned waits for it, and raises if it failed."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def finished() -> None:
        try:
            _out, errors = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        if process.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{errors[-3000:]}")

    return finished


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str

    def json(self) -> object:
        return json.loads(self.body)


class PortalServer:
    """`gunicorn bangqiao_portal.wsgi` with sync workers on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], folder: Path, workers: int = 2) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PortalServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 30) -> None:
        """Start gunicorn and wait until /health/ answers."""
        command = [
            sys.executable, "-m", "gunicorn", "bangqiao_portal.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--worker-class", "sync",
            "--timeout", "30", "--graceful-timeout", "5", "--access-logfile", "-",
            # Its control socket is one path per account (~/.gunicorn): a second gunicorn would take it over.
            "--no-control-socket",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            # A session of its own, so stop() can end the master and its workers together.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_stop_when_parent_dies,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if Visitor(self.base_url).get("/health/").status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the portal did not answer /health/:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop gunicorn (its master stops its workers); kill the lot if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group gunicorn leads (start_new_session)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no gunicorn log)"


def _stop_when_parent_dies() -> None:
    """Ask Linux to send gunicorn SIGTERM if the test process dies without its clean-up (a killed pytest)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the finalizers alone stop it


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx itself comes back as the answer


class Visitor:
    """One browser: a cookie jar, GET and POST, no redirects followed."""

    def __init__(self, base_url: str, timeout: float = 15) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = CookieJar()

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        data = urllib.parse.urlencode(fields).encode()
        return self._send(urllib.request.Request(self.base_url + path, data=data, method="POST"))

    def form_token(self, path: str) -> str:
        """Open the form at `path` and return its CSRF token, as a browser would send it back."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, username: str, password: str) -> None:
        token = self.form_token("/accounts/login/")
        answer = self.post(
            "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        assert answer.status == 302, f"login refused ({answer.status}): {answer.body[:500]}"

    def _send(self, request: urllib.request.Request) -> Answer:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return _answer(response.status, response)
        except urllib.error.HTTPError as error:
            return _answer(error.code, error)


def _answer(status: int, response: http.client.HTTPResponse | urllib.error.HTTPError) -> Answer:
    return Answer(status, response.read().decode(errors="replace"), response.headers.get("Content-Type", ""))
