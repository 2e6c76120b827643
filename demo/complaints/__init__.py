"""The demo's complaints: filed and worked through the product's own calls so that every
console page shows something real (see ``scenarios`` for what, ``playback`` for how).

Seeded once: a database that already holds the demo's complaints is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, select, update

from api.application import administration
from api.application.principals import Operator
from api.domain.api_keys import authenticate
from api.domain.vocabulary import Status
from api.models import Complaint
from api.services import Services
from demo.complaints.playback import Player, play
from demo.complaints.scenarios import SCENARIOS, Scenario
from demo.staff import demo_members

#: The channel the demo's complaints are filed through (its notifications go to a stream
#: no bot reads: the reporters are made up).
SEED_CHANNEL = "demo-seed"


@dataclass(frozen=True)
class SeededComplaints:
    # scenario key → tracking ID; empty when the database had them already.
    tracking_ids: Mapping[str, str]

    @property
    def created(self) -> int:
        return len(self.tracking_ids)


async def seed_demo_complaints(
    services: Services, *, niks: Mapping[str, str], scenarios: tuple[Scenario, ...] = SCENARIOS
) -> SeededComplaints:
    """File and work the demo's complaints, unless an earlier run did. ``niks``: persona
    key → NIK. The demo's staff accounts must exist (``demo.staff.ensure_demo_accounts``)."""
    if await _already_seeded(services):
        return SeededComplaints({})
    key = await administration.create_api_key(services, Operator("demo"), channel=SEED_CHANNEL)
    async with services.sessions() as session:
        channel = await authenticate(session, key)
    assert channel is not None
    members = await demo_members(services)
    player = Player(services, channel, members, niks)
    tracking = await play(player, scenarios, now=datetime.now(UTC))
    await _assign(services, scenarios, tracking, members)
    await _fill_next_due(services)
    return SeededComplaints(tracking)


async def _already_seeded(services: Services) -> bool:
    c = Complaint.__table__.c
    async with services.engine.connect() as conn:
        found = await conn.scalar(select(c.id).where(c.channel == SEED_CHANNEL).limit(1))
    return found is not None


async def _assign(services, scenarios, tracking, members) -> None:
    """Who works which complaint. The console's assign action is not in the application
    yet, so the demo writes the column the action will write."""
    c = Complaint.__table__.c
    async with services.engine.begin() as conn:
        for scenario in scenarios:
            if scenario.assigned:
                await conn.execute(
                    update(Complaint.__table__)
                    .where(c.tracking_id == tracking[scenario.key])
                    .values(assigned_staff_id=members[scenario.assigned].id)
                )


async def _fill_next_due(services: Services) -> None:
    """The earliest deadline still owed, for the demo's complaints: the rule of migration
    0009's backfill, with nothing owed while waiting for the citizen (the clock is stopped).
    The lifecycle actions keep the column up to date themselves once they all write it;
    this puts the same value in the rows of backdated steps whatever the application does."""
    c = Complaint.__table__.c
    nothing_owed = [Status.NEEDS_INFO, Status.RESOLVED, Status.REJECTED, Status.CLOSED]
    next_due = case(
        (
            c.status.in_([s.value for s in nothing_owed])
            | c.answered_at.is_not(None)
            | c.closed_at.is_not(None),
            None,
        ),
        (c.verified_at.is_(None), c.verify_due),
        (c.followed_up_at.is_(None), c.follow_up_due),
        else_=c.resolve_due,
    )
    async with services.engine.begin() as conn:
        await conn.execute(
            update(Complaint.__table__).where(c.channel == SEED_CHANNEL).values(next_due=next_due)
        )
