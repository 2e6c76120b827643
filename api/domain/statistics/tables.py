"""A statistics table as every surface shows it: the page, the CSV, the XLSX, the JSON API.

A table is named columns and rows of plain values; a column's ``key`` is stable (the CSV
header, the JSON field, the message keys of its label and definition in
``messages/<locale>/statistics.j2``), its ``kind`` says how a value is written (a share as a
percentage, days with one decimal for a mean). Nothing here knows a locale or a format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # a name or a code
    DATE = "date"  # the first day of a trend point
    COUNT = "count"  # a whole number
    SHARE = "share"  # 0..1, shown as a percentage; None when there is nothing to share
    DAYS = "days"  # working days, whole (a median, a p90); None when nothing was measured
    HOURS = "hours"  # clock hours, whole (time to route); None when nothing was measured
    MEAN = "mean"  # a mean, one decimal; None when nothing was measured
    RATE = "rate"  # per 10,000 beneficiaries, one decimal


@dataclass(frozen=True)
class Column:
    key: str
    kind: Kind


@dataclass(frozen=True)
class Table:
    """``name`` is stable too (the export's file name, the JSON API's path)."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]

    def column(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(key)

    def values(self, key: str) -> list:
        index = self.column(key)
        return [row[index] for row in self.rows]

    def as_dicts(self) -> list[dict]:
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


def columns(*spec: tuple[str, Kind]) -> tuple[Column, ...]:
    return tuple(Column(key, kind) for key, kind in spec)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def ranked(rows: Sequence[tuple], by: int, *, descending: bool = True) -> tuple[tuple, ...]:
    """Rows ordered by column ``by`` (rows without a value last), then by their first column."""
    present = [row for row in rows if row[by] is not None]
    absent = [row for row in rows if row[by] is None]
    present.sort(key=lambda row: (-row[by] if descending else row[by], str(row[0])))
    absent.sort(key=lambda row: str(row[0]))
    return tuple(present + absent)
