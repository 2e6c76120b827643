"""Statistics of complaints worked through the application's own calls, now; the
operator's rebuild and verify; and whose figures a member may see."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

import messages
from api.application import citizen_complaints, complaint_intake, staff_work, statistics
from api.application.errors import AppError, Refusal
from api.application.principals import Citizen, Operator
from api.domain.complaints.intake import ComplaintDraft
from api.domain.staff import StaffMember, create_staff
from api.domain.statistics.counting import Metric, jakarta_day
from api.domain.statistics.fill import WatermarkMoved, fill_counts
from api.domain.statistics.queries import StatFilter, distribution, totals
from api.domain.vocabulary import Action, Role
from tests.complaints_support import channel_of
from tests.statistics_support import count_every_event

PUNGLI = ComplaintDraft(
    category="PUNGLI", description="Diminta uang saat pencairan.", region_code="351001"
)


async def member(services, username, role, office, region) -> StaffMember:
    staff_id = await create_staff(
        services.engine,
        username=username,
        display_name=username,
        password="kata-sandi-yang-panjang",
        role=role,
        office_code=office,
    )
    return StaffMember(staff_id, username, username, role, office, region)


def today() -> StatFilter:
    day = jakarta_day(datetime.now(UTC))
    return StatFilter(start=day, end=day)


async def test_complaints_worked_through_the_application_are_counted_once_each_step(
    services, api_key
):
    citizen = Citizen(await channel_of(services, api_key), "tg:41")
    handler = await member(services, "inspektorat", Role.HANDLER, "INSPEKTORAT-3510", "WK4")
    coordinator = await member(services, "wk4", Role.COORDINATOR, "WK4", "WK4")
    first = (await complaint_intake.file_complaint(services, citizen, PUNGLI, locale="id")).filed
    second = (await complaint_intake.file_complaint(services, citizen, PUNGLI, locale="id")).filed

    await staff_work.act_on_complaint(services, handler, first.tracking_id, action=Action.VERIFY)
    await staff_work.act_on_complaint(
        services, handler, first.tracking_id, action=Action.RESOLVE, note="Sudah ditindak."
    )
    # A poor first rating reopens it at the coordination region, which answers again.
    await citizen_complaints.rate_answer(
        services, citizen, first.tracking_id, rating=2, comment=None
    )
    await staff_work.act_on_complaint(
        services, coordinator, first.tracking_id, action=Action.RESOLVE, note="Dicek ulang."
    )
    await citizen_complaints.rate_answer(
        services, citizen, first.tracking_id, rating=4, comment="Terima kasih."
    )
    await staff_work.act_on_complaint(
        services, handler, second.tracking_id, action=Action.REQUEST_INFO, note="Kapan?"
    )
    await citizen_complaints.provide_information(
        services, citizen, second.tracking_id, message="Kemarin."
    )
    await staff_work.act_on_complaint(
        services, handler, second.tracking_id, action=Action.REJECT, note="Bukan pungli."
    )
    await count_every_event(services)

    figures = await totals(services.engine, today())
    assert {metric: n for metric, n in figures.items() if n} == {
        Metric.RECEIVED: 2,
        Metric.VERIFIED: 1,
        Metric.ANSWERED: 3,
        Metric.REJECTED: 1,
        Metric.REOPENED: 1,
        Metric.CLOSED: 1,
        Metric.RATED: 2,
        Metric.DAYS_TO_VERIFY: 1,
        Metric.DAYS_TO_ANSWER: 2,
        Metric.DAYS_TO_CLOSE: 1,
        # The poor first rating was an appeal.
        Metric.APPEALED: 1,
        # Deadlines met: the first's verification, and its first answer (follow-up and
        # resolve); the second's request for information (follow-up), its rejection (resolve).
        Metric.DEADLINE_OUTCOME: 5,
    }
    assert await distribution(services.engine, today(), Metric.RATED) == {2: 1, 4: 1}
    at_the_region = StatFilter(start=today().start, end=today().end, office_code="WK4")
    assert (await totals(services.engine, at_the_region))[Metric.ANSWERED] == 1

    rebuilt = await statistics.rebuild(services, Operator("test"))
    assert rebuilt.counts.events == 10
    assert await totals(services.engine, today()) == figures
    checked = await statistics.verify(
        services, Operator("test"), start=today().start, end=today().end
    )
    assert (checked.events, checked.drifts) == (10, [])


async def test_fills_running_at_once_count_every_event_once(services, api_key):
    citizen = Citizen(await channel_of(services, api_key), "tg:42")
    for _ in range(5):
        await complaint_intake.file_complaint(services, citizen, PUNGLI, locale="id")

    async def one_fill():
        return await fill_counts(
            engine=services.engine, calendar=services.calendar, limit=2, gap_grace=timedelta(0)
        )

    outcomes = await asyncio.gather(*(one_fill() for _ in range(4)), return_exceptions=True)
    assert all(
        isinstance(outcome, WatermarkMoved) or not isinstance(outcome, BaseException)
        for outcome in outcomes
    ), outcomes
    await count_every_event(services)

    assert (await totals(services.engine, today()))[Metric.RECEIVED] == 5


async def test_the_overview_compares_with_the_previous_period_and_ranks_the_places(
    services, api_key
):
    citizen = Citizen(await channel_of(services, api_key), "tg:43")
    handler = await member(services, "inspektorat2", Role.HANDLER, "INSPEKTORAT-3510", "WK4")
    ministry = await member(services, "kemensos", Role.MINISTRY, "NASIONAL", None)
    for _ in range(3):
        filed = (
            await complaint_intake.file_complaint(services, citizen, PUNGLI, locale="id")
        ).filed
    await staff_work.act_on_complaint(services, handler, filed.tracking_id, action=Action.VERIFY)
    await count_every_event(services)
    where = await statistics.scoped_filter(services, ministry, {})

    seen = await statistics.overview(services, where, locale="id")

    figures = {figure.key: figure for figure in seen.figures}
    assert (figures["received"].value, figures["received"].previous) == (3, 0)
    assert figures["verified"].value == 1
    assert figures["received"].change is None  # nothing to compare with
    assert seen.trend.values("received")[-1] == 3
    assert sum(seen.trend.values("received")) == 3
    assert seen.regions.as_dicts()[0]["code"] == "WK4"
    assert seen.regions.as_dicts()[0]["received"] == 3
    banyuwangi = seen.regencies.as_dicts()[0]
    assert (banyuwangi["code"], banyuwangi["name"], banyuwangi["share_of_received"]) == (
        "3510",
        "Kabupaten Banyuwangi",
        1.0,
    )
    offices = await statistics.table(services, where, "offices", locale="id")
    assert offices.as_dicts()[0]["code"] == "INSPEKTORAT-3510"
    assert offices.as_dicts()[0]["median_days_to_verify"] == 0


async def test_the_overview_ranks_the_pilots_kab_kota_and_those_of_the_place_filtered(
    services, api_key
):
    citizen = Citizen(await channel_of(services, api_key), "tg:44")
    ministry = await member(services, "kemensos", Role.MINISTRY, "NASIONAL", None)
    bondowoso = ComplaintDraft(category="LAINNYA", description="Lain.", region_code="351101")
    for draft in (PUNGLI, bondowoso):  # Banyuwangi is in the pilot, Bondowoso is not
        await complaint_intake.file_complaint(services, citizen, draft, locale="id")
    await count_every_event(services)
    national = await statistics.scoped_filter(services, ministry, {})
    east_java = await statistics.scoped_filter(services, ministry, {"province": "35"})

    overview = await statistics.overview(services, national, locale="id")
    in_east_java = await statistics.overview(services, east_java, locale="id")
    every_one = await statistics.table(services, national, "regencies", locale="id")

    assert [row["code"] for row in overview.regencies.as_dicts()] == ["3510"]
    assert sorted(row["code"] for row in in_east_java.regencies.as_dicts()) == ["3510", "3511"]
    assert sorted(row["code"] for row in every_one.as_dicts()) == ["3510", "3511"]


async def test_a_filter_outside_the_members_scope_or_with_an_unknown_code_is_refused(services):
    coordinator = await member(services, "wk4b", Role.COORDINATOR, "WK4", "WK4")
    admin = await member(services, "admin", Role.ADMIN, None, None)

    with pytest.raises(AppError) as other_region:
        await statistics.scoped_filter(services, coordinator, {"region": "WK1"})
    with pytest.raises(AppError) as administrator:
        await statistics.scoped_filter(services, admin, {})
    with pytest.raises(AppError) as unknown:
        await statistics.scoped_filter(services, coordinator, {"category": "NOPE"})
    narrowed = await statistics.scoped_filter(services, coordinator, {"category": "PUNGLI"})

    assert (other_region.value.refusal, other_region.value.code) == (
        Refusal.FORBIDDEN,
        "outside_scope",
    )
    assert administrator.value.code == "no_statistics"
    assert (unknown.value.code, unknown.value.field) == ("filter_unknown_code", "category")
    assert (narrowed.coordination_region_code, narrowed.category_code) == ("WK4", "PUNGLI")


async def test_every_tables_column_has_a_label_and_a_definition_in_each_language(services):
    ministry = await member(services, "kemensos2", Role.MINISTRY, "NASIONAL", None)
    where = await statistics.scoped_filter(services, ministry, {})
    keys = {key for key, _ in statistics.KEY_FIGURES}
    for name in statistics.TABLES:
        keys |= {
            column.key
            for column in (await statistics.table(services, where, name, locale="en")).columns
        }

    for locale in messages.LOCALES:
        defined = messages.keys(locale)
        missing = {key for key in keys if f"statistics.label_{key}" not in defined}
        missing |= {key for key in keys if f"statistics.define_{key}" not in defined}
        assert not missing, (locale, missing)


async def test_a_rebuild_retakes_the_backlog_and_the_beneficiary_snapshots(
    services, api_key, registry
):
    citizen = Citizen(await channel_of(services, api_key), "tg:42")
    await complaint_intake.file_complaint(services, citizen, PUNGLI, locale="id")

    rebuilt = await statistics.rebuild(services, Operator("test"))
    checked = await statistics.verify_backlog_snapshot(services, Operator("test"))

    # One complaint filed, still open; Siti alone in the registry (imported before).
    assert (rebuilt.counts.events, rebuilt.backlog.open) == (1, 1)
    assert (rebuilt.beneficiaries.beneficiaries, rebuilt.beneficiaries.districts) == (1, 1)
    assert (checked.open, checked.drifts) == (1, [])


async def test_the_backlog_and_hotspot_tables_read_the_snapshots(services, api_key, registry):
    citizen = Citizen(await channel_of(services, api_key), "tg:44")
    ministry = await member(services, "kemensos3", Role.MINISTRY, "NASIONAL", None)
    for _ in range(2):
        await complaint_intake.file_complaint(services, citizen, PUNGLI, locale="id")
    await statistics.rebuild(services, Operator("test"))
    where = await statistics.scoped_filter(services, ministry, {})

    ages = (await statistics.table(services, where, "backlog", locale="id")).as_dicts()
    offices = (await statistics.table(services, where, "backlog_offices", locale="id")).as_dicts()
    places = (await statistics.table(services, where, "hotspots_regencies", locale="id")).as_dicts()

    assert ages[0] == {"age_band": "0-3", "open": 2, "share": 1.0}
    assert sum(row["open"] for row in ages) == 2
    assert (offices[0]["code"], offices[0]["open"], offices[0]["age_0_3"]) == (
        "INSPEKTORAT-3510",
        2,
        2,
    )
    # Siti, the one beneficiary of the registry fixture, lives in Banyuwangi too.
    assert (places[0]["code"], places[0]["received"], places[0]["beneficiaries"]) == ("3510", 2, 1)
    assert places[0]["per_10000"] == 20_000.0
