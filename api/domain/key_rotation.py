"""Moving the personal data at rest to new keys: re-encryption and re-hashing, in batches.

Every pass walks its table in id order, one batch per transaction, and decides for each row
from the row itself whether it is done (its ciphertext opens under the current key; its hash
is the new key's). A pass stopped anywhere — killed, a lost connection — is resumed by
running it again: finished rows are read and left alone, nothing is done twice.

A row the pass can place under neither key is counted as ``unreadable`` and left as it is:
a ciphertext made with a key nobody configured, or a hash under a third key. The command
reports them; the operator decides (it is a wrong key in the settings far more often than a
damaged row).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.protection import DecryptionFailed, Protector
from api.models import Beneficiary, Complaint, DisbursementSubscription, LookupAudit

DEFAULT_BATCH = 1000

# Every encrypted column, with the associated data it is bound to (Protector.encrypt).
ENCRYPTED_COLUMNS = (
    (Beneficiary.__table__, "identity_encrypted", "beneficiary.identity"),
    (Complaint.__table__, "reporter_encrypted", "complaint.reporter"),
    (Complaint.__table__, "subject_encrypted", "complaint.subject"),
)


@dataclass
class PassReport:
    """What one pass over one table did."""

    name: str
    examined: int = 0
    rewritten: int = 0
    unreadable: int = 0


@dataclass
class RotationReport:
    passes: list[PassReport] = field(default_factory=list)

    @property
    def rewritten(self) -> int:
        return sum(p.rewritten for p in self.passes)

    @property
    def unreadable(self) -> int:
        return sum(p.unreadable for p in self.passes)


Progress = Callable[[PassReport], None] | None


async def _batches(
    engine: AsyncEngine,
    table: Table,
    columns,
    batch_size: int,
    result: PassReport,
    progress: Progress,
    where=None,
):
    """Each batch of rows (id order) with an open transaction to write its changes in;
    ``progress`` hears of a batch once it is committed."""
    last = 0
    while True:
        async with engine.begin() as conn:
            query = select(table.c.id, *columns).where(table.c.id > last)
            if where is not None:
                query = query.where(where)
            rows = (await conn.execute(query.order_by(table.c.id).limit(batch_size))).all()
            if not rows:
                return
            yield conn, rows
            last = rows[-1].id
        result.examined += len(rows)
        if progress:
            progress(result)


async def reencrypt(
    engine: AsyncEngine,
    protector: Protector,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress = None,
) -> RotationReport:
    """Re-encrypt under the current key every ciphertext an earlier key made.

    Safe beside a running api (which reads both keys meanwhile): a row is replaced only if
    it still holds the ciphertext read, so a concurrent re-import is never overwritten.
    """
    report = RotationReport()
    for table, name, associated in ENCRYPTED_COLUMNS:
        result = PassReport(f"{table.name}.{name}")
        column = table.c[name]
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), column == bindparam("b_old"))
            .values({name: bindparam("b_new")})
        )
        async for conn, rows in _batches(
            engine, table, [column], batch_size, result, progress, where=column.is_not(None)
        ):
            changes = []
            for row in rows:
                token = row[1]
                try:
                    plaintext, current = protector.decrypt_noting_key(token, column=associated)
                except DecryptionFailed:
                    result.unreadable += 1
                    continue
                if not current:
                    new = protector.encrypt(plaintext, column=associated)
                    changes.append({"b_id": row.id, "b_old": token, "b_new": new})
            if changes:
                await conn.execute(statement, changes)
            result.rewritten += len(changes)
        report.passes.append(result)
    return report


async def rehash(
    engine: AsyncEngine,
    old: Protector,
    new: Protector,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress = None,
) -> RotationReport:
    """Recompute every keyed hash under ``new``'s hash key from the encrypted originals.

    ``old`` holds the retiring hash key. Run with the api stopped: until a person's row is
    re-hashed, a lookup under the new key does not find them. The status-check audit keeps
    only hashes: a row is moved to the new key when its NIK is in the registry, and keeps
    the old one (matching nothing any more) when it is not.
    """
    report = RotationReport()
    report.passes.append(await _rehash_beneficiaries(engine, old, new, batch_size, progress))
    report.passes.append(await _rehash_complaints(engine, old, new, batch_size, progress))
    return report


def _fingerprint(protector: Protector, nik: str, name: str, no_kk: str, row) -> bytes:
    # The same parts, in the same order, as the import's (registry_import/rows.py): a
    # re-import of an unchanged row after the rotation still changes nothing.
    return protector.fingerprint(
        nik,
        no_kk,
        name,
        row.village_code or row.district_code,
        "" if row.desil is None else str(row.desil),
        row.programmes,
        row.exclusions,
    )


async def _rehash_beneficiaries(engine, old, new, batch_size, progress) -> PassReport:
    b = Beneficiary.__table__
    result = PassReport("beneficiary")
    columns = [
        b.c.nik_hash,
        b.c.kk_hash,
        b.c.identity_encrypted,
        b.c.district_code,
        b.c.village_code,
        b.c.desil,
        b.c.programmes,
        b.c.exclusions,
    ]
    person = (
        update(b)
        .where(b.c.id == bindparam("b_id"))
        .values(
            nik_hash=bindparam("b_nik"),
            name_hash=bindparam("b_name"),
            kk_hash=bindparam("b_kk"),
            fingerprint=bindparam("b_fp"),
        )
    )
    async for conn, rows in _batches(engine, b, columns, batch_size, result, progress):
        changes, moved_niks, moved_kks = [], {}, {}
        for row in rows:
            try:
                who = new.decrypt_identity(row.identity_encrypted)
            except DecryptionFailed:
                result.unreadable += 1
                continue
            new_nik = new.nik_hash(who.nik)
            if row.nik_hash == new_nik:
                continue
            if row.nik_hash != old.nik_hash(who.nik):
                result.unreadable += 1
                continue
            new_kk = new.kk_hash(who.no_kk)
            changes.append(
                {
                    "b_id": row.id,
                    "b_nik": new_nik,
                    "b_name": new.name_hash(who.name),
                    "b_kk": new_kk,
                    "b_fp": _fingerprint(new, who.nik, who.name, who.no_kk, row),
                }
            )
            moved_niks[row.nik_hash] = new_nik
            moved_kks[row.kk_hash] = new_kk
        if changes:
            await conn.execute(person, changes)
            await _move(conn, LookupAudit.__table__, "nik_hash", moved_niks)
            await _move(conn, DisbursementSubscription.__table__, "kk_hash", moved_kks)
        result.rewritten += len(changes)
    return result


async def _move(conn: AsyncConnection, table: Table, name: str, mapping: dict) -> None:
    """Replace each old hash by its new one wherever ``table.name`` holds it (indexed)."""
    if mapping:
        column = table.c[name]
        await conn.execute(
            update(table).where(column == bindparam("b_old")).values({name: bindparam("b_new")}),
            [{"b_old": old, "b_new": new} for old, new in mapping.items()],
        )


async def _rehash_complaints(engine, old, new, batch_size, progress) -> PassReport:
    c = Complaint.__table__
    result = PassReport("complaint")
    columns = [
        c.c.channel,
        c.c.reporter_hash,
        c.c.reporter_encrypted,
        c.c.subject_nik_hash,
        c.c.subject_encrypted,
    ]
    statement = (
        update(c)
        .where(c.c.id == bindparam("b_id"))
        .values(reporter_hash=bindparam("b_reporter"), subject_nik_hash=bindparam("b_subject"))
    )
    async for conn, rows in _batches(engine, c, columns, batch_size, result, progress):
        changes = []
        for row in rows:
            try:
                user = json.loads(new.decrypt(row.reporter_encrypted, column="complaint.reporter"))
                subject = (
                    new.decrypt(row.subject_encrypted, column="complaint.subject")
                    if row.subject_encrypted is not None
                    else None
                )
            except DecryptionFailed:
                result.unreadable += 1
                continue
            reporter = _moved(
                row.reporter_hash,
                new.reporter_hash(row.channel, user["user"]),
                old.reporter_hash(row.channel, user["user"]),
            )
            subject_hash = (
                None
                if subject is None
                else _moved(row.subject_nik_hash, new.nik_hash(subject), old.nik_hash(subject))
            )
            if reporter is None or (subject is not None and subject_hash is None):
                result.unreadable += 1
                continue
            if reporter != row.reporter_hash or subject_hash != row.subject_nik_hash:
                changes.append({"b_id": row.id, "b_reporter": reporter, "b_subject": subject_hash})
        if changes:
            await conn.execute(statement, changes)
        result.rewritten += len(changes)
    return result


def _moved(stored: bytes | None, under_new: bytes, under_old: bytes) -> bytes | None:
    """The hash a row should hold: the new one if it holds either; None if neither."""
    return under_new if stored in (under_new, under_old) else None
