"""Writing a submission's rows, atomically and in as few round trips as the database allows.

Intake is the service's hottest write (bench/complaints.py measures it), so statements are
built once and given their values at execution, and PostgreSQL gets all four rows in one
statement. Either path returns only after the rows are durable.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.intake.domicile import subject_in_registry
from api.domain.complaints.intake.drafts import CheckedDraft, FiledComplaint
from api.domain.complaints.intake.rows import Submission
from api.domain.vocabulary import Status
from api.models import Complaint, ComplaintEvent, IdempotencyKey, OutboxMessage

_INSERT_COMPLAINT = insert(Complaint.__table__).returning(Complaint.__table__.c.id)
_INSERT_EVENT = insert(ComplaintEvent.__table__)
_INSERT_IDEMPOTENCY_KEY = insert(IdempotencyKey.__table__)
_INSERT_OUTBOX = insert(OutboxMessage.__table__)


async def store(
    engine: AsyncEngine, submission: Submission, checked: CheckedDraft
) -> FiledComplaint:
    """Write the complaint and its companions in one transaction; IntegrityError when the
    Idempotency-Key (or, rarely, the random tracking ID) is already taken."""
    subject = checked.subject
    subject_hash = submission.protector.nik_hash(subject.value) if subject else None
    if engine.dialect.name == "postgresql":
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
def _all_inserts(*, with_idempotency_key: bool):
    """complaint, its first event, [its Idempotency-Key record,] the outbox message: one
    statement. Parameters are the rows' columns prefixed c_, e_, i_, o_."""
    complaint, event = Complaint.__table__, ComplaintEvent.__table__
    idempotency, outbox = IdempotencyKey.__table__, OutboxMessage.__table__

    def params(table, prefix: str, skip: tuple[str, ...] = ("id",)) -> dict:
        return {
            column.name: bindparam(f"{prefix}{column.name}", type_=column.type)
            for column in table.columns
            if column.name not in skip
        }

    new_complaint = (
        insert(complaint).values(params(complaint, "c_")).returning(complaint.c.id).cte("c")
    )

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
