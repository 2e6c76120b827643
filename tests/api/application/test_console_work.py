"""The console's queue calls: the forgiving tracking-ID box never reaches outside the
member's view, assignment follows access.may_assign, bulk actions answer per complaint,
saved views keep their limits, a bad cursor is a clear refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from api.application import console_work
from api.application.console_work import BulkAction, BulkKind
from api.application.errors import AppError, Refusal
from api.domain.complaints.intake import ComplaintDraft
from api.domain.complaints.queue_filter import Assigned, QueueFilter
from api.domain.staff import StaffMember, create_staff
from api.domain.vocabulary import Role
from api.models import ComplaintEvent, Staff
from tests.complaints_support import PUNGLI_IN_BANYUWANGI, channel_of, file_directly

AID = ComplaintDraft(
    category="BANTUAN_TIDAK_DITERIMA",
    description="Bantuan tahap 3 belum diterima.",
    subject_nik="3510014107900001",
    region_code="351001",
)


async def member(services, name: str, role=Role.HANDLER, office="DINSOS-3510") -> StaffMember:
    staff_id = await create_staff(
        services.engine,
        username=name,
        display_name=name.title(),
        password="kata-sandi-yang-panjang",
        role=role,
        office_code=office,
    )
    return StaffMember(staff_id, name, name.title(), role, office, "WK4")


@pytest.fixture
async def ana(services):
    return await member(services, "ana")


@pytest.fixture
async def file(services, api_key):
    channel = await channel_of(services, api_key)

    async def filing(draft=AID):
        return (await file_directly(services, channel, draft)).tracking_id

    return filing


def typo_of(tracking_id: str) -> str:
    """One symbol mistyped: the check symbol catches every such typo."""
    return ("1" if tracking_id[0] != "1" else "2") + tracking_id[1:]


async def refused(call) -> AppError:
    with pytest.raises(AppError) as caught:
        await call
    return caught.value


async def test_the_box_forgives_a_mistyped_symbol_within_the_members_view(services, ana, file):
    tracking_id = await file()

    assert await console_work.find_tracking_id(services, ana, typo_of(tracking_id)) == [tracking_id]


async def test_the_box_says_not_found_for_a_complaint_of_another_office(services, ana, file):
    elsewhere = await file(PUNGLI_IN_BANYUWANGI)

    error = await refused(console_work.find_tracking_id(services, ana, elsewhere))

    assert (error.refusal, error.message_key) == (Refusal.NOT_FOUND, "console_queue.not_found")


async def test_assigning_a_colleague_shows_in_the_queue_and_on_the_internal_timeline(
    services, ana, file
):
    budi = await member(services, "budi")
    tracking_id = await file()

    assert await console_work.assign(services, ana, tracking_id, budi.id)
    page = await console_work.queue_page(services, budi, QueueFilter(assigned=Assigned.ME))

    assert [(r.tracking_id, r.assigned_staff_name) for r in page.rows] == [(tracking_id, "Budi")]
    events = ComplaintEvent.__table__
    async with services.engine.connect() as conn:
        kind, note, public = (
            await conn.execute(
                select(events.c.kind, events.c.note, events.c.public).where(
                    events.c.kind == "assigned"
                )
            )
        ).one()
    assert (note, public) == ("Budi", False)


async def test_nobody_of_another_office_nor_a_deactivated_account_is_assigned(services, ana, file):
    citra = await member(services, "citra", office="INSPEKTORAT-3510")
    gone = await member(services, "gone")
    async with services.engine.begin() as conn:
        await conn.execute(
            update(Staff.__table__).where(Staff.__table__.c.id == gone.id).values(active=False)
        )
    tracking_id = await file()

    other_office = await refused(console_work.assign(services, ana, tracking_id, citra.id))
    deactivated = await refused(console_work.assign(services, ana, tracking_id, gone.id))

    assert other_office.message_key == "console_queue.may_not_assign"
    assert deactivated.message_key == "console_queue.assignee_unknown"


async def test_unassigning_gives_the_complaint_back_to_the_office(services, ana, file):
    tracking_id = await file()
    await console_work.assign(services, ana, tracking_id, ana.id)

    assert await console_work.assign(services, ana, tracking_id, None)
    page = await console_work.queue_page(services, ana, QueueFilter(assigned=Assigned.UNASSIGNED))
    assert [r.tracking_id for r in page.rows] == [tracking_id]


async def test_a_bulk_verify_answers_per_complaint_and_one_refusal_undoes_nothing(
    services, ana, file
):
    first, second = await file(), await file()
    elsewhere = await file(PUNGLI_IN_BANYUWANGI)
    await console_work.bulk_act(services, ana, [second], BulkAction(BulkKind.VERIFY))

    results = await console_work.bulk_act(
        services, ana, [first, elsewhere, second], BulkAction(BulkKind.VERIFY)
    )

    assert [(r.tracking_id, r.ok, r.message_key) for r in results] == [
        (first, True, None),
        (elsewhere, False, "staff.not_found"),
        (second, False, "complaints.invalid_transition"),
    ]


async def test_a_bulk_assign_to_me_takes_every_selected_complaint(services, ana, file):
    selected = [await file(), await file()]

    results = await console_work.bulk_act(
        services, ana, selected, BulkAction(BulkKind.ASSIGN_TO_ME)
    )

    assert all(r.ok for r in results)
    mine = await console_work.queue_page(services, ana, QueueFilter(assigned=Assigned.ME))
    assert {r.tracking_id for r in mine.rows} == set(selected)


async def test_saved_views_keep_a_unique_name_per_member_and_at_most_twenty(services, ana):
    await console_work.save_view(services, ana, name="Baru saya", query="tab=new&assigned=me")

    taken = await refused(console_work.save_view(services, ana, name=" Baru saya ", query=""))
    blank = await refused(console_work.save_view(services, ana, name="  ", query=""))
    for n in range(19):
        await console_work.save_view(services, ana, name=f"v{n}", query="")
    too_many = await refused(console_work.save_view(services, ana, name="v20", query=""))

    assert taken.message_key == "console_queue.view_name_taken"
    assert blank.message_key == "console_queue.view_name_length"
    assert too_many.message_key == "console_queue.too_many_views"
    views = await console_work.saved_views_of(services, ana)
    assert len(views) == 20


async def test_a_member_deletes_their_own_view_and_no_one_elses(services, ana):
    budi = await member(services, "budi")
    view = await console_work.save_view(services, ana, name="Baru", query="tab=new")

    error = await refused(console_work.delete_view(services, budi, view.id))
    await console_work.delete_view(services, ana, view.id)

    assert error.message_key == "console_queue.view_not_found"
    assert await console_work.saved_views_of(services, ana) == []


async def test_a_tampered_cursor_is_refused_with_a_clear_message(services, ana):
    error = await refused(console_work.queue_page(services, ana, QueueFilter(cursor="abc")))

    assert (error.refusal, error.message_key) == (Refusal.INVALID, "console_queue.bad_cursor")
