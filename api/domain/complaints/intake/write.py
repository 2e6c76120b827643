"""Writing a submission's rows, atomically and in as few round trips as the database allows.

Intake is the service's hottest write (bench/complaints.py measures it), so statements are
built once and given their values at execution, and PostgreSQL gets all four rows in one
statement. Either path returns only after the rows are durable.

On PostgreSQL with the api's plain asyncpg pool (``PgPool``, as the status check uses), the
statement also answers whether the registry knows the subject (an ``EXISTS`` inside the
insert instead of a look-up before it): one round trip whatever the complaint, and none of
SQLAlchemy's per-execution work (bench/intake_floor.py measured intake against its floor).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import bindparam, exists, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.db import PgPool
from api.domain.complaints.intake.domicile import subject_in_registry
from api.domain.complaints.intake.drafts import CheckedDraft, FiledComplaint
from api.domain.complaints.intake.rows import Submission
from api.domain.vocabulary import Status
from api.models import Beneficiary, Complaint, ComplaintEvent, IdempotencyKey, OutboxMessage

_INSERT_COMPLAINT = insert(Complaint.__table__).returning(Complaint.__table__.c.id)
_INSERT_EVENT = insert(ComplaintEvent.__table__)
_INSERT_IDEMPOTENCY_KEY = insert(IdempotencyKey.__table__)
_INSERT_OUTBOX = insert(OutboxMessage.__table__)


async def store(
    engine: AsyncEngine,
    submission: Submission,
    checked: CheckedDraft,
    *,
    pool: PgPool | None = None,
) -> FiledComplaint:
    """Write the complaint and its companions in one transaction; IntegrityError when the
    Idempotency-Key (or, rarely, the random tracking ID) is already taken."""
    subject = checked.subject
    subject_hash = submission.protector.nik_hash(subject.value) if subject else None
    if pool is not None:
        values = await _store_on_the_pool(pool, submission, checked, subject_hash)
    elif engine.dialect.name == "postgresql":
        values = await _store_in_one_statement(engine, submission, checked, subject_hash)
    else:
        values = await _store_in_a_transaction(engine, submission, checked, subject_hash)
    return FiledComplaint(
        id=values["id"],
        tracking_id=values["tracking_id"],
        status=Status.RECEIVED,
        category=values["category_code"],
        office_code=values["office_code"],
        routing_reason=values["routing_reason"],
        verify_due=values["verify_due"],
        follow_up_due=values["follow_up_due"],
        resolve_due=values["resolve_due"],
        created_at=submission.now,
        in_triage=values["in_triage"],
    )


@cache
def _all_inserts(*, with_idempotency_key: bool, subject_looked_up: bool = False):
    """complaint, its first event, [its Idempotency-Key record,] the outbox message: one
    statement. Parameters are the rows' columns prefixed c_, e_, i_, o_. With
    ``subject_looked_up`` the statement itself finds whether the registry knows the subject
    (``c_subject_in_registry`` is then not a parameter)."""
    complaint, event = Complaint.__table__, ComplaintEvent.__table__
    idempotency, outbox = IdempotencyKey.__table__, OutboxMessage.__table__

    def params(table, prefix: str, skip: tuple[str, ...] = ("id",)) -> dict:
        return {
            column.name: bindparam(f"{prefix}{column.name}", type_=column.type)
            for column in table.columns
            if column.name not in skip
        }

    complaint_values = params(complaint, "c_")
    if subject_looked_up:
        complaint_values["subject_in_registry"] = exists().where(
            Beneficiary.__table__.c.nik_hash == complaint_values["subject_nik_hash"]
        )
    new_complaint = insert(complaint).values(complaint_values).returning(complaint.c.id).cte("c")

    def child(table, prefix: str):
        columns = params(table, prefix, skip=("id", "complaint_id"))
        return insert(table).from_select(
            ["complaint_id", *columns], select(new_complaint.c.id, *columns.values())
        )

    ctes = [child(event, "e_").cte("e"), insert(outbox).values(params(outbox, "o_")).cte("o")]
    if with_idempotency_key:
        ctes.append(child(idempotency, "i_").cte("i"))
    return select(new_complaint.c.id).add_cte(*ctes)


async def _store_in_one_statement(
    engine: AsyncEngine, submission: Submission, checked: CheckedDraft, subject_hash
) -> dict:
    # PostgreSQL: the four inserts are one statement (data-modifying CTEs), atomic by
    # itself, sent in autocommit mode: one round trip (two with a registry lookup)
    # instead of seven, which is most of what intake costs.
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        in_registry = await subject_in_registry(conn, subject_hash)
        values = submission.complaint_row(checked, subject_hash, in_registry=in_registry)
        parameters = {f"c_{name}": value for name, value in values.items()}
        for prefix, row in (
            ("e_", submission.event_row(values)),
            ("i_", submission.idempotency_row()),
            ("o_", submission.outbox_row(values)),
        ):
            parameters.update({f"{prefix}{name}": value for name, value in row.items()})
        statement = _all_inserts(with_idempotency_key=bool(submission.idempotency_key))
        values["id"] = (await conn.execute(statement, parameters)).scalar_one()
    return values


class _PoolStatement:
    """The one-statement insert compiled for asyncpg: its SQL, and how to turn the named
    parameters into its positional ones (each through its column type's bind processor,
    as SQLAlchemy would: timestamps to UTC, booleans)."""

    def __init__(self, dialect: Dialect, *, with_idempotency_key: bool) -> None:
        statement = _all_inserts(with_idempotency_key=with_idempotency_key, subject_looked_up=True)
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._positions: list[tuple[str, Callable[[Any], Any] | None]] = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup or ()
        ]

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        return [
            parameters[name] if process is None else process(parameters[name])
            for name, process in self._positions
        ]


@cache
def _pool_statement(dialect: Dialect, *, with_idempotency_key: bool) -> _PoolStatement:
    return _PoolStatement(dialect, with_idempotency_key=with_idempotency_key)


async def _store_on_the_pool(
    pool: PgPool, submission: Submission, checked: CheckedDraft, subject_hash
) -> dict:
    # One autocommit statement on a plain asyncpg connection: atomic by itself, durable when
    # it returns. ``subject_in_registry`` is decided inside it (see _all_inserts).
    values = submission.complaint_row(checked, subject_hash, in_registry=False)
    del values["subject_in_registry"]
    parameters = {f"c_{name}": value for name, value in values.items()}
    for prefix, row in (
        ("e_", submission.event_row(values)),
        ("i_", submission.idempotency_row()),
        ("o_", submission.outbox_row(values)),
    ):
        parameters.update({f"{prefix}{name}": value for name, value in row.items()})
    statement = _pool_statement(pool.dialect, with_idempotency_key=bool(submission.idempotency_key))
    arguments = statement.arguments(parameters)
    try:
        async with pool.acquire() as conn:
            values["id"] = await conn.fetchval(statement.sql, *arguments)
    except asyncpg.IntegrityConstraintViolationError as error:
        # As the engine would raise it: filing tells a retried Idempotency-Key by it.
        raise IntegrityError(statement.sql, None, error) from error
    return values


async def _store_in_a_transaction(
    engine: AsyncEngine, submission: Submission, checked: CheckedDraft, subject_hash
) -> dict:
    # Statements are built once at import and given their values at execution: building
    # an INSERT with forty values per request was the costliest part of intake.
    async with engine.begin() as conn:
        in_registry = await subject_in_registry(conn, subject_hash)
        values = submission.complaint_row(checked, subject_hash, in_registry=in_registry)
        values["id"] = (await conn.execute(_INSERT_COMPLAINT, values)).scalar_one()
        await conn.execute(
            _INSERT_EVENT, {"complaint_id": values["id"], **submission.event_row(values)}
        )
        if submission.idempotency_key:
            await conn.execute(
                _INSERT_IDEMPOTENCY_KEY,
                {"complaint_id": values["id"], **submission.idempotency_row()},
            )
        await conn.execute(_INSERT_OUTBOX, submission.outbox_row(values))
    return values
