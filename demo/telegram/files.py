"""Files: getFile, and the PhotoSize and Document objects of stored files."""

from __future__ import annotations

import mimetypes
from io import BytesIO
from typing import Any

from demo.telegram.limits import ApiError
from demo.telegram.params import Params
from demo.telegram.records import StoredFile


def image_size(data: bytes) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def photo_size(stored: StoredFile, size: tuple[int, int] | None = None) -> dict[str, Any]:
    width, height = size or image_size(stored.data) or (0, 0)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "width": width,
        "height": height,
    }


def document_object(stored: StoredFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def _extension(stored: StoredFile) -> str:
    if stored.file_name and "." in stored.file_name:
        return "." + stored.file_name.rsplit(".", 1)[1]
    guessed = mimetypes.guess_extension(stored.mime_type or "") if stored.mime_type else None
    return {".jpe": ".jpg", ".jpeg": ".jpg"}.get(guessed or "", guessed or "")


class FileMethods:
    """getFile: a download path for a stored file."""

    def _get_file(self, params: Params) -> dict[str, Any]:
        stored = self._files.get(params.text("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if len(stored.data) > self.limits.max_download_bytes:
            raise ApiError.bad_request("file is too big")
        if stored.file_path is None:
            extension = _extension(stored)
            stored.file_path = f"{stored.folder}/file_{stored.number}{extension}"
            self._files_by_path[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
