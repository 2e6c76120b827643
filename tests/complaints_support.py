"""Helpers for complaint tests: file through the domain and act on a complaint in one line."""

from __future__ import annotations

from datetime import datetime

from api.db import PgPool, session_scope
from api.domain.api_keys import Channel, authenticate
from api.domain.complaints.actions import ActionResult, ActorRef, take_action
from api.domain.complaints.intake import ComplaintDraft, FiledComplaint, Reporter, file_complaint
from api.domain.vocabulary import Action, Actor

STAFF = ActorRef(Actor.STAFF, "handler-1")
CITIZEN = ActorRef(Actor.CITIZEN, "telegram-bot")
PUNGLI_IN_BANYUWANGI = ComplaintDraft(
    category="PUNGLI",
    description="Pendamping meminta Rp50.000 saat pencairan.",
    region_code="351001",
)


async def channel_of(services, api_key: str) -> Channel:
    async with session_scope(services.sessions) as session:
        return await authenticate(session, api_key)


async def file_directly(
    services,
    channel: Channel,
    draft: ComplaintDraft = PUNGLI_IN_BANYUWANGI,
    *,
    reporter: Reporter | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    pool: PgPool | None = None,
) -> FiledComplaint:
    return await file_complaint(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        regions=services.regions,
        programmes=services.programmes,
        channel=channel,
        reporter=reporter or Reporter(channel_user="tg:5", locale="id"),
        draft=draft,
        idempotency_key=idempotency_key,
        now=now,
        pool=pool,
    )


async def act(
    services,
    complaint_id: int,
    action: Action,
    *,
    actor: ActorRef = STAFF,
    now: datetime | None = None,
    **options,
) -> ActionResult:
    return await take_action(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        complaint_id=complaint_id,
        action=action,
        actor=actor,
        now=now,
        **options,
    )


#: A complaint as the channel API takes it: aid not received in Banyuwangi (DINSOS-3510).
AID_NOT_RECEIVED_IN_BANYUWANGI = {
    "reporter": {"channel_user": "tg:4242", "contact": "0812-3456-7890", "locale": "id"},
    "category": "BANTUAN_TIDAK_DITERIMA",
    "description": "Bantuan PKH tahap 3 belum saya terima sampai sekarang.",
    "subject_nik": "3510014107900001",
    "region_code": "3510012001",
    "programme": "PKH",
    "tahap": 3,
}


async def file_through_the_api(client, **changes) -> str:
    """The tracking ID of that complaint filed through the channel API, with ``changes``."""
    response = await client.post(
        "/api/v1/complaints", json={**AID_NOT_RECEIVED_IN_BANYUWANGI, **changes}
    )
    assert response.status_code == 201, response.text
    return response.json()["tracking_id"]
