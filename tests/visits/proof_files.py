"""Photos and files a cadre might attach to a visit, built in memory with Pillow."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.visits import attachment_files

MAKE, MODEL, ORIENTATION, GPS_IFD = 0x010F, 0x0110, 0x0112, 0x8825


def phone_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: its make and model, the orientation, and where the photo was taken."""
    exif = Image.Exif()
    exif[MAKE] = "Apple"
    exif[MODEL] = "iPhone 15 Pro"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (34.0, 16.0, 30.0), "E", (109.0, 3.0, 0.0)
    return exif


def image(fmt: str = "JPEG", size: tuple[int, int] = (64, 32), *, exif: Image.Exif | None = None) -> bytes:
    """A small photo: its left half red, its right half blue (so a rotation can be seen)."""
    picture = Image.new("RGB", size, "red")
    picture.paste(Image.new("RGB", (size[0] // 2, size[1]), "blue"), (size[0] // 2, 0))
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    picture.save(out, fmt, **options)
    return out.getvalue()


def jpeg(**kwargs) -> bytes:
    return image("JPEG", **kwargs)


def png(**kwargs) -> bytes:
    return image("PNG", **kwargs)


def webp(**kwargs) -> bytes:
    return image("WEBP", **kwargs)


def pdf() -> bytes:
    return attachment_files.pdf()


def heic() -> bytes:
    """The first bytes of an iPhone's HEIC photo (an ISO media file of the brand heic)."""
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def html() -> bytes:
    return attachment_files.html_with_script()


def bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG of a few hundred bytes whose header says 900 megapixels: decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    # The browser's content type counts for nothing: the content decides.
    return SimpleUploadedFile(name, data, content_type=content_type)


ACCEPTED = {"photo.jpg": jpeg, "photo.jpeg": jpeg, "screen.png": png, "photo.webp": webp, "签到表.pdf": pdf}
