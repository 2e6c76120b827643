"""Where complaint attachments live: a small async key-value interface for blobs.

:class:`AttachmentStorage` is the contract the domain and routes use;
:class:`LocalDirectoryStorage` (files under one root directory) is the default, and an
object store can implement the same three methods later.

Keys are chosen by the caller (see :func:`new_attachment_key`) and are relative,
``/``-separated paths such as ``complaints/2026/11/Xq3...k.jpg``. Every implementation
refuses any other key with ``ValueError`` (see :func:`key_segments`), so a key can never
address anything outside the store. Once ``put`` returns, the data is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = [
    "AttachmentStorage",
    "LocalDirectoryStorage",
    "StorageNotFound",
    "key_segments",
    "new_attachment_key",
]

# A segment may not start with "." (no "..", no hidden files, and never the name of one
# of our temporary files) and uses only characters that are safe on every filesystem.
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
_TEMP_PREFIX = "."


class StorageNotFound(KeyError):
    """No object is stored under the key (``args[0]``)."""


@runtime_checkable
class AttachmentStorage(Protocol):
    """Async blob storage for attachments. Every method raises ``ValueError`` for a key
    that :func:`key_segments` refuses."""

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing any previous object atomically: readers
        see the old or the new data, never a mix. Durable once it returns.
        ``content_type`` is the verified type, for stores that keep metadata."""
        ...

    async def get(self, key: str) -> bytes:
        """The data stored under ``key``; :class:`StorageNotFound` if there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object under ``key``; does nothing if there is none."""
        ...


def key_segments(key: str) -> tuple[str, ...]:
    """The ``/``-separated segments of a valid key, or ``ValueError``.

    Valid: relative, no empty segments, each segment of letters, digits, ``_``, ``-``
    and ``.`` (not first), at most 200 characters. So no absolute paths, ``..``,
    backslashes, drive letters or control characters.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("storage key must be a non-empty string")
    segments = tuple(key.split("/"))
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise ValueError(f"invalid storage key: {key!r}")
    return segments


def new_attachment_key(*, extension: str, now: datetime) -> str:
    """A fresh, unguessable key ``complaints/YYYY/MM/<token><extension>``.

    The token has 128 random bits, so a key cannot be guessed even by someone who knows
    when the file was sent. ``extension`` is the canonical one with its dot (``".jpg"``);
    the year and month are ``now``'s in UTC (naive ``now`` is taken to be UTC already).
    """
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"extension must look like '.jpg', got {extension!r}")
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return f"complaints/{now:%Y}/{now:%m}/{secrets.token_urlsafe(16)}{extension}"


class LocalDirectoryStorage:
    """:class:`AttachmentStorage` on the local filesystem: the object under key
    ``a/b/c.jpg`` is the file ``<root>/a/b/c.jpg``. Directories are created as needed.

    Writes go to a temporary file in the target directory, which is fsynced and then
    renamed over the target, and the directory is fsynced too, so a crash leaves either
    the old or the new file, and an acknowledged upload survives a power cut. Files are
    created readable by the owner only (attachments hold personal data). All file I/O
    runs in a worker thread so the event loop never blocks on the disk.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        # Absolute now, so a later chdir cannot move the store.
        self.root = Path(root).absolute()

    def __repr__(self) -> str:
        return f"LocalDirectoryStorage({str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        """The file that holds (or would hold) ``key``; ``ValueError`` for a bad key."""
        return self.root.joinpath(*key_segments(key))

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        # The file's type is implied by the key's extension; there is nowhere to keep
        # content_type on a plain filesystem, and nothing needs it.
        path = self.path_for(key)
        await asyncio.to_thread(self._put, path, data)

    async def get(self, key: str) -> bytes:
        path = self.path_for(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise StorageNotFound(key) from None

    async def delete(self, key: str) -> None:
        path = self.path_for(key)
        await asyncio.to_thread(self._delete, path)

    def _put(self, path: Path, data: bytes) -> None:
        self._make_dirs(path.parent)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)  # makes the rename itself durable

    def _delete(self, path: Path) -> None:
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return  # nothing stored under this key (a directory is not an object)
        _fsync_dir(path.parent)  # a deleted attachment must stay deleted after a crash

    def _make_dirs(self, directory: Path) -> None:
        """Create ``directory`` and missing parents, fsyncing each new entry's parent
        so the path to a durable file is durable too."""
        missing = []
        while not directory.is_dir():
            missing.append(directory)
            directory = directory.parent
        for new in reversed(missing):
            with contextlib.suppress(FileExistsError):  # a concurrent put was first
                new.mkdir()
            _fsync_dir(new.parent)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory; NTFS journals renames
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
