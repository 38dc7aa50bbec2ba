"""What a visit's proof may be: the photos and files a cadre attaches to show a visit took place.

The one home of the rule. The visit services (`visits/services.py`) ask `prepare` before anything is
written, and `open_stored` before a file is served; the form and the pages say `help_text`.

Accepted, recognised by their first bytes (`visits.attachments.kind_of`, and WebP here) and never by
the name or the browser's content type: JPEG, PNG and WebP photos, and PDF (a scanned sign-in sheet,
minutes). The name's extension must say the same kind as the content. At most
CAMPAIGN_VISIT_FILE_MAX_BYTES each, at most CAMPAIGN_VISIT_FILES_MAX on a visit.

A photo is decoded by Pillow (at most MAX_PIXELS, so a small file that unpacks to gigabytes is
refused), turned upright by its EXIF orientation, and written again with none of its metadata: no
EXIF (the GPS position, the phone's make, model and serial number, the time), no XMP, no comments.
Only the colour profile (ICC) is kept: it describes colours, not a place or a device. A thumbnail
(THUMB_SIZE on its long side, JPEG) is made from it. A PDF is stored as it came.

HEIC (an iPhone's default) cannot be decoded here: it is refused with how to send JPEG instead.
"""

import contextlib
import contextvars
import io
import logging
import uuid
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import PortalError
from visits import attachments
from visits.attachments import JPEG, PDF, PNG, Kind, extension_of

logger = logging.getLogger(__name__)

WEBP = Kind("WebP", "image/webp", ("webp",))
ALLOWED = (JPEG, PNG, WEBP, PDF)
PHOTOS = (JPEG, PNG, WEBP)
# What the file input offers on a phone: the camera and the gallery, and PDFs.
ACCEPT = "image/*,application/pdf"
# A photo larger than this many pixels is refused before it is decoded: 50 megapixels is a 48 MP phone's
# full-resolution photo, and decodes to 150 MB; Pillow's own bomb check (89 MP, an error at twice that)
# would let far more through.
MAX_PIXELS = 50_000_000
THUMB_SIZE = 320
JPEG_QUALITY = 85
THUMB_QUALITY = 75
# The brands an ISO media file (ftyp box) carries when it is a HEIC/HEIF/AVIF still image.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
HEIF_EXTENSIONS = {"heic", "heif", "hif", "avif"}
# Pillow's names for the formats it decodes, per kind: a file whose bytes say JPEG but which Pillow
# reads as something else is refused. MPO is a JPEG carrying further pictures (many phones write it, for
# a depth map or a live photo's frame): only its first picture is kept.
PILLOW_FORMATS = {JPEG: ("JPEG", "MPO"), PNG: ("PNG",), WEBP: ("WEBP",)}


class ProofError(PortalError):
    """A visit's photo or file that was refused, with its code; the message is for the cadre."""


@dataclass(frozen=True)
class Prepared:
    """A file ready to be stored: what it is called, what it is, the bytes to write, its thumbnail."""

    name: str
    kind: Kind
    content: bytes
    thumbnail: bytes | None

    @property
    def is_photo(self) -> bool:
        return self.kind in PHOTOS


def max_bytes() -> int:
    return int(settings.CAMPAIGN_VISIT_FILE_MAX_BYTES)


def max_files() -> int:
    return int(settings.CAMPAIGN_VISIT_FILES_MAX)


def help_text() -> str:
    """Return what the visit form's file field says it accepts."""
    return _(
        "Photos (JPEG, PNG, WebP) or PDF, at most %(limit)s each and %(count)d on a visit. "
        "Location and phone details are removed from photos."
    ) % {"limit": filesizeformat(max_bytes()), "count": max_files()}


def _is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def kind_of(file: IO[bytes]) -> Kind | None:
    """Return the proof kind the content is (the policy library's sniffing, and WebP), or None; leaves it at 0."""
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    kind = attachments.kind_of(file)
    return kind if kind in ALLOWED else None


def _refuse(name: str, code: str, message: str) -> ProofError:
    # The file's name first: with nine photos, the cadre must see which one was refused.
    return ProofError(code, _("%(name)s: %(message)s") % {"name": name, "message": message})


def check(file: IO[bytes], name: str, size: int) -> Kind:
    """Return the file's kind if a visit accepts it under this name, else raise ProofError."""
    limit = max_bytes()
    if size > limit:
        raise _refuse(
            name,
            "proof_too_large",
            _("the file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    if size == 0:
        raise _refuse(name, "proof_empty", _("the file is empty."))
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    suffix = extension_of(name)
    if _is_heif(head) or suffix in HEIF_EXTENSIONS:
        raise _refuse(
            name,
            "proof_heic",
            _(
                "HEIC photos (the iPhone's default) cannot be read here. Send it as JPEG: choose it again "
                "from the phone's photo picker, which converts it, or set Settings > Camera > Formats to "
                '"Most Compatible" for future photos.'
            ),
        )
    kind = kind_of(file)
    if kind is None:
        raise _refuse(
            name, "proof_type", _("the content is not a JPEG, PNG or WebP photo or a PDF, whatever its name says.")
        )
    if suffix not in kind.extensions:
        raise _refuse(
            name,
            "proof_mismatch",
            _("the file is named .%(suffix)s but its content is %(kind)s.") % {"suffix": suffix, "kind": kind.label},
        )
    return kind


def _open(file: IO[bytes], name: str, kind: Kind) -> Image.Image:
    """Open, size-check and verify the photo, then decode it; refuse a bomb or a broken file."""
    unreadable = _refuse(name, "proof_unreadable", _("the photo cannot be read; it may be damaged."))
    with warnings.catch_warnings():
        # Pillow warns past MAX_IMAGE_PIXELS and raises past twice that: both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(file) as probe:  # reads the header only
                if probe.format not in PILLOW_FORMATS[kind]:
                    raise unreadable
                if probe.width * probe.height > MAX_PIXELS:
                    raise _too_many_pixels(name)
                probe.verify()
            file.seek(0)
            image = Image.open(file)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise unreadable from exc
    return image


def _too_many_pixels(name: str) -> ProofError:
    return _refuse(
        name,
        "proof_too_many_pixels",
        _("the photo is larger than %(megapixels)d megapixels; send a smaller copy.")
        % {"megapixels": MAX_PIXELS // 1_000_000},
    )


def clean_photo(image: Image.Image, kind: Kind) -> tuple[bytes, bytes]:
    """Return the photo upright, written again with no metadata but its colour profile, and its thumbnail."""
    upright = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    # Nothing of the original's info travels: Pillow would write back EXIF, XMP or text chunks found there.
    upright.info = {}
    options: dict[str, object] = {}
    if icc:
        options["icc_profile"] = icc
    out = io.BytesIO()
    if kind == JPEG:
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=JPEG_QUALITY, **options)
    elif kind == PNG:
        if transparency is not None and upright.mode in ("P", "L", "RGB"):
            options["transparency"] = transparency
        upright.save(out, "PNG", **options)
    else:
        upright.save(out, "WEBP", quality=JPEG_QUALITY, **options)
    return out.getvalue(), thumbnail_of(upright)


def thumbnail_of(upright: Image.Image) -> bytes:
    """Return a JPEG of the upright photo, THUMB_SIZE pixels on its long side at most, without metadata."""
    scale = min(1.0, THUMB_SIZE / max(upright.size))
    size = (max(1, round(upright.width * scale)), max(1, round(upright.height * scale)))
    # Resized straight from the photo (no copy of its 36 MB first), reducing by whole factors before filtering.
    small = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    if small.mode in ("RGBA", "LA", "P", "PA"):
        rgba = small.convert("RGBA")
        small = Image.new("RGB", rgba.size, "white")
        small.paste(rgba, mask=rgba.getchannel("A"))
    elif small.mode != "RGB":
        small = small.convert("RGB")
    small.info = {}
    out = io.BytesIO()
    small.save(out, "JPEG", quality=THUMB_QUALITY)
    return out.getvalue()


def prepare(file: IO[bytes], name: str, size: int) -> Prepared:
    """Check one uploaded file and return what to store: a photo cleaned with its thumbnail, a PDF as it is."""
    kind = check(file, name, size)
    if kind not in PHOTOS:
        file.seek(0)
        return Prepared(name=name, kind=kind, content=file.read(), thumbnail=None)
    with _open(file, name, kind) as image:
        content, thumbnail = clean_photo(image, kind)
    return Prepared(name=name, kind=kind, content=content, thumbnail=thumbnail)


def check_count(*, having: int, adding: int) -> None:
    """Refuse adding files past CAMPAIGN_VISIT_FILES_MAX on one visit."""
    if having + adding > max_files():
        raise ProofError(
            "proof_too_many",
            _("A visit can carry at most %(count)d photos and files; it has %(having)d, and %(adding)d were added.")
            % {"count": max_files(), "having": having, "adding": adding},
        )


def prepare_all(uploads: Sequence[IO[bytes]], *, having: int = 0) -> list[Prepared]:
    """Check every upload before any is written: one refused file refuses them all."""
    check_count(having=having, adding=len(uploads))
    return [prepare(upload, getattr(upload, "name", "") or "", getattr(upload, "size", 0) or 0) for upload in uploads]


def disk_names(prepared: Prepared) -> tuple[ContentFile, ContentFile | None]:
    """Return the file and thumbnail to save: random names on disk (the cadre's name is kept on the row)."""
    stem = uuid.uuid4().hex
    content = ContentFile(prepared.content, name=f"{stem}.{prepared.kind.extensions[0]}")
    thumb = ContentFile(prepared.thumbnail, name=f"{stem}.jpg") if prepared.thumbnail is not None else None
    return content, thumb


# --- Nothing half-written ----------------------------------------------------------------------------------
# The files written while a submission is saved, so that a refusal later in the same submission (another
# file the disk would not take, a problem refused, the one-time token taken) removes them again.
_written: contextvars.ContextVar[tuple[list[tuple[Storage, str]], ...]] = contextvars.ContextVar(
    "visit_proof_written", default=()
)


def wrote(field: FieldFile) -> None:
    """Note that a file was written in the submission being saved."""
    for names in _written.get():
        names.append((field.storage, field.name or ""))


@contextlib.contextmanager
def removed_on_failure() -> Iterator[None]:
    """Remove every file written inside the block if the block fails (its transaction is then rolled back)."""
    names: list[tuple[Storage, str]] = []
    token = _written.set((*_written.get(), names))
    try:
        yield
    except BaseException:
        for storage, name in names:
            try:
                storage.delete(name)
            except OSError as exc:  # logged, not raised: the refusal is what the cadre must see
                logger.warning("A visit file written before a refusal could not be removed: %s (%s)", name, exc)
        raise
    finally:
        _written.reset(token)


def delete_stored(field: FieldFile) -> None:
    """Remove a stored file from the disk, logging a failure (called once the removal committed)."""
    if not field.name:
        return
    try:
        field.storage.delete(field.name)
    except OSError as exc:
        logger.warning("A removed visit file could not be deleted from the disk: %s (%s)", field.name, exc)


def open_stored(field: FieldFile, content_type: str) -> IO[bytes] | None:
    """Open a stored file to serve if its content is still the kind its row says; else None (and a warning)."""
    name = field.name or ""
    if not name:
        return None
    try:
        file = field.storage.open(name, "rb")
    except OSError as exc:
        logger.warning("The visit file %s cannot be read: %s", name, exc)
        return None
    kind = kind_of(file)
    if kind is None or kind.content_type != content_type or extension_of(name) not in kind.extensions:
        file.close()
        logger.warning("The visit file %s is not the kind its row says: not served.", name)
        return None
    return file
