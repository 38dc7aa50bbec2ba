"""The uploads' storage keeps a file whole or not at all (core/storage.py)."""

import errno

import pytest
from django.core.files.base import ContentFile, File

from core.storage import WholeFileStorage


class _DiskFullHalfWay(File):
    """Content whose second chunk never arrives: the disk fills after the first."""

    def __init__(self):
        super().__init__(None, name="细则.pdf")

    def chunks(self, chunk_size=None):
        yield b"%PDF-1.7 the first part"
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fails_half_way_leaves_no_file(tmp_path):
    storage = WholeFileStorage(location=tmp_path)

    with pytest.raises(OSError, match="No space left"):
        storage.save("policies/2026/细则.pdf", _DiskFullHalfWay())

    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_two_files_of_one_name_are_both_kept_whole(tmp_path):
    storage = WholeFileStorage(location=tmp_path)

    first = storage.save("policies/2026/细则.pdf", ContentFile(b"%PDF-1 first"))
    second = storage.save("policies/2026/细则.pdf", ContentFile(b"%PDF-1 second"))

    assert first == "policies/2026/细则.pdf" and second != first
    assert (tmp_path / first).read_bytes() == b"%PDF-1 first"
    assert (tmp_path / second).read_bytes() == b"%PDF-1 second"


def test_it_is_the_portals_storage_for_uploads():
    from django.core.files.storage import default_storage

    assert isinstance(default_storage, WholeFileStorage)
