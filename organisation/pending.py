"""A previewed list, kept on the server until the campaign office confirms it.

Between the preview and the confirmation the list waits in MEDIA_ROOT/imports, never in the browser:
the session holds its random name and digest, the form only a token to match. What waits is the
preview's reading of the list, as JSON (`Table.to_json`), so the confirmation imports exactly the rows
the preview showed and never parses the workbook again (issue 11: a large workbook parsed twice
outlasted gunicorn's timeout).

Storage fails at times: a folder left unwritable, a full disk. Keeping a list then raises `NotStored`,
a refusal the page shows, and leaves nothing behind: the file is written under a temporary name and
renamed into place only once whole. A kept list that cannot be read back counts as expired.
Discarding never raises: it runs after the import has committed, when an error would tell the user
that a list already written to the registry was not.
"""

import contextlib
import hashlib
import logging
import os
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext as _

from core.errors import PortalError
from enterprises.importers import Table

logger = logging.getLogger(__name__)

PENDING_KEY = "enterprise_import"
ABANDONED_AFTER_SECONDS = 24 * 60 * 60


class NotStored(PortalError):
    """The server could not keep a previewed list for its confirmation; its code is not_stored."""


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def pending_keep(session: SessionBase, *, name: str, table: Table) -> str:
    """Keep a previewed list's rows for its confirmation; return the token the confirmation must send."""
    pending_discard(session)
    content = table.to_json()
    token = uuid.uuid4().hex
    filename = f"{token}.json"
    folder = _folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _sweep_abandoned(folder)
        _write_whole(folder / filename, content)
    except OSError as exc:
        logger.error("Cannot keep an uploaded list in %s: %s", folder, exc)
        message = _(
            "The server could not store the uploaded list (its disk may be full or not writable), "
            "so nothing was imported. Please try again later, or tell the portal's administrator."
        )
        raise NotStored("not_stored", message) from exc
    session[PENDING_KEY] = {
        "token": token,
        "path": filename,
        "sha256": hashlib.sha256(content).hexdigest(),
        "name": Path(name).name[:200],
    }
    return token


def pending_table(session: SessionBase, token: str) -> tuple[str, Table] | None:
    """Return the name and rows of the list this session previewed under `token`; None when gone or altered."""
    pending = session.get(PENDING_KEY)
    if not pending or pending["token"] != token:
        return None
    try:
        content = (_folder() / pending["path"]).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        logger.warning("Cannot read the kept list %s: %s", pending["path"], exc)
        return None
    if hashlib.sha256(content).hexdigest() != pending["sha256"]:
        return None
    try:
        table = Table.from_json(content)
    except ValueError:  # a session from before the rows were kept as JSON
        return None
    return pending["name"], table


def pending_discard(session: SessionBase) -> None:
    """Forget the session's kept list and delete its file; never raise, for this runs after the import commits."""
    pending = session.pop(PENDING_KEY, None)
    if not pending:
        return
    try:
        (_folder() / pending["path"]).unlink(missing_ok=True)
    except OSError as exc:
        # The import stands and the user must hear so; the sweep retries the file a day later.
        logger.warning("Cannot delete the kept list %s: %s", pending["path"], exc)


def _write_whole(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: under a temporary name first, renamed into place once complete."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")  # readable by us only
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())  # a full disk may say so only here
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _sweep_abandoned(folder: Path) -> None:
    # A preview nobody confirmed leaves its file behind (a crash, a temporary one); a day later nobody will.
    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    try:
        for path in folder.iterdir():
            with contextlib.suppress(FileNotFoundError):  # another office user's sweep took it first
                if path.stat().st_mtime < cutoff:
                    path.unlink()
    except OSError as exc:
        logger.warning("Cannot sweep abandoned lists from %s: %s", folder, exc)
