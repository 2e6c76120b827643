"""Do the database, the attachments and the keys belong together?

The check a restored backup (or a key rotation, or a move to new hardware) must pass before
anyone relies on it. A database restored without its attachments, or started with another
deployment's keys, looks healthy to ``/readyz`` and fails only when a handler opens a
complaint or a citizen checks their status: this finds it first.

* the schema is at the migrations' head;
* a sample of people: each identity opens under DATA_ENCRYPTION_KEY and its NIK hashes,
  under NIK_HASH_KEY, to the hash the row is found by (the two keys are this database's);
* a sample of complaints: the reporter opens and hashes the same way;
* a sample of attachments (or all): each file is there, with the recorded SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.protection import DecryptionFailed, Protector
from api.models import Beneficiary, Complaint, ComplaintAttachment, Staff
from api.storage import AttachmentStorage, StorageNotFound


@dataclass
class DataCheck:
    schema_revision: str | None = None
    beneficiaries: int = 0
    complaints: int = 0
    attachments: int = 0
    administrators: int = 0
    people_checked: int = 0
    complaints_checked: int = 0
    attachments_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def check_data(
    engine: AsyncEngine,
    protector: Protector,
    storage: AttachmentStorage,
    *,
    head_revision: str,
    sample: int,
    attachments: int | None,
) -> DataCheck:
    """``sample`` people and complaints, ``attachments`` files (None: every one)."""
    result = DataCheck()
    async with engine.connect() as conn:
        result.schema_revision = await _revision(conn)
        if result.schema_revision != head_revision:
            result.problems.append(
                f"the schema is at {result.schema_revision or 'nothing'}, the code expects "
                f"{head_revision}: run `bansos migrate`"
            )
            return result
        b, c, a = Beneficiary.__table__, Complaint.__table__, ComplaintAttachment.__table__
        result.beneficiaries = await conn.scalar(select(func.count()).select_from(b))
        result.complaints = await conn.scalar(select(func.count()).select_from(c))
        result.attachments = await conn.scalar(select(func.count()).select_from(a))
        result.administrators = await conn.scalar(
            select(func.count()).where(Staff.role == "ADMIN", Staff.active.is_(True))
        )
        people = (
            await conn.execute(
                select(b.c.id, b.c.nik_hash, b.c.identity_encrypted).order_by(b.c.id).limit(sample)
            )
        ).all()
        complaints = (
            await conn.execute(
                select(c.c.id, c.c.channel, c.c.reporter_hash, c.c.reporter_encrypted)
                .order_by(c.c.id.desc())
                .limit(sample)
            )
        ).all()
        files_query = select(a.c.id, a.c.storage_key, a.c.sha256).order_by(a.c.id.desc())
        if attachments is not None:
            files_query = files_query.limit(attachments)
        files = (await conn.execute(files_query)).all()

    for row in people:
        try:
            identity = protector.decrypt_identity(row.identity_encrypted)
        except DecryptionFailed:
            result.problems.append(
                f"beneficiary {row.id}: does not decrypt (another DATA_ENCRYPTION_KEY?)"
            )
            continue
        if protector.nik_hash(identity.nik) != row.nik_hash:
            result.problems.append(
                f"beneficiary {row.id}: its NIK hashes differently (another NIK_HASH_KEY?)"
            )
        result.people_checked += 1
    for row in complaints:
        try:
            reporter = json.loads(
                protector.decrypt(row.reporter_encrypted, column="complaint.reporter")
            )
        except DecryptionFailed:
            result.problems.append(
                f"complaint {row.id}: the reporter does not decrypt (another DATA_ENCRYPTION_KEY?)"
            )
            continue
        if protector.reporter_hash(row.channel, reporter["user"]) != row.reporter_hash:
            result.problems.append(
                f"complaint {row.id}: the reporter hashes differently (another NIK_HASH_KEY?)"
            )
        result.complaints_checked += 1
    for row in files:
        try:
            data = await storage.get(row.storage_key)
        except StorageNotFound:
            result.problems.append(f"attachment {row.id}: its file is missing")
            continue
        if hashlib.sha256(data).hexdigest() != row.sha256:
            result.problems.append(f"attachment {row.id}: its file differs from the one uploaded")
        result.attachments_checked += 1
    return result


async def _revision(conn: AsyncConnection) -> str | None:
    """The schema's migration, None for a database never migrated."""
    try:
        return await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        return None
