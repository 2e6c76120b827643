"""Logging that cannot leak a NIK, a name, a phone number or a description.

Personal data only ever travels in request bodies, which are not logged, and the engines
never render a statement's parameters into an error (``api.db``: ``hide_parameters``). As a
second line of defence every log record passes a filter before any handler sees it, and the
filter rewrites the message *and* the exception text and stack (a traceback is where a
database error used to carry a raw NIK, name and address into the api log):

- anything shaped like a NIK (16 digits, with or without separators) or an Indonesian
  mobile number is replaced;
- what a database echoes of a row is dropped: SQLAlchemy's ``[parameters: …]`` line,
  PostgreSQL's ``DETAIL`` line (``Key (…)=(…)``, ``Failing row contains (…)``) and asyncpg's
  ``invalid input for query argument $n: …`` value. Names and descriptions have no shape a
  pattern could find, so the places that would echo them are cut instead.
"""

from __future__ import annotations

import logging
import re

_NIK_SHAPE = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){15}(?!\d)")
# Indonesian mobile numbers: 08…, 628… or +628…, 10 to 15 digits, separators allowed.
_PHONE_SHAPE = re.compile(r"(?<![\w+])(?:\+62|62|0)[\s.\-]?8(?:[\s.\-]?\d){7,11}(?!\d)")
# Where a database error quotes values, to the end of that line.
_DATABASE_ECHOES = (
    (re.compile(r"\[parameters: .*$", re.MULTILINE), "[parameters: hidden]"),
    (re.compile(r"DETAIL: .*$", re.MULTILINE), "DETAIL: [hidden]"),
    (re.compile(r"(query argument \$\d+:).*$", re.MULTILINE), r"\1 [hidden]"),
)
REDACTED = "[NIK-REDACTED]"
PHONE_REDACTED = "[PHONE-REDACTED]"


def redact(text: str) -> str:
    """``text`` without anything shaped like a NIK or a phone number, nor database echoes."""
    text = _NIK_SHAPE.sub(REDACTED, text)
    text = _PHONE_SHAPE.sub(PHONE_REDACTED, text)
    for pattern, replacement in _DATABASE_ECHOES:
        text = pattern.sub(replacement, text)
    return text


class NikRedactingFilter(logging.Filter):
    """Redacts a record's message, exception text and stack in place (it never drops one)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatted here, once, so every handler prints the redacted text; the exception
            # object itself goes, so no formatter can render it afresh.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_info:
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _ensure_filter(filterer: logging.Filterer) -> None:
    if not any(isinstance(f, NikRedactingFilter) for f in filterer.filters):
        filterer.addFilter(NikRedactingFilter())


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    root.setLevel(level)
    for handler in root.handlers:
        _ensure_filter(handler)
    # uvicorn logs through handlers of its own that records never reach the root's from.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        _ensure_filter(logger)
        for handler in logger.handlers:
            _ensure_filter(handler)
