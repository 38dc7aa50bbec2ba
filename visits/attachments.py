"""Policy attachments: which files the library accepts, by content, and how they are named and stored.

The one home of the rule. The model field's validator (so the admin and any form saving a policy),
the download view and the storage refusal all ask this module.

Accepted, recognised by their first bytes and never by the name or the browser's content type:
PDF, Word (.docx), Excel (.xlsx), OFD (GB/T 33190, the national format for official documents: a zip
holding OFD.xml), PNG and JPEG. The name's extension must say the same kind as the content.

Refused on purpose: legacy Word and Excel (.doc, .xls) and old WPS (.wps) files are OLE2 compound
files, which carry macros and cannot be told apart without parsing their directory; the office saves
them as .docx, .xlsx or PDF. An Office file holding a macro project (vbaProject.bin) is refused too.
Anything else (HTML, scripts, archives) is refused, whatever it is called.
"""

import errno
import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import PortalError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A kind of file the library accepts: its name for people, its content type, its extensions."""

    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", ("pdf",))
DOCX = Kind("Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = Kind("Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
OFD = Kind("OFD", "application/ofd", ("ofd",))
PNG = Kind("PNG", "image/png", ("png",))
JPEG = Kind("JPEG", "image/jpeg", ("jpg", "jpeg"))
ALLOWED = (PDF, DOCX, XLSX, OFD, PNG, JPEG)
EXTENSIONS = tuple(f".{ext}" for kind in ALLOWED for ext in kind.extensions)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"
# The stored name's stem is cut to this many characters: 60 Chinese characters are 180 bytes, under
# the file system's 255 with the extension and the suffix the storage adds to a taken name.
STEM_CHARS = 60


def _kinds_text() -> str:
    return _("PDF, Word (.docx), Excel (.xlsx), OFD, PNG or JPEG")


def help_text() -> str:
    """Return what the upload field says it accepts."""
    return _("%(kinds)s, recognised by content; at most %(limit)s.") % {
        "kinds": _kinds_text(),
        "limit": filesizeformat(max_bytes()),
    }


def extension_of(name: str) -> str:
    """Return the name's extension, lower case, without the dot ("" when it has none)."""
    return PurePosixPath(name).suffix.lower().removeprefix(".")


def _zip_kind(file: IO[bytes]) -> Kind | None:
    # Only the central directory is read: nothing is decompressed, so a zip bomb costs nothing here.
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    if any(PurePosixPath(n).name.lower() == "vbaproject.bin" for n in names):
        return None  # a macro-enabled document under an Office name
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    if "OFD.xml" in names:
        return OFD
    return None


def kind_of(file: IO[bytes]) -> Kind | None:
    """Return the allowed kind the file's content is, or None; reads from the start, leaves it at the start."""
    file.seek(0)
    head = file.read(8)
    kind: Kind | None = None
    if head.startswith(PDF_SIGNATURE):
        kind = PDF
    elif head.startswith(PNG_SIGNATURE):
        kind = PNG
    elif head.startswith(JPEG_SIGNATURE):
        kind = JPEG
    elif head.startswith(ZIP_SIGNATURE):
        kind = _zip_kind(file)
    file.seek(0)
    return kind


def max_bytes() -> int:
    """Return the largest attachment accepted (CAMPAIGN_ATTACHMENT_MAX_BYTES)."""
    return int(settings.CAMPAIGN_ATTACHMENT_MAX_BYTES)


def check(file: IO[bytes], name: str, size: int) -> Kind:
    """Return the file's kind if the library accepts it under this name, else raise ValidationError."""
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The attachment is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="attachment_too_large",
        )
    if size == 0:
        raise ValidationError(_("The attachment is empty."), code="attachment_empty")
    suffix = extension_of(name)
    if not any(suffix in kind.extensions for kind in ALLOWED):
        raise ValidationError(
            _("Attachments must be %(kinds)s files.") % {"kinds": _kinds_text()}, code="attachment_type"
        )
    kind = kind_of(file)
    if kind is None:
        raise ValidationError(
            _("The file's content is not %(kinds)s, whatever its name says.") % {"kinds": _kinds_text()},
            code="attachment_content",
        )
    if suffix not in kind.extensions:
        raise ValidationError(
            _("The file is named .%(suffix)s but its content is %(kind)s.") % {"suffix": suffix, "kind": kind.label},
            code="attachment_mismatch",
        )
    return kind


def open_stored(attachment: FieldFile) -> tuple[File, Kind] | None:
    """Open a stored attachment that may be served, with its kind; else None (and a warning in the log).

    None for a lost or unreadable file, and for one whose content is not on the allow-list under its
    name: a file stored before uploads were checked is never served.
    """
    name = attachment.name or ""
    try:
        file = attachment.storage.open(name, "rb")
    except OSError as exc:
        logger.warning("The attachment %s cannot be read: %s", name, exc)
        return None
    try:
        kind = kind_of(file)
    except OSError as exc:
        file.close()
        logger.warning("The attachment %s cannot be read: %s", name, exc)
        return None
    if kind is None or extension_of(name) not in kind.extensions:
        file.close()
        logger.warning("The attachment %s is not an accepted kind under its name: not served.", name)
        return None
    return file, kind


def validate_attachment(value: Any) -> None:
    """Refuse a newly uploaded attachment the library does not accept (the model field's validator)."""
    # A file already stored was checked when it arrived, and the download checks it again; reading it
    # back on every edit of the policy would let a lost file block a change of its title.
    if isinstance(value, FieldFile):
        # `_committed` is how Django's own FileField.pre_save tells a stored file from a new one.
        if getattr(value, "_committed", True):
            return
        value = value.file
    check(value, value.name or "", value.size)


def upload_path(instance: Any, filename: str) -> str:
    """Return where a policy's attachment is stored: policies/<year>/<its own name, shortened>."""
    path = PurePosixPath(filename.replace("\\", "/"))
    stem = path.stem.strip()[:STEM_CHARS] or "attachment"
    return f"policies/{timezone.localdate().year}/{stem}{path.suffix.lower()}"


class AttachmentNotStored(PortalError):
    """The attachment could not be written to the server's disk, so nothing was saved."""


def not_stored(exc: OSError) -> AttachmentNotStored:
    """Return the refusal to show for a storage error, and log the error for the operators."""
    logger.error("A policy attachment could not be stored: %s", exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return AttachmentNotStored(
            "storage_full",
            _(
                "The attachment could not be saved: the server's disk is full. Nothing was saved; "
                "please tell the system administrator."
            ),
        )
    return AttachmentNotStored(
        "storage_failed",
        _(
            "The attachment could not be saved: the server's attachment folder cannot be written to. "
            "Nothing was saved; please tell the system administrator."
        ),
    )
