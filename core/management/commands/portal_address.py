"""Say where `make run` serves the portal: the address gunicorn binds (BIND, as the Procfile reads it)."""

import os
import socket

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

# The Procfile's default: `--bind ${BIND:-127.0.0.1:8000}`. gunicorn's own default port is 8000 too.
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_PORT = "8000"
EVERY_INTERFACE = {"", "0.0.0.0", "::", "[::]"}  # nosec B104 # how BIND says every interface; nothing binds here


def split_bind(bind: str) -> tuple[str, str]:
    """Return the host and port of a gunicorn bind such as 127.0.0.1:8000, [::1]:8000, :8000 or localhost."""
    if bind.startswith("["):  # an IPv6 address, bracketed
        host, _bracket, rest = bind.partition("]")
        return host + "]", rest.removeprefix(":") or DEFAULT_PORT
    if bind.count(":") > 1:  # an IPv6 address without a port
        return f"[{bind}]", DEFAULT_PORT
    host, _colon, port = bind.partition(":")
    return host, port or DEFAULT_PORT


def address_lines(bind: str, hostname: str) -> list[str]:
    """Return what to print for this bind: the portal's address, and a note when it is not the one on this machine."""
    bind = bind.strip() or DEFAULT_BIND
    if bind.startswith(("unix:", "fd://")):
        return [
            _("The portal listens on %(bind)s, not on a TCP port: open it at the address your proxy serves.")
            % {"bind": bind}
        ]
    host, port = split_bind(bind)
    if host in EVERY_INTERFACE:
        local = f"http://127.0.0.1:{port}/"
        return [
            _("The portal: %(url)s") % {"url": f"http://{hostname or '127.0.0.1'}:{port}/"},
            _("It listens on every network interface (BIND=%(bind)s); on this computer: %(local)s")
            % {"bind": bind, "local": local},
        ]
    return [_("The portal: %(url)s") % {"url": f"http://{host}:{port}/"}]


class Command(BaseCommand):
    help = "Print the address `make run` serves the portal at: BIND (default 127.0.0.1:8000), as gunicorn binds it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="The bind to describe; by default the BIND environment variable's.")

    def handle(self, *args, bind: str | None = None, **options):
        bind = os.environ.get("BIND", DEFAULT_BIND) if bind is None else bind
        for line in address_lines(bind, socket.gethostname()):
            self.stdout.write(line)
