"""What the bot checks of an attachment as it arrives, before telling the citizen it is kept.

A complaint's evidence reaches the api only once the complaint is filed. So that a file the
api would refuse is refused when it is sent, not after "Lampiran 2 dari 5 diterima", the bot
fetches it from Telegram at once and checks it against the api's limits
(``GET /api/v1/complaint-limits``): its real size, and its type as read from its first bytes
(the same ``filetype`` signatures the api reads), which must be one the api takes and of the
same kind as the type the sender claimed. A PDF must also start and end as one.

What is left to the api: decoding every image and parsing every PDF for active content. A
file that fails those (a damaged photo, a PDF with a script) is still refused only at sending,
and the citizen is then told which file and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import filetype

from bot.client import ComplaintLimits

# Spellings clients use for the types the api takes, mapped to the standard one.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/apng": "image/png",
    "application/x-pdf": "application/pdf",
}
# Types that claim nothing (Telegram sends one of these for a file it does not recognise).
_GENERIC = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "application/x-download",
    }
)
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_PDF_EOF_WINDOW = 1024


class Refusal(StrEnum):
    """Why an attachment is not kept; the value names its sentence in bot_complaint.j2."""

    NOT_ALLOWED = "attachment_not_allowed"  # claims a type the api does not take
    TOO_BIG = "attachment_too_big"  # params: max_mb
    UNREADABLE = "attachment_unreadable"  # its bytes are not a photo or PDF the api takes


@dataclass(frozen=True)
class Checked:
    """An attachment worth keeping, with its type as read from its bytes."""

    mime: str


def declared_type(mime: str | None) -> str | None:
    """The type a sender claimed, in standard form; None when it claims nothing."""
    if not mime:
        return None
    mime = mime.split(";", 1)[0].strip().lower()
    if "/" not in mime or mime in _GENERIC:
        return None
    return _ALIASES.get(mime, mime)


def refused_by_claim(mime: str | None, limits: ComplaintLimits) -> Refusal | None:
    """A refusal from what the sender claimed alone, before the file is fetched."""
    declared = declared_type(mime)
    if declared is not None and declared not in limits.attachment_types:
        return Refusal.NOT_ALLOWED
    return None


def check_content(
    data: bytes, *, mime: str | None, limits: ComplaintLimits, largest: int
) -> Checked | Refusal:
    """Check the fetched bytes; ``largest`` is the size limit in bytes (the api's, or less)."""
    if len(data) > largest:
        return Refusal.TOO_BIG
    kind = filetype.guess(data) if data else None
    detected = _ALIASES.get(kind.mime, kind.mime) if kind else None
    if detected not in limits.attachment_types:
        return Refusal.UNREADABLE
    declared = declared_type(mime)
    if declared is not None and _family(declared) != _family(detected):
        return Refusal.UNREADABLE  # claims to be a PDF and is a photo, or the other way
    if detected == "application/pdf" and (
        not _PDF_HEADER.match(data) or b"%%EOF" not in data[-_PDF_EOF_WINDOW:]
    ):
        return Refusal.UNREADABLE  # cut short, or something else wearing a PDF header
    return Checked(mime=detected)


def _family(mime: str) -> str:
    # Any image counts as an image (phones label a PNG screenshot image/jpeg): as the api.
    return "image" if mime.startswith("image/") else mime
