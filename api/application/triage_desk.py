"""The triage desk's reading calls: its list, the oldest first, and the place search.

Setting a domicile, previewing where it leads and the audited registry suggestion are
:mod:`api.application.staff_work`'s, shared with the staff API.
"""

from __future__ import annotations

import hashlib

from api.application.errors import AppError, Refusal
from api.domain.complaints import triage_queue
from api.domain.place_search import Place, find_places
from api.domain.staff import StaffMember
from api.services import Services


def _cursor_key(services: Services) -> bytes:
    secret = services.settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"triage-desk-cursor\0" + secret).digest()


async def waiting(
    services: Services, member: StaffMember, *, limit: int = 50, cursor: str | None = None
) -> triage_queue.TriageList:
    """A page of the complaints waiting for this member to set their domicile, the oldest
    first, after the one ``cursor`` (a page's "next" link) names."""
    try:
        return await triage_queue.oldest_first(
            services.engine, member, limit=limit, cursor=cursor, cursor_key=_cursor_key(services)
        )
    except triage_queue.CursorError:
        raise AppError(
            Refusal.INVALID, "bad_cursor", "console_triage.bad_cursor", field="cursor"
        ) from None


def places(services: Services, text: str) -> list[Place]:
    """Kecamatan matching what the desk officer typed (see :mod:`api.domain.place_search`)."""
    return find_places(services.regions, text[:100])
