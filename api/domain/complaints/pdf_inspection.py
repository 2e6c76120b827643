"""The part of the PDF attachment check that parses the file (pypdf): what it contains.

Kept apart from :mod:`api.domain.complaints.pdf_check`, which imports it only when a PDF is
checked: pypdf is a large import that most api processes never need. What is looked for
and why is said there.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from api.domain.complaints.pdf_check import (
    MAX_EXPANDED_BYTES,
    MAX_PAGES,
    PdfProblem,
    PdfRefusal,
)

_INFLATE_STEP = 1024 * 1024
_ACTIONS_THAT_ACT = {"/JavaScript": "javascript", "/Launch": "launch"}
_EMBEDDING_KEYS = frozenset({"/EmbeddedFiles", "/EmbeddedFile"})
_EMBEDDING_TYPES = frozenset({"/EmbeddedFile", "/Filespec"})
_IMAGE_CODECS = frozenset(
    {"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF"}
)
_FLATE = frozenset({"/FlateDecode", "/Fl"})


def parsed_refusal(data: bytes) -> PdfRefusal | None:
    """The first reason to refuse ``data`` (a PDF that passed the byte-level checks of
    :func:`~api.domain.complaints.pdf_check.pdf_refusal`) found by parsing it, or None."""
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        # An officer's viewer opens a file encrypted for an empty password without asking,
        # so it is read the same way; one needing a password cannot be checked.
        if reader.is_encrypted and not reader.decrypt(""):
            return PdfRefusal(PdfProblem.UNREADABLE)
        objects = list(_every_object(reader))
        for obj in objects:
            found = _active_content(obj)
            if found is not None:
                return found
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            return PdfRefusal(PdfProblem.TOO_MANY_PAGES, pages)
        if pages == 0:
            return PdfRefusal(PdfProblem.UNREADABLE)
        return _expansion_refusal(obj for obj in objects if isinstance(obj, StreamObject))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        # pypdf raises an undocumented assortment on malformed files, like Pillow.
        return PdfRefusal(PdfProblem.UNREADABLE)


def _every_object(reader: PdfReader) -> Iterator[Any]:
    """The trailer and each object the cross-reference lists (object streams included)."""
    yield reader.trailer
    seen: set[int] = set()
    numbers = [
        (number, generation) for generation, entries in reader.xref.items() for number in entries
    ] + [(number, 0) for number in reader.xref_objStm]
    for number, generation in numbers:
        if number in seen:
            continue
        seen.add(number)
        obj = reader.get_object(IndirectObject(number, generation, reader))
        if obj is not None:
            yield obj


def _active_content(obj: Any) -> PdfRefusal | None:
    """Looks through one object and the direct objects nested in it (not references:
    those are objects of their own in the cross-reference)."""
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            refusal = _dictionary_refusal(item)
            if refusal is not None:
                return refusal
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


def _dictionary_refusal(item: DictionaryObject) -> PdfRefusal | None:
    keys = set(item.keys())
    if "/JS" in keys or "/JavaScript" in keys:
        return PdfRefusal(PdfProblem.ACTIVE_CONTENT, "javascript")
    action = item.get("/S")
    if isinstance(action, NameObject) and action in _ACTIONS_THAT_ACT:
        return PdfRefusal(PdfProblem.ACTIVE_CONTENT, _ACTIONS_THAT_ACT[action])
    if keys & _EMBEDDING_KEYS or item.get("/Type") in _EMBEDDING_TYPES:
        return PdfRefusal(PdfProblem.EMBEDDED_FILES)
    if item.get("/Subtype") == "/FileAttachment":
        return PdfRefusal(PdfProblem.EMBEDDED_FILES)
    return None


def _expansion_refusal(streams: Iterator[StreamObject]) -> PdfRefusal | None:
    budget = MAX_EXPANDED_BYTES
    for stream in streams:
        budget -= _expanded_size(stream, budget)
        if budget < 0:
            return PdfRefusal(PdfProblem.EXPANDS_TOO_MUCH)
    return None


def _expanded_size(stream: StreamObject, budget: int) -> int:
    """The stream's decoded size, or anything above ``budget`` once it passes it."""
    filters = stream.get("/Filter")
    names = (
        [str(name) for name in filters]
        if isinstance(filters, ArrayObject)
        else ([str(filters)] if filters is not None else [])
    )
    raw: bytes = stream._data  # the stored (encoded) bytes; pypdf's name for them
    if not names or set(names) & _IMAGE_CODECS:
        return len(raw)
    if len(names) == 1 and names[0] in _FLATE:
        return _inflated_size(raw, budget)
    # Rare chains (ASCII85 then Flate, LZW …): pypdf decodes them under its own limits.
    try:
        return len(stream.get_data())
    except LimitReachedError:
        return budget + 1


def _inflated_size(raw: bytes, budget: int) -> int:
    inflater = zlib.decompressobj()
    size, pending = 0, raw
    try:
        while pending and size <= budget:
            size += len(inflater.decompress(pending, _INFLATE_STEP))
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # a damaged stream: what inflated so far is what a viewer could show
    return size
