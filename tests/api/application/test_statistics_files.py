"""How a statistics table is written to a file: values a tool reads back unchanged, and
text a spreadsheet never runs."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from api.application.statistics_files import csv_value, file_name, table_csv
from api.domain.statistics.queries import StatFilter
from api.domain.statistics.tables import Kind, Table, columns


def test_values_are_written_unformatted_and_read_back_as_the_same_numbers():
    assert csv_value(1234567) == "1234567"  # no thousands separator
    assert float(csv_value(1 / 3)) == 1 / 3  # a share as a decimal, every digit kept
    assert csv_value(None) == ""
    assert csv_value(date(2026, 11, 30)) == "2026-11-30"
    # An instant in Jakarta time, with its offset: unambiguous for any reader.
    assert csv_value(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == "2026-12-01T00:00:00+07:00"
    assert csv_value(True) == "1"


def test_text_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe():
    for dangerous in ("=1+1", "+62812", "-2", "@SUM(A1)", "\tx"):
        assert csv_value(dangerous) == "'" + dangerous
    assert csv_value("Kota Metro") == "Kota Metro"
    assert csv_value(-2) == "-2"  # a number is no formula


def test_a_table_reads_back_under_its_keys_after_the_byte_order_mark():
    table = Table(
        "satisfaction",
        columns(("rating", Kind.COUNT), ("ratings", Kind.COUNT), ("share", Kind.SHARE)),
        ((1, 0, None), (5, 3, 0.75)),
    )
    text = "".join(table_csv(table))
    assert text.startswith("\ufeffrating,ratings,share\r\n")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["rating", "ratings", "share"],
        ["1", "0", ""],
        ["5", "3", "0.75"],
    ]


def test_the_file_is_named_for_its_table_and_period():
    where = StatFilter(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert file_name("offices", where, "xlsx") == "bansos-offices-2026-11-01-2026-11-30.xlsx"


def test_an_instant_is_written_in_jakarta_time_exactly_as_isoformat_would():
    from datetime import timedelta

    from api.application.statistics_files import instant_text
    from api.domain.complaints.working_days import JAKARTA

    start = datetime(2025, 12, 31, 16, 59, 58, 999_999, tzinfo=UTC)
    for step in range(0, 400 * 86_400, 86_400 // 7 + 13):
        instant = start + timedelta(seconds=step)
        expected = instant.astimezone(JAKARTA).isoformat(timespec="seconds")
        assert instant_text(instant) == expected
    assert instant_text(None) is None
