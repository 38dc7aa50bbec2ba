"""Uploaded files on the local disk, kept whole or not at all.

Django's FileSystemStorage leaves what it managed to write when the disk fills or a write fails half
way: a 0-byte or truncated file nobody's row points to (issue 11). This one removes it and lets the
error rise, so the caller can refuse the form instead of saving a row with a broken file.
"""

import contextlib
import os

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.utils import validate_file_name

# Create the file, never open one that exists: two uploads of one name get two files.
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class WholeFileStorage(FileSystemStorage):
    """FileSystemStorage that leaves no partial file behind when a save fails."""

    def _save(self, name: str, content: File) -> str:
        validate_file_name(name, allow_relative_path=True)
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            old_umask = os.umask(0o777 & ~self.directory_permissions_mode)
            try:
                os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
            finally:
                os.umask(old_umask)
        else:
            os.makedirs(directory, exist_ok=True)

        while True:
            try:
                fd = os.open(full_path, _CREATE_FLAGS, 0o666)
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)
            else:
                break
        # From here the file is ours (O_EXCL): whatever goes wrong, it goes.
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
                out.flush()
                # A full disk may only say so when the data reaches it: ask now, while the row is unsaved.
                os.fsync(out.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(full_path)
            raise

        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return os.path.relpath(full_path, self.location).replace("\\", "/")
