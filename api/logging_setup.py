"""Logging that cannot leak a NIK.

NIKs only ever travel in request bodies, which are not logged. As a second line of defence
every log record passes a filter that replaces anything shaped like a NIK (16 digits, with or
without separators) before any handler sees it.
"""

from __future__ import annotations

import logging
import re

_NIK_SHAPE = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){15}(?!\d)")
REDACTED = "[NIK-REDACTED]"


def redact(text: str) -> str:
    return _NIK_SHAPE.sub(REDACTED, text)


class NikRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, NikRedactingFilter) for f in handler.filters):
            handler.addFilter(NikRedactingFilter())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NikRedactingFilter) for f in logger.filters):
            logger.addFilter(NikRedactingFilter())
