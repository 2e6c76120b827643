"""Opaque keyset cursors a page puts in its "next page" link: a JSON list, signed, url-safe.

Signed so that an edited or foreign cursor is refused (:class:`CursorError`) rather than
read as an arbitrary position; each list (the console's queue, the triage desk) signs with
its own purpose, so one's cursor never opens the other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

_SIGNATURE_BYTES = 12


class CursorError(ValueError):
    """The cursor was not made by this list (edited, truncated, foreign)."""


def _signature(key: bytes, purpose: bytes, payload: bytes) -> bytes:
    digest = hmac.new(key, purpose + b"\0" + payload, hashlib.sha256).digest()
    return digest[:_SIGNATURE_BYTES]


def seal(key: bytes, purpose: bytes, values: list) -> str:
    payload = json.dumps(values, separators=(",", ":")).encode()
    token = payload + _signature(key, purpose, payload)
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def unseal(key: bytes, purpose: bytes, cursor: str) -> list:
    """The values :func:`seal` put in, or :class:`CursorError`."""
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise CursorError("not a cursor") from None
    payload, signature = token[:-_SIGNATURE_BYTES], token[-_SIGNATURE_BYTES:]
    if len(token) <= _SIGNATURE_BYTES or not hmac.compare_digest(
        signature, _signature(key, purpose, payload)
    ):
        raise CursorError("not a cursor of this list")
    try:
        values = json.loads(payload)
    except ValueError:
        raise CursorError("not a cursor") from None
    if not isinstance(values, list):
        raise CursorError("not a cursor")
    return values
