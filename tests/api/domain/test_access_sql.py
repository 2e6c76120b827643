"""The staff listing's SQL (access.visible_complaints) is the Python rule (access.may_view).

Over a complaint at every place of the access matrix, at every escalation level and in every
privacy mode, on SQLite and on PostgreSQL: each member's listing is exactly the complaints
``may_view`` lets them open, and both are what the matrix says.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from api.domain import access
from api.domain.vocabulary import Privacy
from api.models import ApiKey, Complaint
from tests.api.domain.access_matrix import CAST, DOMICILE_SETTERS, EXPECTED, LEVELS, PLACES

NOW = datetime(2026, 7, 6, 10, tzinfo=UTC)
# A complaint at a triage desk has no domicile yet. Access reads neither district nor regency.
_DISTRICT = {"3510": "351001", "3573": "357301", "1872": "187201", "3525": "352501"}


async def test_each_members_listing_is_what_may_view_allows(services, api_key):
    table = Complaint.__table__
    cases = list(itertools.product(PLACES.items(), LEVELS, Privacy))
    async with services.engine.begin() as conn:
        key_id = await conn.scalar(select(ApiKey.__table__.c.id))
        await conn.execute(
            insert(table),
            [
                _row(number, place, level, privacy, key_id)
                for number, ((_, place), level, privacy) in enumerate(cases)
            ],
        )
    async with services.engine.connect() as conn:
        rows = (await conn.execute(select(table))).all()
        place_of = {row.id: row.description for row in rows}
        for name, member in CAST.items():
            listed = set(
                (await conn.execute(select(table.c.id).where(access.visible_complaints(member))))
                .scalars()
                .all()
            )
            allowed = {row.id for row in rows if access.may_view(member, row)}
            matrix = {id_ for id_, place in place_of.items() if EXPECTED[(name, place)].view}

            assert len(rows) == len(cases)
            assert listed == allowed == matrix, name


async def test_each_members_triage_queue_is_what_may_set_domicile_allows(services, api_key):
    table = Complaint.__table__
    cases = list(itertools.product(PLACES.items(), LEVELS, Privacy))
    async with services.engine.begin() as conn:
        key_id = await conn.scalar(select(ApiKey.__table__.c.id))
        await conn.execute(
            insert(table),
            [
                _row(number, place, level, privacy, key_id)
                for number, ((_, place), level, privacy) in enumerate(cases)
            ],
        )
    async with services.engine.connect() as conn:
        rows = (await conn.execute(select(table))).all()
        for name, member in CAST.items():
            queue = set(
                (await conn.execute(select(table.c.id).where(access.triage_queue(member))))
                .scalars()
                .all()
            )
            allowed = {row.id for row in rows if access.may_set_domicile(member, row)}
            matrix = {
                row.id for row in rows if name in DOMICILE_SETTERS.get(row.description, set())
            }

            assert queue == allowed == matrix, name


def _row(number: int, place, level: int, privacy: Privacy, key_id: int) -> dict:
    regency = place.regency_code
    return {
        "tracking_id": f"ACCESS{number:03d}",
        "category_code": "BANTUAN_TIDAK_DITERIMA",
        "status": "RECEIVED",
        "privacy": privacy.value,
        "api_key_id": key_id,
        "channel": "telegram-bot",
        "reporter_hash": number.to_bytes(32, "big"),
        "reporter_encrypted": b"-",
        "reporter_locale": "id",
        "district_code": _DISTRICT[regency] if regency else None,
        "regency_code": regency,
        "province_code": regency[:2] if regency else None,
        "in_triage": place.in_triage,
        "coordination_region_code": place.coordination_region_code,
        # The place's name, so a failing member's listing can be read back against the matrix.
        "description": next(name for name, p in PLACES.items() if p == place),
        "office_code": place.office_code,
        "routing_reason": "pilot_office",
        "escalation_level": level,
        "verify_due": NOW + timedelta(days=3),
        "follow_up_due": NOW + timedelta(days=5),
        "resolve_due": NOW + timedelta(days=14),
        "created_at": NOW,
        "updated_at": NOW,
    }
