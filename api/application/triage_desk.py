"""The triage desk's reading calls: its list, the oldest first, and the place search.

Setting a domicile, previewing where it leads and the audited registry suggestion are
:mod:`api.application.staff_work`'s, shared with the staff API.
"""

from __future__ import annotations

from api.domain.complaints import triage_queue
from api.domain.place_search import Place, find_places
from api.domain.staff import StaffMember
from api.services import Services


async def waiting(
    services: Services, member: StaffMember, *, limit: int = 50
) -> triage_queue.TriageList:
    """The complaints waiting for this member to set their domicile, the oldest first."""
    return await triage_queue.oldest_first(services.engine, member, limit=limit)


def places(services: Services, text: str) -> list[Place]:
    """Kecamatan matching what the desk officer typed (see :mod:`api.domain.place_search`)."""
    return find_places(services.regions, text[:100])
