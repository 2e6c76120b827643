"""The one error an application call raises: what was refused, why, in stable words.

A surface turns it into its own shape (a JSON error with an HTTP status, an Open311 error
list, a line on the terminal) and renders ``message_key`` from ``messages/`` in the
person's language. ``code`` is stable for programs; ``field`` names the input at fault.
"""

from __future__ import annotations

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
        field: str | None = None,
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.refusal, self.code, self.message_key = refusal, code, message_key
        self.field, self.retry_after, self.params = field, retry_after, params
        self.extra = extra or {}


def not_found(code: str, message_key: str, **params: Any) -> AppError:
    return AppError(Refusal.NOT_FOUND, code, message_key, **params)
