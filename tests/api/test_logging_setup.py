"""No log line can carry a NIK, a name, a phone number or an address, however it got there."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.logging_setup import (
    PHONE_REDACTED,
    REDACTED,
    NikRedactingFilter,
    configure_logging,
    redact,
)


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


def test_indonesian_mobile_numbers_are_redacted():
    for spelled in ("081234567890", "0812-3456-7890", "+6281234567890", "62 812 3456 7890"):
        assert redact(f"call {spelled} back") == f"call {PHONE_REDACTED} back"


def test_what_a_database_error_echoes_of_a_row_is_cut():
    error = (
        "(sqlalchemy.dialects.postgresql.asyncpg.IntegrityError) <class 'x'>: new row violates\n"
        "DETAIL:  Failing row contains (Siti Aminah, Jl. Melati 5).\n"
        "[SQL: INSERT INTO t VALUES ($1, $2)]\n"
        "[parameters: ('Siti Aminah', 'Jl. Melati 5')]\n"
        "invalid input for query argument $1: 'Siti Aminah' (expected str, got int)"
    )
    assert "Siti" not in redact(error) and "Melati" not in redact(error)
    assert "[SQL: INSERT INTO t VALUES ($1, $2)]" in redact(error)  # the statement stays


def _failure(text: str) -> BaseException:
    try:
        raise ValueError(text)
    except ValueError as error:
        return error


def test_the_exception_text_and_the_stack_are_redacted_too():
    error = _failure("row 3510014107900001 rejected")
    record = logging.LogRecord(
        "tests", logging.ERROR, __file__, 1, "import failed", None, (ValueError, error, None)
    )
    record.stack_info = "Stack (most recent call last):\n  lookup('3510014107900001')"
    NikRedactingFilter().filter(record)
    printed = logging.Formatter().format(record)
    assert "3510014107900001" not in printed
    assert "ValueError: row [NIK-REDACTED] rejected" in printed
    assert record.exc_info is None  # no later formatter can print the raw exception again


@contextmanager
def api_log() -> Iterator[io.StringIO]:
    """What the api's log handlers print, as configured by the app."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    configure_logging("INFO")
    try:
        yield stream
    finally:
        root.removeHandler(handler)


PERSONAL = {
    "nik": "3510014107900001",
    "name": "Siti Aminah",
    "phone": "081234567890",
    "address": "Jl. Melati No. 5",
}


async def test_a_database_error_logs_no_nik_name_phone_or_address(services):
    log = logging.getLogger("api.tests.leak")
    with api_log() as printed:
        async with services.engine.connect() as conn:
            await conn.execute(
                text(
                    "CREATE TEMPORARY TABLE leak_probe (nik TEXT, name TEXT, phone TEXT,"
                    " address TEXT, CHECK (length(nik) < 16))"
                )
            )
            with pytest.raises(DBAPIError):
                try:
                    await conn.execute(
                        text("INSERT INTO leak_probe VALUES (:nik, :name, :phone, :address)"),
                        PERSONAL,
                    )
                except DBAPIError:
                    log.exception("registry row failed")
                    raise
    text_of_log = printed.getvalue()
    assert "registry row failed" in text_of_log and "leak_probe" in text_of_log
    for value in PERSONAL.values():
        assert value not in text_of_log


# The plain asyncpg pool exists on PostgreSQL only.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_an_error_of_the_plain_asyncpg_pool_logs_no_name(services):
    log = logging.getLogger("api.tests.leak")
    with api_log() as printed:
        async with services.pool.acquire() as conn:
            try:
                await conn.fetchval("SELECT $1::int", PERSONAL["name"])
            except Exception:
                log.exception("status check failed")
    text_of_log = printed.getvalue()
    assert "status check failed" in text_of_log and "query argument $1" in text_of_log
    assert PERSONAL["name"] not in text_of_log
