"""Whether a list a member is looking at went stale: the console's live updates.

A page polls (every 15 seconds at most) with the instant it was drawn; the answer is a stamp
of the list and how many of its complaints changed since. A poll is not the member's
activity: the console checks the session without restarting its idle timeout.
"""

from __future__ import annotations

from datetime import datetime

from api.domain.complaints.queue_filter import QueueFilter
from api.domain.complaints.watching import Watch, WatchedList, watch
from api.domain.staff import StaffMember
from api.services import Services


async def list_changes(
    services: Services,
    member: StaffMember,
    watched: WatchedList,
    *,
    since: datetime,
    queue_filter: QueueFilter | None = None,
) -> Watch:
    """The stamp of ``watched`` as this member sees it (narrowed by the stable part of the
    page's filter), and its changes after ``since``."""
    return await watch(services.engine, member, watched, since=since, flt=queue_filter)
