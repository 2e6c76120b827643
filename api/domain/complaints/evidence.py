"""Adding evidence (photos, PDFs) to a complaint.

The file is checked from its content (``attachments.check_attachment``), written to the
storage first and recorded second: a crash between the two leaves an unreferenced file,
never a record pointing at nothing. A failed record removes the file again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.attachments import (
    MAX_ATTACHMENTS,
    AttachmentError,
    AttachmentProblem,
    check_attachment,
)
from api.domain.vocabulary import Actor, Status
from api.models import Complaint, ComplaintAttachment, ComplaintEvent
from api.storage import AttachmentStorage, new_attachment_key


class ComplaintClosed(RuntimeError):
    """A closed complaint takes no more evidence."""


@dataclass(frozen=True)
class StoredAttachment:
    id: int
    content_type: str
    size: int
    filename: str
    sha256: str


async def add_attachment(
    *,
    engine: AsyncEngine,
    storage: AttachmentStorage,
    complaint_id: int,
    data: bytes,
    declared_type: str | None,
    filename: str | None,
    actor: Actor,
    actor_name: str,
    now: datetime | None = None,
) -> StoredAttachment:
    """Check and store one file; raises AttachmentError (with its problem) or ComplaintClosed."""
    now = now or datetime.now(UTC)
    complaints, attachments = Complaint.__table__, ComplaintAttachment.__table__
    async with engine.connect() as conn:
        status = (
            await conn.execute(select(complaints.c.status).where(complaints.c.id == complaint_id))
        ).scalar_one()
        count = (
            await conn.execute(
                select(func.count()).where(attachments.c.complaint_id == complaint_id)
            )
        ).scalar_one()
    if status == Status.CLOSED:
        raise ComplaintClosed(complaint_id)
    # Decoding an image to verify it is CPU work: keep it off the event loop.
    checked = await asyncio.to_thread(
        check_attachment,
        data,
        declared_type=declared_type,
        filename=filename,
        already_attached=count,
    )
    key = new_attachment_key(extension=checked.extension, now=now)
    # What is stored is what the check kept: an image without its metadata.
    await storage.put(key, checked.data, content_type=checked.content_type)
    try:
        async with engine.begin() as conn:
            # Counted again under a lock on the complaint (PostgreSQL; SQLite has one
            # writer anyway): two uploads racing for the fifth place must not both win.
            await conn.execute(
                select(complaints.c.id).where(complaints.c.id == complaint_id).with_for_update()
            )
            count = (
                await conn.execute(
                    select(func.count()).where(attachments.c.complaint_id == complaint_id)
                )
            ).scalar_one()
            if count >= MAX_ATTACHMENTS:
                raise AttachmentError(AttachmentProblem.TOO_MANY, max=MAX_ATTACHMENTS)
            attachment_id = (
                await conn.execute(
                    insert(attachments)
                    .values(
                        complaint_id=complaint_id,
                        storage_key=key,
                        content_type=checked.content_type,
                        size=checked.size,
                        sha256=checked.sha256,
                        filename=checked.filename,
                        uploaded_by=actor.value,
                        created_at=now,
                    )
                    .returning(attachments.c.id)
                )
            ).scalar_one()
            await conn.execute(
                insert(ComplaintEvent.__table__).values(
                    complaint_id=complaint_id,
                    at=now,
                    kind="attachment_added",
                    actor_type=actor.value,
                    actor=actor_name,
                    public=True,
                    note=checked.filename,
                )
            )
    except BaseException:
        await storage.delete(key)
        raise
    return StoredAttachment(
        attachment_id, checked.content_type, checked.size, checked.filename, checked.sha256
    )
