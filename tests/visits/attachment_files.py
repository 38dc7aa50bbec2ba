"""Small files of each kind a policy attachment may or may not be, built in memory."""

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook

CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def docx(*, macros: bool = False) -> bytes:
    parts = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}
    if macros:
        parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro project"
    return _zip(parts)


def xlsx() -> bytes:
    book = Workbook()
    book.active.append(["政策", "金额"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ofd() -> bytes:
    return _zip({"OFD.xml": b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>', "Doc_0/Document.xml": b"<doc/>"})


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # one grey pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def html_with_script() -> bytes:
    return b"<!DOCTYPE html><html><body><script>fetch('/admin/').then(r => r.text())</script></body></html>"


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"not an Office document"})


def ole2() -> bytes:
    """The start of a legacy .doc/.xls/.wps file (an OLE2 compound file)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


ACCEPTED = {
    "pdf": pdf,
    "docx": docx,
    "xlsx": xlsx,
    "ofd": ofd,
    "png": png,
    "jpg": jpeg,
    "jpeg": jpeg,
}
