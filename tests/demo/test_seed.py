"""The demo's personas each show the kind of answer their description promises."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from api.application import staff_work
from api.domain import access
from api.domain.pilot_config import load_pilot_config
from api.domain.vocabulary import EscalationLevel, Privacy, Role, Status
from api.models import Complaint, ComplaintAttachment, ComplaintEvent, ResponseTemplate, Staff
from demo import population
from demo.seed import pilot_district_codes, seed_demo_console, seed_demo_population
from demo.staff import demo_members

URL = "/api/v1/status-checks"


@pytest.fixture
async def personas(services):
    outcome = await seed_demo_population(
        services.engine,
        protector=services.protector,
        regions=services.regions,
        rules=services.rules,
        pilot=load_pilot_config(),
        families=30,
        seed=7,
    )
    assert outcome.people.rejected == outcome.stages.rejected == 0
    return {persona.key: persona for persona in outcome.personas}


async def check(client, persona, **extra):
    response = await client.post(
        URL,
        json={
            "nik": persona.nik,
            "name": persona.name,
            "channel_user": f"demo:{persona.key}",
            **extra,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["found"], persona.key
    return {p["code"]: p for p in body["person"]["programmes"]}, body["person"]


async def test_every_persona_is_found_by_its_nik_and_name(client, personas):
    assert len(personas) == 9
    for persona in personas.values():
        await check(client, persona)


async def test_recipient_persona_sees_pkh_and_sembako_paid_out_in_tahap_iv(client, personas):
    programmes, _ = await check(client, personas["pkh_sembako_paid"])
    for code in ("PKH", "SEMBAKO"):
        assert programmes[code]["standing"] == "recipient"
        last = programmes[code]["disbursements"][-1]
        assert (last["tahap"], last["stage"], last["status"]) == (4, "TRANSAKSI", "SUKSES")


async def test_failed_top_up_persona_sees_the_pos_reroute(client, personas):
    programmes, _ = await check(client, personas["sembako_topup_failed"])
    last = programmes["SEMBAKO"]["disbursements"][-1]
    assert (last["tahap"], last["channel"]) == (4, "POS")


@pytest.mark.parametrize(
    "key, reason",
    [
        ("desil_above_limit", "desil_above_limit"),
        ("excluded_asn", "excluded_asn_tni_polri"),
        ("dukcapil_not_matched", "excluded_dukcapil_belum_padan"),
        ("eligible_not_designated", "not_designated"),
        ("excluded_electricity", "excluded_listrik_di_atas_1300va"),
    ],
)
async def test_personas_who_get_nothing_are_told_why(client, personas, key, reason):
    programmes, _ = await check(client, personas[key])
    assert programmes["PKH"]["reason_code"] == reason
    assert not programmes["PKH"]["eligible"]


async def test_pbi_only_persona_receives_the_premium_and_nothing_else(client, personas):
    programmes, _ = await check(client, personas["pbi_only"])
    assert [c for c, p in programmes.items() if p["eligible"]] == ["PBI_JK"]


async def test_old_papua_nik_persona_is_found_with_an_unverified_region(client, personas):
    programmes, person = await check(client, personas["old_papua_nik"])
    assert person["nik_region_verified"] is False
    assert programmes["SEMBAKO"]["standing"] == "recipient"


# ---- What the console shows: accounts, complaints in every state, templates ------------


@pytest.fixture
async def console(services):
    """The console's demo data over the personas (the registry itself is not needed)."""
    pilot = load_pilot_config()
    personas = population.demo_personas(pilot_district_codes(pilot, services.regions))
    seeded = await seed_demo_console(services, personas)
    async with services.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(Complaint.__table__).where(
                    Complaint.__table__.c.tracking_id.in_(
                        list(seeded.complaints.tracking_ids.values())
                    )
                )
            )
        ).all()
    by_id = {row.tracking_id: row for row in rows}
    complaints = {key: by_id[tid] for key, tid in seeded.complaints.tracking_ids.items()}
    return seeded, complaints


async def events_of(services, complaint_id: int) -> list:
    t = ComplaintEvent.__table__
    async with services.engine.connect() as conn:
        return (
            await conn.execute(select(t).where(t.c.complaint_id == complaint_id).order_by(t.c.id))
        ).all()


async def test_the_demo_complaints_cover_every_status(console):
    _, complaints = console
    statuses = {row.status for row in complaints.values()}
    assert statuses == {s.value for s in Status}


async def test_a_closed_demo_complaint_carries_its_rating_and_another_closed_unrated(console):
    _, complaints = console
    assert (complaints["closed_rated"].status, complaints["closed_rated"].rating) == (
        "CLOSED",
        5,
    )
    assert complaints["closed_without_rating"].status == "CLOSED"
    assert complaints["closed_without_rating"].rating is None


async def test_the_waiting_complaint_shows_the_question_in_its_timeline(services, console):
    _, complaints = console
    row = complaints["needs_info"]
    assert row.status == "NEEDS_INFO"
    asked = [e for e in await events_of(services, row.id) if e.kind == "request_info"]
    assert asked and asked[-1].public and "tahap berapa" in asked[-1].note


async def test_overdue_complaints_have_a_next_deadline_in_the_past_and_breaches(console):
    _, complaints = console
    now = datetime.now(UTC)
    for key, breach, level in (
        ("overdue_unverified", "VERIFY", EscalationLevel.COORDINATION_REGION),
        ("overdue_resolve", "RESOLVE", EscalationLevel.MINISTRY),
    ):
        row = complaints[key]
        assert row.next_due is not None and aware(row.next_due) < now, key
        assert breach in row.breaches.split(";"), key
        assert row.escalation_level == level, key


async def test_a_breached_then_met_complaint_is_on_time_now_with_its_breach_kept(console):
    _, complaints = console
    row = complaints["breached_then_met"]
    assert row.status == "IN_PROGRESS" and row.verified_at is not None
    assert "VERIFY" in row.breaches.split(";")
    assert aware(row.next_due) > datetime.now(UTC)
    assert row.escalation_level == EscalationLevel.COORDINATION_REGION


async def test_a_poor_rating_reopened_a_complaint_at_the_region_desk(console):
    _, complaints = console
    row = complaints["reopened"]
    assert (row.status, row.office_code, row.reopened, row.rating) == (
        "IN_PROGRESS",
        "WK1",
        True,
        1,
    )


async def test_the_forwarded_complaint_is_at_the_inspektorat_with_the_reason(services, console):
    _, complaints = console
    row = complaints["forwarded"]
    assert (row.office_code, row.transfer_count, row.routing_reason) == (
        "INSPEKTORAT-1872",
        1,
        "forwarded",
    )
    forwarded = [e for e in await events_of(services, row.id) if e.kind == "forwarded"]
    assert "Inspektorat" in forwarded[0].note


async def test_privacy_attachments_assignment_and_triage_are_each_shown(services, console):
    _, complaints = console
    privacies = {row.privacy for row in complaints.values()}
    assert privacies == {p.value for p in Privacy}
    t = ComplaintAttachment.__table__
    async with services.engine.connect() as conn:
        types = set((await conn.execute(select(t.c.content_type))).scalars())
    assert {"image/jpeg", "application/pdf"} <= types
    assigned = [row for row in complaints.values() if row.assigned_staff_id is not None]
    assert assigned and len(assigned) < len(complaints)
    triage = {key: row.office_code for key, row in complaints.items() if row.in_triage}
    assert triage == {"triage_region": "WK1", "triage_national": "NASIONAL"}


async def test_every_demo_complaint_owing_a_duty_has_its_next_deadline(console):
    """None once answered or closed, and while the clock waits for the citizen."""
    _, complaints = console
    for key, row in complaints.items():
        owes = row.status in {"RECEIVED", "VERIFIED", "IN_PROGRESS"}
        assert (row.next_due is not None) == owes, key


async def test_every_demo_account_sees_complaints_in_its_queue_but_the_admin(services, console):
    seeded, _ = console
    members = await demo_members(services)
    for account in seeded.accounts:
        items = await staff_work.queue(services, members[account.username])
        if account.role == Role.ADMIN:
            assert items == []
        else:
            assert items, account.username


async def test_every_demo_account_but_the_admin_may_act_on_a_demo_complaint(services, console):
    """Handlers at their office; the coordinator and the ministry on what was escalated."""
    seeded, complaints = console
    members = await demo_members(services)
    for account in seeded.accounts:
        member = members[account.username]
        actionable = [row for row in complaints.values() if access.may_act(member, row)]
        assert bool(actionable) == (account.role != Role.ADMIN), account.username


async def test_the_temporary_account_must_change_its_password(services, console):
    async with services.engine.connect() as conn:
        flags = dict((await conn.execute(select(Staff.username, Staff.must_change_password))).all())
    assert flags.pop("petugas-baru") is True
    assert not any(flags.values())


async def test_response_templates_exist_for_every_category_in_both_languages(services, console):
    t = ResponseTemplate.__table__
    async with services.engine.connect() as conn:
        rows = (await conn.execute(select(t.c.category_code, t.c.locale, t.c.body))).all()
    categories = {c.code for c in (await services.directory.get()).active_categories()}
    for locale in ("id", "en"):
        assert {r.category_code for r in rows if r.locale == locale} >= categories
    assert all("{tracking_id}" in r.body for r in rows)


async def test_seeding_twice_adds_nothing(services, console):
    pilot = load_pilot_config()
    personas = population.demo_personas(pilot_district_codes(pilot, services.regions))
    tables = (Complaint, Staff, ResponseTemplate, ComplaintEvent)

    async def counts():
        async with services.engine.connect() as conn:
            return [
                await conn.scalar(select(func.count()).select_from(m.__table__)) for m in tables
            ]

    before = await counts()
    again = await seed_demo_console(services, personas)
    assert again.complaints.created == 0 and again.templates == 0
    assert await counts() == before


def aware(instant: datetime) -> datetime:
    """SQLite hands back naive UTC."""
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
