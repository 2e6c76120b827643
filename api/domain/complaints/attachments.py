"""Check a citizen's complaint attachment: an image or PDF, judged by its content.

:func:`check_attachment` takes the bytes of one upload plus whatever the client claimed
about it and either returns a :class:`CheckedAttachment` (the real type, a storage
extension, size, SHA-256 and a safe display name) or raises :class:`AttachmentError`
with a :class:`AttachmentProblem` and params from which the caller renders a message
in the citizen's locale. Nothing here produces citizen-facing sentences.

The type is detected from the bytes (``filetype`` signatures), never taken from the
filename or the declared content type; the declared type only serves to catch a file
that claims to be something else (:attr:`AttachmentProblem.DISGUISED`). Images must then
decode with Pillow, and are kept re-encoded without their metadata (EXIF GPS position,
device: ``image_reencoding``); PDFs must parse, and carry no JavaScript, launch action,
embedded file or HTML, nor expand beyond a bound (``pdf_check``).

Pure: no I/O, no global state changed (Pillow settings are read, never set). Decoding a
large JPEG takes tens of milliseconds of CPU, so async callers should run this in a
thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

import filetype

from api.domain.complaints.pdf_check import MAX_PAGES, PdfProblem, pdf_refusal

__all__ = [
    "ALLOWED_TYPES",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_IMAGE_MEGAPIXELS",
    "AttachmentError",
    "AttachmentProblem",
    "CheckedAttachment",
    "check_attachment",
]

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# HEIC (the iPhone camera default) is deliberately absent: Pillow cannot decode it
# without the pillow-heif plugin, so we could not verify it. iPhones convert to JPEG
# when sharing through WhatsApp, Telegram and browser uploads ("Most Compatible").
ALLOWED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})

# Far above what a phone saves by default (12-50 MP) yet below Pillow's own
# decompression-bomb warning threshold (~89 MP), so we refuse before Pillow complains.
MAX_IMAGE_MEGAPIXELS = 64
_MAX_IMAGE_PIXELS = MAX_IMAGE_MEGAPIXELS * 1_000_000

_MB = 1024 * 1024
_DISPLAY_NAME_MAX = 100
_FALLBACK_STEM = "lampiran"  # Indonesian for "attachment"

_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
# Extensions a display name may already carry for each type (lower case).
_KNOWN_EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

# Non-standard spellings clients send, mapped to the standard type. ``filetype`` itself
# reports an animated PNG as image/apng; it is still a PNG that Pillow verifies.
_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/apng": "image/png",
    "application/x-pdf": "application/pdf",
}
# Declared types that claim nothing: many clients (and Telegram for documents) send
# these for every file, so they can never make a file DISGUISED.
_GENERIC_TYPES = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "application/x-download",
        "application/force-download",
    }
)

# Acrobat accepts "%%EOF" anywhere in the last 1024 bytes (trailing newlines, padding).
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_PDF_EOF_WINDOW = 1024

# Characters Windows refuses in file names; a display name may end up as a download name.
_RESERVED = str.maketrans(dict.fromkeys('<>:"|?*', "_"))


class AttachmentProblem(StrEnum):
    """Why an attachment was refused, in the order :func:`check_attachment` checks.
    The value doubles as the name of the citizen message for it."""

    TOO_MANY = "too_many"  # params: max
    EMPTY = "empty"  # no params
    # params: max_mb, size_mb (rounded up to 0.1 so it never reads as equal to max_mb);
    # or, for an image with too many pixels, only max_megapixels.
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"  # params: detected (MIME type, or None: unknown)
    DISGUISED = "disguised"  # params: declared, detected
    CORRUPT = "corrupt"  # params: detected
    # A PDF that would act when opened: params: action ("javascript" or "launch").
    PDF_ACTIVE_CONTENT = "pdf_active_content"
    PDF_EMBEDDED_FILES = "pdf_embedded_files"  # no params
    PDF_POLYGLOT = "pdf_polyglot"  # no params: bytes before its header, or HTML inside
    PDF_TOO_MANY_PAGES = "pdf_too_many_pages"  # params: max, pages
    PDF_EXPANDS_TOO_MUCH = "pdf_expands_too_much"  # no params: a decompression bomb


class AttachmentError(ValueError):
    """A refused attachment. ``problem`` says which check failed and ``params`` the
    details a citizen message needs (see :class:`AttachmentProblem`); ``str(exc)`` is
    an English message for developers and logs.

    A plain exception rather than a frozen dataclass: the interpreter and ``contextlib``
    assign ``__traceback__`` and friends, which a frozen dataclass forbids."""

    def __init__(self, problem: AttachmentProblem, **params: int | float | str | None) -> None:
        self.problem = problem
        self.params: dict[str, int | float | str | None] = params
        details = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"attachment refused: {problem}" + (f" ({details})" if details else ""))

    def __reduce__(self):  # keep problem and params through pickling
        return (_rebuild_error, (self.problem, self.params))


def _rebuild_error(
    problem: AttachmentProblem, params: dict[str, int | float | str | None]
) -> AttachmentError:
    return AttachmentError(problem, **params)


@dataclass(frozen=True, slots=True)
class CheckedAttachment:
    """An attachment that passed every check.

    ``content_type`` is the detected type (one of :data:`ALLOWED_TYPES`) and
    ``extension`` its canonical extension (``".jpg"``, ``".png"``, ``".webp"``,
    ``".pdf"``) for the storage key. ``data`` is what to store: a PDF as sent, an image
    re-encoded without its metadata; ``size`` (bytes) and ``sha256`` (lower-case hex)
    describe ``data``.
    ``filename`` is for display only (never a storage path): the given name without
    directories or control characters, at most 100 characters, always ending with an
    extension of the detected type, or ``"lampiran" + extension`` if nothing usable was
    given.
    """

    content_type: str
    extension: str
    size: int
    sha256: str
    filename: str
    data: bytes


def check_attachment(
    data: bytes, *, declared_type: str | None, filename: str | None, already_attached: int
) -> CheckedAttachment:
    """Check one upload for a complaint that already has ``already_attached`` files.

    ``declared_type`` is the content type the client claimed (multipart part header,
    Telegram ``mime_type``), ``None`` if it claimed none. ``filename`` is the client's
    name for the file, used for display only. Raises :class:`AttachmentError` on the
    first failed check, in this order: the complaint is full (TOO_MANY); the data is
    empty (EMPTY) or over :data:`MAX_ATTACHMENT_BYTES` (TOO_LARGE) - both decided from
    the length before any parsing; the detected type is not allowed (UNSUPPORTED_TYPE);
    the declared type names a different kind of file (DISGUISED); the content does not
    decode (CORRUPT), or is an image over :data:`MAX_IMAGE_MEGAPIXELS` (TOO_LARGE).
    """
    if already_attached < 0:
        raise ValueError(f"already_attached must be >= 0, got {already_attached}")
    # A full complaint is refused whatever the file is: that is what the citizen must hear.
    if already_attached >= MAX_ATTACHMENTS:
        raise AttachmentError(AttachmentProblem.TOO_MANY, max=MAX_ATTACHMENTS)
    if not data:
        raise AttachmentError(AttachmentProblem.EMPTY)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentError(
            AttachmentProblem.TOO_LARGE,
            max_mb=MAX_ATTACHMENT_BYTES // _MB,
            size_mb=math.ceil(len(data) * 10 / _MB) / 10,
        )

    detected = _detect_type(data)
    if detected not in ALLOWED_TYPES:
        raise AttachmentError(AttachmentProblem.UNSUPPORTED_TYPE, detected=detected)
    declared = _normalize_type(declared_type)
    if declared is not None and _family(declared) != _family(detected):
        raise AttachmentError(AttachmentProblem.DISGUISED, declared=declared, detected=detected)

    if detected == "application/pdf":
        _verify_pdf(data)
        kept = data
    else:
        _verify_image(data, detected)
        kept = _reencode(data, detected)

    return CheckedAttachment(
        content_type=detected,
        extension=_EXTENSIONS[detected],
        size=len(kept),
        sha256=hashlib.sha256(kept).hexdigest(),
        filename=_display_name(filename, detected),
        data=kept,
    )


def _detect_type(data: bytes) -> str | None:
    kind = filetype.guess(data)  # reads only the first 8 KiB
    if kind is None:
        return None
    return _TYPE_ALIASES.get(kind.mime, kind.mime)


def _normalize_type(declared: str | None) -> str | None:
    """The declared type in standard lower-case form, or None if it claims nothing."""
    if declared is None:
        return None
    mime = declared.split(";", 1)[0].strip().lower()  # drop "; charset=..." and the like
    if "/" not in mime or mime in _GENERIC_TYPES:
        return None
    return _TYPE_ALIASES.get(mime, mime)


def _family(mime: str) -> str:
    # Any image type counts as "an image": phones and bots routinely label a PNG
    # screenshot image/jpeg, which is harmless. Anything else must match exactly.
    return "image" if mime.startswith("image/") else mime


def _verify_pdf(data: bytes) -> None:
    # The cheap structural check first: it catches a truncated upload before parsing.
    corrupt = AttachmentError(AttachmentProblem.CORRUPT, detected="application/pdf")
    if not _PDF_HEADER.match(data) or b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise corrupt
    refusal = pdf_refusal(data)
    if refusal is None:
        return
    if refusal.problem is PdfProblem.UNREADABLE:
        raise corrupt
    if refusal.problem is PdfProblem.ACTIVE_CONTENT:
        raise AttachmentError(AttachmentProblem.PDF_ACTIVE_CONTENT, action=refusal.detail)
    if refusal.problem is PdfProblem.TOO_MANY_PAGES:
        raise AttachmentError(
            AttachmentProblem.PDF_TOO_MANY_PAGES, max=MAX_PAGES, pages=refusal.detail
        )
    raise AttachmentError(_PDF_PROBLEMS[refusal.problem])


_PDF_PROBLEMS = {
    PdfProblem.POLYGLOT: AttachmentProblem.PDF_POLYGLOT,
    PdfProblem.EMBEDDED_FILES: AttachmentProblem.PDF_EMBEDDED_FILES,
    PdfProblem.EXPANDS_TOO_MUCH: AttachmentProblem.PDF_EXPANDS_TOO_MUCH,
}


def _reencode(data: bytes, detected: str) -> bytes:
    from api.domain.complaints.image_reencoding import reencoded  # Pillow: see _verify_image

    try:
        return reencoded(data, detected)
    except MemoryError:
        raise
    except Exception:
        # It verified, so this is rare (a truncated frame Pillow only meets when decoding
        # all of it): unreadable pixels are a damaged file to the citizen.
        raise AttachmentError(AttachmentProblem.CORRUPT, detected=detected) from None


def _verify_image(data: bytes, detected: str) -> None:
    # Pillow is imported by the first image to check, not by every api process: most never
    # see an upload, and it is memory each would hold (docs/performance.md, "Statistics
    # exports").
    from PIL import Image

    corrupt = AttachmentError(AttachmentProblem.CORRUPT, detected=detected)
    too_large = AttachmentError(AttachmentProblem.TOO_LARGE, max_megapixels=MAX_IMAGE_MEGAPIXELS)
    try:
        # Image.open reads only the header. Pillow raises DecompressionBombError itself
        # above twice its MAX_IMAGE_PIXELS, and warns above it (which is an exception
        # too if warnings are errors); our own cap below is lower still, so every
        # image Pillow worries about is refused.
        #
        # A bomb is reported as TOO_LARGE, not CORRUPT: the honest sender who hits it
        # has a genuinely huge photo, and "too large" tells them what to do.
        with Image.open(BytesIO(data)) as image:
            if image.format != _PILLOW_FORMATS[detected]:
                raise corrupt
            if image.width * image.height > _MAX_IMAGE_PIXELS:
                raise too_large
            image.verify()  # PNG: walks every chunk and checks its CRC
        if detected == "image/jpeg":
            # verify() does nothing for JPEG, so decode it - at 1/8 scale (draft), which
            # still reads every scan, so truncation is caught for 1/64 of the memory.
            with Image.open(BytesIO(data)) as image:
                image.draft("RGB", (1, 1))
                image.load()
    except AttachmentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except MemoryError:
        raise
    except Exception:
        # Pillow's decoders raise an undocumented assortment (OSError, SyntaxError,
        # ValueError, EOFError, struct.error, ...): whatever fails to decode is corrupt.
        raise corrupt from None


def _display_name(given: str | None, detected: str) -> str:
    extension = _EXTENSIONS[detected]
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1]  # no directories, any OS
    name = unicodedata.normalize("NFC", name)
    # Drop control, format (bidi overrides like U+202E, zero-width), surrogate, private
    # and unassigned characters; other separators (U+2028, NBSP...) become plain spaces.
    name = "".join(
        " " if unicodedata.category(c).startswith("Z") else c
        for c in name
        if not unicodedata.category(c).startswith("C")
    )
    name = " ".join(name.split()).translate(_RESERVED)
    name = name.strip(". ")  # no hidden files, no Windows-invalid trailing dots
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem = name
    elif f".{suffix.lower()}" in _KNOWN_EXTENSIONS[detected]:
        extension = f".{suffix}"  # keep the sender's spelling (".JPG", ".jpeg")
    elif not any(f".{suffix.lower()}" in exts for exts in _KNOWN_EXTENSIONS.values()):
        stem = name  # an unrelated suffix ("laporan.v2") stays part of the name
    # else: a wrong type extension ("photo.jpg" holding a PNG) is replaced, so the
    # download opens in the right application.
    stem = stem[: _DISPLAY_NAME_MAX - len(extension)].rstrip(". ")
    return (stem or _FALLBACK_STEM) + extension
