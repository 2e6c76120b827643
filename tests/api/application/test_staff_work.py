"""Staff work: the reporter and the subject's NIK are shown only when revealed, each
reveal audited, never the reporter of an ANONIM complaint; others' complaints do not exist."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.application import staff_work
from api.application.errors import AppError, Refusal
from api.domain.complaints.intake import ComplaintDraft, Reporter
from api.domain.staff import StaffMember, create_staff
from api.domain.vocabulary import Action, Role
from api.models import StaffAccessAudit
from tests.complaints_support import channel_of, file_directly

NIK = "3510014107900001"
AID_NOT_RECEIVED = ComplaintDraft(
    category="BANTUAN_TIDAK_DITERIMA",
    description="Bantuan tahap 3 belum diterima.",
    subject_nik=NIK,
    region_code="351001",
)


@pytest.fixture
async def handler(services) -> StaffMember:
    staff_id = await create_staff(
        services.engine,
        username="banyuwangi",
        display_name="Banyuwangi",
        password="kata-sandi-yang-panjang",
        role=Role.HANDLER,
        office_code="DINSOS-3510",
    )
    return StaffMember(staff_id, "banyuwangi", "Banyuwangi", Role.HANDLER, "DINSOS-3510", "WK4")


async def filed(services, api_key, privacy: str = "BIASA") -> str:
    draft = ComplaintDraft(**{**AID_NOT_RECEIVED.__dict__, "privacy": privacy})
    complaint = await file_directly(
        services,
        await channel_of(services, api_key),
        draft,
        reporter=Reporter(channel_user="tg:77", locale="id", contact="0812-1111-2222"),
    )
    return complaint.tracking_id


async def audited(services, member) -> list[str]:
    table = StaffAccessAudit.__table__
    async with services.engine.connect() as conn:
        rows = await conn.execute(
            select(table.c.what).where(table.c.staff_id == member.id).order_by(table.c.id)
        )
        return [what for (what,) in rows]


async def test_opening_shows_neither_reporter_nor_nik_until_revealed(services, api_key, handler):
    tracking_id = await filed(services, api_key)

    closed = await staff_work.view_complaint(services, handler, tracking_id)
    opened = await staff_work.view_complaint(
        services, handler, tracking_id, reveal_reporter=True, reveal_subject=True
    )

    assert (closed.reporter, closed.subject_nik) == (None, None)
    assert opened.reporter["contact"] == "0812-1111-2222"
    assert opened.subject_nik == NIK
    assert await audited(services, handler) == ["view", "view", "view_reporter", "view_subject"]


async def test_an_anonim_reporter_is_never_revealed_nor_audited_as_seen(services, api_key, handler):
    tracking_id = await filed(services, api_key, privacy="ANONIM")

    opened = await staff_work.view_complaint(services, handler, tracking_id, reveal_reporter=True)

    assert opened.reporter is None
    assert await audited(services, handler) == ["view"]


async def test_another_office_complaint_is_refused_like_a_missing_one(services, api_key):
    tracking_id = await filed(services, api_key)
    await create_staff(
        services.engine,
        username="metro",
        display_name="Metro",
        password="kata-sandi-yang-panjang",
        role=Role.HANDLER,
        office_code="DINSOS-1872",
    )
    metro = StaffMember(99, "metro", "Metro", Role.HANDLER, "DINSOS-1872", "WK2")

    refusals = []
    for attempt in (tracking_id, "7K3-M9Q-X2D"):
        with pytest.raises(AppError) as refused:
            await staff_work.act_on_complaint(services, metro, attempt, action=Action.VERIFY)
        refusals.append((refused.value.refusal, refused.value.code))

    assert refusals == [(Refusal.NOT_FOUND, "complaint_not_found")] * 2


async def test_an_action_is_taken_and_audited(services, api_key, handler):
    tracking_id = await filed(services, api_key)

    result = await staff_work.act_on_complaint(services, handler, tracking_id, action=Action.VERIFY)

    assert result.status == "VERIFIED"
    assert await audited(services, handler) == ["act"]
