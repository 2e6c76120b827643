"""A statistics table as a file: CSV for tools, XLSX for people.

The console's downloads, the JSON API and the weekly summary write tables through here, so
a table reads the same wherever it is downloaded.

- **CSV** is for tools (pandas, R, a spreadsheet import): the header row is the columns'
  stable keys, values are unformatted (dates ISO ``2026-11-30``, shares as decimals ``0.25``,
  empty where nothing was measured). It starts with a UTF-8 byte order mark: Excel, which
  most analysts will double-click it into, reads a CSV without one in the Windows code page
  and garbles every non-ASCII name, while pandas (``encoding="utf-8-sig"``), R and Python's
  csv skip it. Commas separate fields (RFC 4180) whatever the reader's locale; people who
  want a spreadsheet take the XLSX, which needs no guessing.
- **XLSX** is for people: a header row of labels in the member's language (frozen), number
  formats by the column's kind, a sheet ``definitions`` (key, label, definition) and a sheet
  ``filter`` (what the figures cover, and when the file was made).

Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) is written
with a leading apostrophe in CSV (OWASP's "CSV injection" advice) and always as a string in
XLSX: a name or a citizen's words never execute on an analyst's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import messages
from api.domain.complaints.working_days import JAKARTA
from api.domain.statistics import filters
from api.domain.statistics.queries import StatFilter
from api.domain.statistics.tables import Kind, Table

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def file_name(name: str, where: StatFilter, extension: str) -> str:
    """``bansos-<name>-<from>-<to>.<extension>``: the same view downloads under one name."""
    return f"bansos-{name}-{where.start.isoformat()}-{where.end.isoformat()}.{extension}"


def content_disposition(name: str) -> str:
    return f'attachment; filename="{name}"'


# -- CSV ----------------------------------------------------------------------------------


def csv_value(value: object) -> str:
    """One value as a CSV field: unformatted, formula-safe, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.astimezone(JAKARTA).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)  # the shortest text that reads back as the same number
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def instant_text(value: datetime | None) -> str | None:
    """An instant in Asia/Jakarta time with its offset (``2026-12-01T00:00:00+07:00``),
    to the second: ``value.astimezone(JAKARTA).isoformat(timespec="seconds")``, built from
    cached pieces because a million-row export writes nine of these per row and isoformat
    was most of its time. Jakarta has kept UTC+7, without summer time, since 1964."""
    if value is None:
        return None
    seconds = int(value.timestamp()) + _JAKARTA_OFFSET
    day, in_day = divmod(seconds, 86_400)
    minute, second = divmod(in_day, 60)
    return _day_text(day) + _MINUTES[minute] + _SECONDS[second]


_JAKARTA_OFFSET = 7 * 3600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
_SECONDS = tuple(f"{s:02d}+07:00" for s in range(60))


@lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    return date.fromordinal(_EPOCH_ORDINAL + day).isoformat() + "T"


def safe_text(value: str | None) -> str | None:
    """Text that no spreadsheet will run as a formula."""
    if value is None or not value.startswith(_FORMULA_STARTS):
        return value
    return "'" + value


def flag_text(value: bool | None) -> str | None:
    return None if value is None else ("1" if value else "0")


class _Line:
    """A file-like object that keeps the one line csv.writer just wrote."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV's text line by line (the BOM with the header): a caller can stream it."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(list(header))
    yield BOM + line.text
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
        yield line.text


def csv_chunk(rows: Iterable[Iterable[object]]) -> str:
    """Rows already formatted (:func:`formatted_rows`) as CSV text, no header."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def csv_header(header: Iterable[str]) -> str:
    return next(csv_lines(header, ()))


def formatted_rows(
    rows: Iterable[tuple], formatters: tuple[Callable[[Any], Any] | None, ...]
) -> Iterator[list]:
    """Rows whose every value is formatted by its column's formatter (None: as it is, for a
    code or a number that csv writes unchanged): the fast path of a million-row export, where
    :func:`csv_value`'s checks on every value would be most of the work."""
    for row in rows:
        yield [
            value if format_ is None else format_(value)
            for format_, value in zip(formatters, row, strict=True)
        ]


def table_csv(table: Table) -> Iterator[str]:
    return csv_lines((column.key for column in table.columns), table.rows)


# -- labels -------------------------------------------------------------------------------


def label(key: str, locale: str) -> str:
    """A column's label in ``locale``; its key when no label is written yet (a column added
    by newer code still exports, under its stable key)."""
    return _message(f"statistics.label_{key}", locale) or key


def definition(key: str, locale: str) -> str:
    return _message(f"statistics.define_{key}", locale) or ""


def _message(key: str, locale: str) -> str | None:
    try:
        return messages.render_text(locale, key)
    except messages.UnknownMessage:
        return None


# -- XLSX ---------------------------------------------------------------------------------

_NUMBER_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.SHARE: "0.0%",
    Kind.DAYS: "0",
    Kind.MEAN: "0.0",
    Kind.RATE: "0.0",
    Kind.DATE: "yyyy-mm-dd",
}


def table_xlsx(table: Table, *, where: StatFilter, locale: str, made_at: datetime) -> bytes:
    """The workbook: the table (labelled, formatted), its definitions, and its filter."""
    import xlsxwriter  # when a workbook is asked for: no api process carries it otherwise

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {
        kind: book.add_format({"num_format": code}) for kind, code in _NUMBER_FORMATS.items()
    }

    sheet = book.add_worksheet(table.name[:31])
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, label(column.key, locale), bold)
        sheet.set_column(col, col, 14 if column.kind is not Kind.TEXT else 24)
    for row_index, row in enumerate(table.rows, start=1):
        for col, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            _write_cell(sheet, row_index, col, column.kind, value, formats)
    sheet.freeze_panes(1, 0)

    defined = book.add_worksheet("definitions")
    heading = ("heading_key", "heading_label", "heading_definition")
    for col, key in enumerate(heading):
        defined.write_string(0, col, _text("statistics_files." + key, locale), bold)
    for row_index, column in enumerate(table.columns, start=1):
        defined.write_string(row_index, 0, column.key)
        defined.write_string(row_index, 1, label(column.key, locale))
        defined.write_string(row_index, 2, definition(column.key, locale), wrapped)
    defined.set_column(0, 1, 24)
    defined.set_column(2, 2, 80)
    defined.freeze_panes(1, 0)

    stated = book.add_worksheet("filter")
    for row_index, (name, value) in enumerate(filter_lines(where, locale, made_at)):
        stated.write_string(row_index, 0, name, bold)
        stated.write_string(row_index, 1, value)
    stated.set_column(0, 0, 28)
    stated.set_column(1, 1, 40)

    book.close()
    return out.getvalue()


def _write_cell(sheet, row: int, col: int, kind: Kind, value, formats) -> None:
    if value is None:
        sheet.write_blank(row, col, None)
    elif kind is Kind.DATE and isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), formats[kind])
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value, formats.get(kind))
    else:
        # Always a string: a name beginning with "=" stays a name.
        sheet.write_string(row, col, str(value))


def filter_lines(where: StatFilter, locale: str, made_at: datetime) -> list[tuple[str, str]]:
    """The filter as (label, value) lines: the period, the basis, every dimension asked
    for ("all" for the others), and when the file was made (Asia/Jakarta)."""
    params = filters.filter_params(where)
    lines = [
        (_text("statistics_files.filter_from", locale), params["from"]),
        (_text("statistics_files.filter_to", locale), params["to"]),
        (
            _text("statistics_files.filter_basis", locale),
            _text(f"statistics_files.basis_{params.get('basis', 'event')}", locale),
        ),
    ]
    everything = _text("statistics_files.filter_all", locale)
    for parameter in filters.PARAMETERS:
        lines.append(
            (
                _text(f"statistics_files.filter_{parameter}", locale),
                params.get(parameter, everything),
            )
        )
    made = made_at.astimezone(JAKARTA).isoformat(timespec="seconds")
    lines.append((_text("statistics_files.made_at", locale), made))
    return lines


def _text(key: str, locale: str) -> str:
    return messages.render_text(locale, key)
