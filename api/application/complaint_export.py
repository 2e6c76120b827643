"""The complaint-level export of the ministry's analysts: one CSV row per complaint filed in
the statistics filter's period, streamed from a server-side cursor so a million rows leave
in bounded memory.

Who may: :func:`api.domain.access.may_export_complaint_rows` (the ministry). What leaves:
:mod:`api.domain.statistics.complaint_rows` (never the reporter, the NIK or the contact;
RAHASIA complaints without their kecamatan or description). Every export is on record in
``complaint_export_audit`` before its first row leaves (who, when, the filter, whether the
citizens' descriptions were asked for), and its row count once the last one has.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy import insert, update

from api.application import statistics
from api.application.errors import AppError, Refusal
from api.application.statistics_files import (
    csv_chunk,
    csv_header,
    file_name,
    flag_text,
    formatted_rows,
    instant_text,
    safe_text,
)
from api.domain import access
from api.domain.staff import StaffMember
from api.domain.statistics import complaint_rows, filters
from api.domain.statistics.queries import StatFilter
from api.models import ComplaintExportAudit
from api.services import Services

#: Rows fetched from the cursor, and written to the response, at a time: large enough that
#: per-chunk costs vanish (the server's CPU time per export was the same at 2,000, 500 and
#: 250), small enough that a chunk is 150-200 KB of CSV. What a chunk holds (the fetched
#: rows, their text, the gzip of it) is what the export adds to the server's memory, and the
#: allocator keeps it afterwards: 2,000 rows added 12-16 MB, 500 add 4-5 MB
#: (docs/performance.md, "Statistics exports").
ROWS_PER_CHUNK = 500
NAME = "complaints"

_audit = ComplaintExportAudit.__table__
_FORMATTERS = {
    complaint_rows.Shape.CODE: None,
    complaint_rows.Shape.NUMBER: None,
    complaint_rows.Shape.INSTANT: instant_text,
    complaint_rows.Shape.TEXT: safe_text,
    complaint_rows.Shape.FLAG: flag_text,
}


@dataclass(frozen=True)
class RowExport:
    """An export that may start: its filter, file name, and its CSV text in chunks (reading
    them runs the query; the audit row is already written)."""

    where: StatFilter
    file_name: str
    chunks: AsyncIterator[str]


async def complaint_rows_export(
    services: Services,
    member: StaffMember,
    params: Mapping[str, str],
    *,
    with_descriptions: bool,
) -> RowExport:
    """The export ``params`` (the statistics filter) asks for, audited.

    Refused (``AppError``): a member other than the ministry (FORBIDDEN); a malformed or
    unknown filter value (INVALID), as :func:`statistics.scoped_filter` refuses it.
    """
    where = await check_may_export(services, member, params)
    audit_id = await _audit_started(services, member, where, with_descriptions)
    return RowExport(
        where=where,
        file_name=file_name(NAME, where, "csv"),
        chunks=_chunks(services, where, audit_id, with_descriptions=with_descriptions),
    )


async def check_may_export(
    services: Services, member: StaffMember, params: Mapping[str, str]
) -> StatFilter:
    """The filter of an export ``member`` may make (refused as :func:`complaint_rows_export`
    refuses), without starting it: a confirmation is shown only to who may confirm."""
    if not access.may_export_complaint_rows(member):
        raise AppError(
            Refusal.FORBIDDEN, "rows_ministry_only", "statistics_files.rows_ministry_only"
        )
    return await statistics.scoped_filter(services, member, params)


async def _chunks(
    services: Services, where: StatFilter, audit_id: int, *, with_descriptions: bool
) -> AsyncIterator[str]:
    directory = await services.directory.get()
    tiers = {code: category.deadline_tier for code, category in directory.categories.items()}
    header = complaint_rows.columns(with_description=with_descriptions)
    formatters = tuple(_FORMATTERS[complaint_rows.SHAPES[column]] for column in header)
    statement = complaint_rows.query(where, with_description=with_descriptions)
    written = 0
    yield csv_header(header)
    async with services.engine.connect() as conn:
        # A server-side cursor: PostgreSQL (and SQLite) hand the rows over a chunk at a
        # time, never the whole result at once.
        result = await conn.stream(statement.execution_options(yield_per=ROWS_PER_CHUNK))
        async for records in result.partitions():
            # Each row is formatted as the CSV writer reaches it: the chunk's rows are held
            # once (as fetched), not a second time as a list of export rows.
            rows = (
                complaint_rows.export_row(record, tiers=tiers, with_description=with_descriptions)
                for record in records
            )
            written += len(records)
            yield csv_chunk(formatted_rows(rows, formatters))
    await _audit_finished(services, audit_id, written)


async def _audit_started(
    services: Services, member: StaffMember, where: StatFilter, with_descriptions: bool
) -> int:
    async with services.engine.begin() as conn:
        result = await conn.execute(
            insert(_audit).returning(_audit.c.id),
            {
                "at": datetime.now(UTC),
                "staff_id": member.id,
                "filter": urlencode(filters.filter_params(where))[:1000],
                "descriptions": with_descriptions,
            },
        )
        return result.scalar_one()


async def _audit_finished(services: Services, audit_id: int, rows: int) -> None:
    async with services.engine.begin() as conn:
        await conn.execute(
            update(_audit)
            .where(_audit.c.id == audit_id)
            .values(rows=rows, finished_at=datetime.now(UTC))
        )
