"""The console's queue: what a member sees, in which order, page after page, per tab and
deadline state, and how many per tab."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from api.domain.complaints import console_queue
from api.domain.complaints.console_queue import CursorError
from api.domain.complaints.intake import ComplaintDraft
from api.domain.complaints.queue_filter import Assigned, DeadlineState, QueueFilter, Tab
from api.domain.complaints.sla import run_deadline_job
from api.domain.complaints.working_days import JAKARTA
from api.domain.staff import StaffMember
from api.domain.vocabulary import Action, Deadline, Role
from tests.complaints_support import act as act_on
from tests.complaints_support import channel_of, file_directly

KEY = b"k" * 32
HANDLER = StaffMember(1, "ana", "Ana", Role.HANDLER, "DINSOS-3510", "WK4")
OTHER_OFFICE = StaffMember(2, "citra", "Citra", Role.HANDLER, "INSPEKTORAT-3510", "WK4")
MINISTRY = StaffMember(3, "menteri", "Kemensos", Role.MINISTRY, "NASIONAL", None)
AID = ComplaintDraft(
    category="BANTUAN_TIDAK_DITERIMA",
    description="Bantuan tahap 3 belum diterima.",
    subject_nik="3510014107900001",
    region_code="351001",
)
PUNGLI = ComplaintDraft(
    category="PUNGLI", description="Pendamping meminta Rp50.000.", region_code="351001"
)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=JAKARTA)


@pytest.fixture
async def file(services, api_key):
    channel = await channel_of(services, api_key)

    async def filing(draft=AID, *, day: int = 2, **changes):
        return await file_directly(
            services, channel, dataclasses.replace(draft, **changes), now=at(day)
        )

    return filing


async def page(services, member, now=at(2, 12), **filters):
    return await console_queue.queue_page(
        services.engine,
        member,
        QueueFilter(**filters),
        calendar=services.calendar,
        cursor_key=KEY,
        now=now,
    )


async def ids(services, member, now=at(2, 12), **filters) -> list[str]:
    return [row.tracking_id for row in (await page(services, member, now, **filters)).rows]


async def test_pages_walk_the_queue_nearest_deadline_first_without_gaps_or_repeats(services, file):
    # Filed Mon 2 … Fri 6: verification due three working days later each.
    filed = [await file(day=day) for day in (6, 2, 4, 3, 5)]
    paused = await file(day=2)
    await act_on(services, paused.id, Action.REQUEST_INFO, note="Siapa?", now=at(2, 11))

    seen, cursor = [], None
    while True:
        result = await page(services, HANDLER, limit=2, cursor=cursor)
        seen += [row.tracking_id for row in result.rows]
        if result.next_cursor is None:
            break
        cursor = result.next_cursor

    by_filing_day = sorted(filed, key=lambda f: f.created_at)
    assert seen == [f.tracking_id for f in by_filing_day] + [paused.tracking_id]


async def test_a_row_says_which_deadline_is_next_and_when(services, file):
    filed = await file(day=2)

    (row,) = (await page(services, HANDLER)).rows

    assert (row.next_deadline, row.next_due) == (Deadline.VERIFY, filed.verify_due)
    assert row.tracking_id_display.count("-") == 2


async def test_a_handler_sees_only_their_office_and_the_ministry_sees_everything(services, file):
    aid, pungli = await file(), await file(PUNGLI)

    assert await ids(services, HANDLER) == [aid.tracking_id]
    assert await ids(services, OTHER_OFFICE) == [pungli.tracking_id]
    assert set(await ids(services, MINISTRY)) == {aid.tracking_id, pungli.tracking_id}
    # Filtering by another office widens nothing.
    assert await ids(services, HANDLER, office_code=pungli.office_code) == []


async def test_a_coordinator_sees_their_office_and_their_region_merged_in_order(services, file):
    coordinator = StaffMember(4, "wk4", "WK4", Role.COORDINATOR, "WK4", "WK4")
    later, earlier = await file(day=3), await file(PUNGLI, day=2)

    assert await ids(services, coordinator) == [earlier.tracking_id, later.tracking_id]


async def test_tabs_split_new_waiting_follow_up_and_done(services, file):
    new, waiting, working, done = [await file() for _ in range(4)]
    await act_on(services, waiting.id, Action.REQUEST_INFO, note="Siapa?", now=at(2, 11))
    await act_on(services, working.id, Action.VERIFY, now=at(2, 11))
    await act_on(services, done.id, Action.REJECT, note="Bukan pengaduan.", now=at(2, 11))

    assert await ids(services, HANDLER, tab=Tab.NEW) == [new.tracking_id]
    assert await ids(services, HANDLER, tab=Tab.WAITING) == [waiting.tracking_id]
    assert await ids(services, HANDLER, tab=Tab.FOLLOW_UP) == [working.tracking_id]
    assert await ids(services, HANDLER, tab=Tab.DONE) == [done.tracking_id]


async def test_the_overdue_tab_holds_open_complaints_past_their_next_deadline(services, file):
    late, on_time = await file(day=2), await file(day=5)

    # Tuesday 10: the first was to be verified by the end of Thursday 5, the other by Wed 11.
    assert await ids(services, HANDLER, now=at(10), tab=Tab.OVERDUE) == [late.tracking_id]
    assert on_time.tracking_id in await ids(services, HANDLER, now=at(10), tab=Tab.NEW)


async def test_deadline_states_count_today_and_working_days_in_jakarta(services, file):
    due_thursday, due_monday, due_wednesday = (
        await file(day=2),
        await file(day=4),
        await file(day=6),
    )
    thursday = at(5, 9)

    assert await ids(services, HANDLER, now=thursday, deadline=DeadlineState.DUE_TODAY) == [
        due_thursday.tracking_id
    ]
    # Today, Friday 6 and Monday 9 (the weekend does not count); not Wednesday 11.
    assert await ids(
        services, HANDLER, now=thursday, deadline=DeadlineState.DUE_WITHIN_2_WORKING_DAYS
    ) == [due_thursday.tracking_id, due_monday.tracking_id]
    assert due_wednesday.tracking_id not in await ids(
        services, HANDLER, now=at(6), deadline=DeadlineState.OVERDUE_NOW
    )
    assert await ids(services, HANDLER, now=at(6), deadline=DeadlineState.OVERDUE_NOW) == [
        due_thursday.tracking_id
    ]


async def test_breached_ever_stays_after_the_late_duty_is_done(services, file):
    filed = await file(day=2)
    await run_deadline_job(
        engine=services.engine,
        protector=services.protector,
        directory=await services.directory.get(),
        calendar=services.calendar,
        now=at(9),
    )
    await act_on(services, filed.id, Action.VERIFY, now=at(9, 11))

    assert await ids(services, HANDLER, now=at(9, 12), deadline=DeadlineState.OVERDUE_NOW) == []
    assert await ids(services, HANDLER, now=at(9, 12), deadline=DeadlineState.BREACHED_EVER) == [
        filed.tracking_id
    ]


async def test_search_finds_words_of_the_description_in_any_case_and_wildcards_are_text(
    services, file
):
    found = await file(description="Bantuan BPNT 100% belum cair")
    await file(description="Bantuan PKH belum cair")

    assert await ids(services, HANDLER, text="bpnt") == [found.tracking_id]
    assert await ids(services, HANDLER, text="100%") == [found.tracking_id]
    assert await ids(services, HANDLER, text="1_0") == []


async def test_filters_by_category_date_filed_and_assignment(services, file):
    monday, wednesday = await file(day=2), await file(day=4)

    assert await ids(services, HANDLER, filed_from=date(2026, 11, 3)) == [wednesday.tracking_id]
    assert await ids(services, HANDLER, filed_to=date(2026, 11, 2)) == [monday.tracking_id]
    assert await ids(services, HANDLER, category="PUNGLI") == []
    assert await ids(services, HANDLER, assigned=Assigned.ME) == []
    assert len(await ids(services, HANDLER, assigned=Assigned.UNASSIGNED)) == 2


async def test_a_tampered_or_foreign_cursor_is_refused(services, file):
    for _ in range(3):
        await file()
    cursor = (await page(services, HANDLER, limit=1)).next_cursor

    with pytest.raises(CursorError):
        await page(services, HANDLER, cursor=cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB"))
    with pytest.raises(CursorError):
        await page(services, HANDLER, cursor="not-a-cursor")
    with pytest.raises(CursorError):
        await page(services, HANDLER, cursor=cursor, tab=Tab.DONE)


async def test_tab_counts_under_the_same_filters_stop_at_the_cap(services, file, monkeypatch):
    monkeypatch.setattr(console_queue, "COUNT_CAP", 2)
    for _ in range(3):
        await file()
    waiting = await file()
    await act_on(services, waiting.id, Action.REQUEST_INFO, note="Siapa?", now=at(2, 11))

    counts = await console_queue.tab_counts(
        services.engine, HANDLER, QueueFilter(), calendar=services.calendar, now=at(2, 12)
    )
    filtered = await console_queue.tab_counts(
        services.engine,
        HANDLER,
        QueueFilter(category="PUNGLI"),
        calendar=services.calendar,
        now=at(2, 12),
    )

    assert counts[Tab.NEW] == console_queue.TabCount(2, capped=True)
    assert counts[Tab.WAITING] == console_queue.TabCount(1, capped=False)
    assert counts[Tab.DONE] == console_queue.TabCount(0, capped=False)
    assert all(count.count == 0 for count in filtered.values())


async def test_a_coordinators_tab_counts_hold_each_complaint_of_their_view_once(services, file):
    coordinator = StaffMember(4, "wk4", "WK4", Role.COORDINATOR, "WK4", "WK4")
    await file()  # at Banyuwangi's office, of region WK4
    at_the_desk = await file()  # forwarded to the region's desk: of the office and the region
    await act_on(
        services,
        at_the_desk.id,
        Action.FORWARD,
        to_office="WK4",
        note="Ke meja wilayah.",
        now=at(2, 11),
    )
    from_elsewhere = await file(region_code="187201")  # Kota Metro, another region
    await act_on(
        services,
        from_elsewhere.id,
        Action.FORWARD,
        to_office="WK4",
        note="Ke meja wilayah.",
        now=at(2, 11),
    )

    counts = await console_queue.tab_counts(
        services.engine, coordinator, QueueFilter(), calendar=services.calendar, now=at(2, 12)
    )

    assert counts[Tab.NEW] == console_queue.TabCount(3, capped=False)
    assert len(await ids(services, coordinator, tab=Tab.NEW)) == 3
