"""Specification of attachment storage (api.storage).

The contract tests run against :class:`LocalDirectoryStorage` and against
:class:`MemoryStorage`, the in-memory fake other tests may import from here, so the fake
is known to behave like the real thing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from api.storage import (
    AttachmentStorage,
    LocalDirectoryStorage,
    StorageNotFound,
    key_segments,
    new_attachment_key,
)


class MemoryStorage:
    """An :class:`AttachmentStorage` in a dict, for tests. Validates keys like the real
    stores; ``content_types`` records what each put declared."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.content_types: dict[str, str] = {}

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        key_segments(key)
        self.objects[key] = bytes(data)
        self.content_types[key] = content_type

    async def get(self, key: str) -> bytes:
        key_segments(key)
        try:
            return self.objects[key]
        except KeyError:
            raise StorageNotFound(key) from None

    async def delete(self, key: str) -> None:
        key_segments(key)
        self.objects.pop(key, None)
        self.content_types.pop(key, None)


KEY = "complaints/2026/11/abcDEF123_-x.jpg"


@pytest.fixture(params=["local", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AttachmentStorage:
    if request.param == "local":
        return LocalDirectoryStorage(tmp_path / "attachments")
    return MemoryStorage()


@pytest.fixture
def local(tmp_path: Path) -> LocalDirectoryStorage:
    return LocalDirectoryStorage(tmp_path / "attachments")


def files_under(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


# --- the contract ------------------------------------------------------------------------


def test_both_implementations_satisfy_the_protocol(storage: AttachmentStorage) -> None:
    assert isinstance(storage, AttachmentStorage)


async def test_what_is_put_can_be_got_back(storage: AttachmentStorage) -> None:
    await storage.put(KEY, b"\xff\xd8\xff data", content_type="image/jpeg")
    assert await storage.get(KEY) == b"\xff\xd8\xff data"


async def test_put_overwrites_the_previous_object(storage: AttachmentStorage) -> None:
    await storage.put(KEY, b"old, and longer than the new data", content_type="image/jpeg")
    await storage.put(KEY, b"new", content_type="image/jpeg")
    assert await storage.get(KEY) == b"new"


async def test_an_empty_object_round_trips(storage: AttachmentStorage) -> None:
    await storage.put(KEY, b"", content_type="application/pdf")
    assert await storage.get(KEY) == b""


async def test_getting_a_missing_key_raises_not_found(storage: AttachmentStorage) -> None:
    with pytest.raises(StorageNotFound) as caught:
        await storage.get(KEY)
    assert isinstance(caught.value, KeyError)
    assert caught.value.args == (KEY,)


async def test_delete_removes_the_object(storage: AttachmentStorage) -> None:
    await storage.put(KEY, b"data", content_type="image/jpeg")
    await storage.delete(KEY)
    with pytest.raises(StorageNotFound):
        await storage.get(KEY)


async def test_delete_is_idempotent(storage: AttachmentStorage) -> None:
    await storage.put(KEY, b"data", content_type="image/jpeg")
    await storage.delete(KEY)
    await storage.delete(KEY)
    await storage.delete("never/stored.pdf")


async def test_keys_are_independent(storage: AttachmentStorage) -> None:
    await storage.put("complaints/a.jpg", b"a", content_type="image/jpeg")
    await storage.put("complaints/b.jpg", b"b", content_type="image/jpeg")
    await storage.delete("complaints/a.jpg")
    assert await storage.get("complaints/b.jpg") == b"b"


BAD_KEYS = [
    "",
    "/etc/passwd",
    "../outside.jpg",
    "complaints/../../outside.jpg",
    "complaints/./a.jpg",
    "complaints\\a.jpg",
    "..\\outside.jpg",
    "complaints//a.jpg",
    "complaints/a.jpg/",
    "/",
    "C:/Windows/a.jpg",
    "complaints/.hidden",
    "complaints/a\x00.jpg",
    "complaints/a\n.jpg",
    "complaints/a b.jpg",
    "complaints/" + "a" * 201,
]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_keys_that_could_escape_the_store_are_refused(
    storage: AttachmentStorage, key: str
) -> None:
    with pytest.raises(ValueError):
        await storage.put(key, b"data", content_type="image/jpeg")
    with pytest.raises(ValueError):
        await storage.get(key)
    with pytest.raises(ValueError):
        await storage.delete(key)


def test_key_segments_splits_a_valid_key() -> None:
    assert key_segments(KEY) == ("complaints", "2026", "11", "abcDEF123_-x.jpg")
    assert key_segments("flat.pdf") == ("flat.pdf",)


def test_a_key_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(ValueError):
        key_segments(b"complaints/a.jpg")  # type: ignore[arg-type]


# --- the local directory -----------------------------------------------------------------


async def test_put_creates_nested_directories(local: LocalDirectoryStorage) -> None:
    assert not local.root.exists()
    await local.put(KEY, b"data", content_type="image/jpeg")
    assert (local.root / "complaints" / "2026" / "11" / "abcDEF123_-x.jpg").read_bytes() == b"data"
    assert local.path_for(KEY) == local.root / "complaints/2026/11/abcDEF123_-x.jpg"


async def test_put_leaves_no_temporary_files(local: LocalDirectoryStorage) -> None:
    await local.put(KEY, b"one", content_type="image/jpeg")
    await local.put(KEY, b"two", content_type="image/jpeg")
    await local.put("complaints/other.pdf", b"three", content_type="application/pdf")
    assert sorted(p.relative_to(local.root).as_posix() for p in files_under(local.root)) == [
        "complaints/2026/11/abcDEF123_-x.jpg",
        "complaints/other.pdf",
    ]


async def test_a_failed_put_keeps_the_old_file_and_leaves_no_temporary_file(
    local: LocalDirectoryStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await local.put(KEY, b"old", content_type="image/jpeg")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk gone"):
        await local.put(KEY, b"new", content_type="image/jpeg")
    assert await local.get(KEY) == b"old"
    assert list(files_under(local.root)) == [local.path_for(KEY)]


async def test_put_fsyncs_the_file_before_it_replaces_the_old_one(
    local: LocalDirectoryStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        calls.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    await local.put(KEY, b"data", content_type="image/jpeg")
    first_replace = calls.index("replace")
    assert "fsync" in calls[:first_replace]  # the data
    assert "fsync" in calls[first_replace:]  # the directory entry


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
async def test_stored_files_are_private_to_the_owner(local: LocalDirectoryStorage) -> None:
    await local.put(KEY, b"data", content_type="image/jpeg")
    assert local.path_for(KEY).stat().st_mode & 0o077 == 0


async def test_a_directory_is_not_an_object(local: LocalDirectoryStorage) -> None:
    await local.put(KEY, b"data", content_type="image/jpeg")
    with pytest.raises(StorageNotFound):
        await local.get("complaints/2026")
    with pytest.raises(StorageNotFound):
        await local.get(KEY + "/below-a-file.jpg")
    await local.delete("complaints/2026")
    await local.delete(KEY + "/below-a-file.jpg")
    assert await local.get(KEY) == b"data"


async def test_the_root_is_fixed_when_the_storage_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    storage = LocalDirectoryStorage("var/attachments")
    monkeypatch.chdir(tmp_path.parent)
    await storage.put("a.jpg", b"data", content_type="image/jpeg")
    assert (tmp_path / "var" / "attachments" / "a.jpg").read_bytes() == b"data"


# --- keys ----------------------------------------------------------------------------------


NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def test_a_new_key_names_the_year_month_and_a_random_token() -> None:
    key = new_attachment_key(extension=".jpg", now=NOW)
    assert re.fullmatch(r"complaints/2026/11/[A-Za-z0-9_-]{22}\.jpg", key)
    key_segments(key)  # every generated key is valid for every store


def test_new_keys_do_not_repeat() -> None:
    keys = {new_attachment_key(extension=".pdf", now=NOW) for _ in range(1000)}
    assert len(keys) == 1000


def test_the_month_is_taken_in_utc() -> None:
    jakarta = timezone(timedelta(hours=7))
    new_year_in_jakarta = datetime(2027, 1, 1, 3, 0, tzinfo=jakarta)  # still 2026 in UTC
    assert new_attachment_key(extension=".png", now=new_year_in_jakarta).startswith(
        "complaints/2026/12/"
    )
    assert new_attachment_key(extension=".png", now=datetime(2027, 1, 1)).startswith(
        "complaints/2027/01/"
    )


@pytest.mark.parametrize("extension", ["jpg", ".JPG", "./x", ".j/g", "", ".toolongextension"])
def test_a_malformed_extension_is_refused(extension: str) -> None:
    with pytest.raises(ValueError):
        new_attachment_key(extension=extension, now=NOW)
