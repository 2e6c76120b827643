"""The demo's year of complaints: thousands of histories ending today, so that every
statistics chart has a story (see ``story`` for which, ``replay`` for how each becomes the
rows the application would have written, and ``write`` for how they are stored at once).

Seeded once, after the console's hand-made complaints; the statistics are then rebuilt
from the raw tables (``bansos stats rebuild``'s own function), so the figures are ready
when the demo prints its addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from api.application import administration
from api.application.principals import Operator
from api.domain.api_keys import authenticate
from api.domain.statistics.rebuild import rebuild_counts
from api.models import Beneficiary, Complaint
from api.services import Services
from demo.history.replay import Replayer
from demo.history.story import CHANNELS, Place, Subject, reporter_of, year_of_plots
from demo.history.write import store_histories
from demo.population import generate_population

#: How many complaints the year holds unless told otherwise.
DEFAULT_COMPLAINTS = 3_000
#: Families the complaints' subjects are drawn from (the start of the demo's population:
#: the registry knows them when the demo seeded at least as many).
SUBJECT_FAMILIES = 800


@dataclass(frozen=True)
class SeededHistory:
    complaints: int  # 0 when the database had the year already
    events: int


async def seed_history(
    services: Services,
    *,
    district_codes: list[str],
    complaints: int = DEFAULT_COMPLAINTS,
    seed: int = 2026,
    now: datetime | None = None,
) -> SeededHistory:
    """Seed the year (unless an earlier run did) and rebuild the statistics."""
    now = now or datetime.now(UTC)
    if complaints <= 0 or await already_seeded(services):
        return SeededHistory(0, 0)
    directory = await services.directory.get()
    place = _place(directory, services)
    subjects = [
        Subject(person.nik, family.district_code)
        for family in generate_population(
            district_codes=district_codes, families=SUBJECT_FAMILIES, seed=seed
        )
        for person in family.members[:2]
    ]
    plots = year_of_plots(
        count=complaints,
        subjects=subjects,
        place=place,
        calendar=services.calendar,
        now=now,
        seed=seed,
    )
    replayer = Replayer(
        protector=services.protector,
        directory=directory,
        calendar=services.calendar,
        regions=services.regions,
        programmes=services.programmes,
        channels=await _channels(services),
        registered=await _registered(services, subjects),
    )
    histories = [replayer.replay(plot, now) for plot in plots]
    events = await store_histories(services.engine, histories)
    await rebuild_counts(engine=services.engine, calendar=services.calendar, now=now)
    return SeededHistory(len(histories), events)


async def already_seeded(services: Services) -> bool:
    """Whether the year's first complaint is in the database (its reporter, by keyed hash,
    through whichever channel the story gave it)."""
    hashes = [services.protector.reporter_hash(name, reporter_of(1)) for name, _ in CHANNELS]
    c = Complaint.__table__.c
    async with services.engine.connect() as conn:
        found = await conn.scalar(select(c.id).where(c.reporter_hash.in_(hashes)).limit(1))
    return found is not None


def _place(directory, services: Services) -> Place:
    routing = directory.routing
    offices: dict[str, dict[str, str]] = {}
    for office in routing.offices.values():
        if office.regency_code and office.active:
            offices.setdefault(office.regency_code, {})[str(office.type)] = office.code
    names = {code: services.regions.regency(code).name for code in routing.pilot_regencies}
    return Place(offices, dict(routing.pilot_regencies), names)


async def _channels(services: Services) -> dict:
    """A key per channel the year's complaints came through (as each channel holds one)."""
    channels = {}
    for name, _ in CHANNELS:
        key = await administration.create_api_key(services, Operator("demo"), channel=name)
        async with services.sessions() as session:
            channels[name] = await authenticate(session, key)
    return channels


async def _registered(services: Services, subjects: list[Subject]) -> frozenset[bytes]:
    """The subjects' keyed hashes the registry knows (intake asks the same, one by one)."""
    hashes = [services.protector.nik_hash(subject.nik) for subject in subjects]
    b = Beneficiary.__table__.c
    found: set[bytes] = set()
    async with services.engine.connect() as conn:
        for start in range(0, len(hashes), 500):
            rows = await conn.execute(
                select(b.nik_hash).where(b.nik_hash.in_(hashes[start : start + 500]))
            )
            found.update(rows.scalars())
    return frozenset(found)
