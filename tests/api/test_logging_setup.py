"""No log line can carry a NIK, however it got there."""

from __future__ import annotations

import logging

from api.logging_setup import REDACTED, NikRedactingFilter, redact


def test_niks_in_any_common_spelling_are_redacted():
    for spelled in (
        "3510014107900001",
        "3510 0141 0790 0001",
        "35.10.01.410790.0001",
        "3510-0141-0790-0001",
    ):
        assert redact(f"user typed {spelled} here") == f"user typed {REDACTED} here"


def test_shorter_or_longer_numbers_are_left_alone():
    assert (
        redact("order 123456789012345 and 12345678901234567")
        == "order 123456789012345 and 12345678901234567"
    )


def test_the_filter_rewrites_records_before_handlers_see_them(caplog):
    logger = logging.getLogger("tests.redaction")
    logger.addFilter(NikRedactingFilter())
    with caplog.at_level(logging.INFO, logger="tests.redaction"):
        logger.info("lookup for %s failed", "3510014107900001")
    assert "3510014107900001" not in caplog.text and REDACTED in caplog.text
