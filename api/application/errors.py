"""The one error an application call raises: what was refused, why, in stable words.

A surface turns it into its own shape (a JSON error with an HTTP status, an Open311 error
list, a line on the terminal) and renders ``message_key`` from ``messages/`` in the
person's language. ``code`` is stable for programs; ``field`` names the input at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Refusal(StrEnum):
    """What kind of no it is; each surface maps these to its own vocabulary (HTTP status)."""

    INVALID = "invalid"  # the input is malformed or breaks a rule
    NOT_FOUND = "not_found"  # nothing there, or nothing this principal may see
    CONFLICT = "conflict"  # not possible in the current state
    FORBIDDEN = "forbidden"  # seen, but not this principal's to do
    TOO_LARGE = "too_large"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class Phrase:
    """A message parameter that is itself a message (a status's label), rendered first."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


class AppError(Exception):
    def __init__(
        self,
        refusal: Refusal,
        code: str,
        message_key: str,
        *,
        params: Mapping[str, Any] | None = None,
        field: str | None = None,
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.refusal, self.code, self.message_key = refusal, code, message_key
        # The message's parameters (a Phrase is rendered in the same language first).
        self.params: Mapping[str, Any] = params or {}
        self.field, self.retry_after, self.extra = field, retry_after, extra or {}
