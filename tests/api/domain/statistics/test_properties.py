"""Property: for random complaint histories the counters equal a direct recomputation from
the raw tables under random filters, after the incremental fill (however it is cut into
batches, and when it is killed mid-way and run again), after a rebuild, and by verify.

The histories are driven through the calls the application layer makes (intake's
``file_complaint``, ``take_action``, the triage desk's ``set_domicile``, the deadline job),
one layer below ``api.application`` because only there can a test choose the time: the
histories span months so that days, cohorts and working-day times differ.

The recomputation below is written from the definitions in ``api.domain.statistics``
without its code; its three anchors in the complaint table (every complaint received once,
verified once at most, closed once at most) tie both to the raw rows.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from api.db import session_scope
from api.domain.api_keys import create_api_key
from api.domain.complaints import triage
from api.domain.complaints.actions import ActionError, ComplaintChanged
from api.domain.complaints.intake import ComplaintDraft
from api.domain.complaints.lifecycle import InvalidTransition
from api.domain.complaints.sla import run_deadline_job
from api.domain.statistics import counting
from api.domain.statistics import fill as fill_module
from api.domain.statistics.counting import Metric
from api.domain.statistics.figures import stage_compliance
from api.domain.statistics.fill import fill_counts, lag
from api.domain.statistics.queries import (
    DIMENSIONS,
    StatFilter,
    distribution,
    percentiles_by,
    times_by,
    totals,
)
from api.domain.statistics.rebuild import rebuild_counts
from api.domain.statistics.verify import verify_counts
from api.domain.vocabulary import Action, Deadline, Status
from api.models import Complaint, ComplaintCategory, ComplaintEvent, Office, StatCount
from api.models.statistics import ROLLUP_TABLES
from tests.complaints_support import CITIZEN, STAFF, act, channel_of, file_directly

# Monday 2 June 2025, 09:00 Jakarta: every history ends well before the test runs.
BASE = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)
SPAN_DAYS = 420
# Banyuwangi (WK4), Metro (WK1), Bogor (no pilot), none: the triage desk (twice as likely).
PLACES = ["351001", "187201", "320101", None, None]
# One category of each deadline tier: FIELD_CHECK, COORDINATION (two), SIMPLE.
DRAFTS = {
    "PUNGLI": {},
    "LAINNYA": {},
    "BANTUAN_TIDAK_DITERIMA": {"subject_nik": "3510014107900001", "programme": "PKH"},
    "KARTU_REKENING": {"subject_nik": "3510014107900001", "programme": "PKH"},
}
OFFICES = ["DINSOS-3510", "INSPEKTORAT-3510", "DINSOS-1872", "DUKCAPIL-1872", "WK1"]
CHANNELS = ["telegram-bot", "open311-partner"]
ACTIONS = [
    "verify",
    "start",
    "request_info",
    "provide_info",
    "reply",
    "resolve",
    "reject",
    "forward",
    "flag_field_check",
    "rate",
    "staff_reopen",
    "triage",
    "triage",
]
# Tables of one history (reference data, the api keys and accounts stay).
HISTORY_TABLES = (
    "stat_count",
    *ROLLUP_TABLES,
    "stat_watermark",
    "outbox_message",
    "idempotency_key",
    "complaint_attachment",
    "staff_access_audit",
    "complaint_event",
    "complaint",
)

step = st.tuples(
    st.sampled_from(ACTIONS),
    st.sampled_from([0, 0, 1, 1, 2, 3, 5, 8, 13, 25]),  # days after the previous step
    st.integers(0, 23),  # hours more
    st.integers(1, 5),  # a rating
    st.sampled_from(OFFICES),  # where to forward
    st.sampled_from(PLACES[:3]),  # where triage sets the domicile
)
# The lifecycle's usual course: a step follows it when drawn so, else does anything.
COURSE = [
    "triage",
    "verify",
    "resolve",
    "rate",
    "start",
    "request_info",
    "provide_info",
    "forward",
    "resolve",
    "rate",
]
complaint_script = st.tuples(
    st.sampled_from(sorted(DRAFTS)),
    st.sampled_from(PLACES),
    st.sampled_from(CHANNELS),
    st.integers(0, 120),  # filed this many days after BASE
    st.integers(0, 23),
    st.lists(st.tuples(st.booleans(), step), max_size=10),
)
histories = st.lists(complaint_script, min_size=1, max_size=6)
deadline_runs = st.lists(st.integers(1, 200), max_size=6)


def optional(values):
    return st.one_of(st.none(), st.sampled_from(values))


filters = st.builds(
    lambda first, length, cohort, office, region, regency, district, category, programme, channel: (
        StatFilter(
            start=(BASE + timedelta(days=first)).date(),
            end=(BASE + timedelta(days=first + length)).date(),
            cohort=cohort,
            office_code=office,
            coordination_region_code=region,
            regency_code=regency,
            district_code=district,
            category_code=category,
            programme=programme,
            channel=channel,
        )
    ),
    st.integers(-10, SPAN_DAYS),
    st.integers(0, SPAN_DAYS),
    st.booleans(),
    optional(["", *OFFICES, "TRIAGE-WK4", "NASIONAL", "WK4"]),
    optional(["", "WK1", "WK4"]),
    optional(["", "3510", "1872", "3201"]),
    optional(["", "351001", "187201"]),
    optional(sorted(DRAFTS)),
    optional(["", "PKH"]),
    optional(CHANNELS),
)
# How the fill is run: batch sizes, and which runs are killed (after k events' metrics, or
# after writing the counts but before the watermark moves).
fill_plans = st.tuples(
    st.lists(st.integers(1, 12), min_size=1, max_size=4),
    st.dictionaries(
        st.integers(0, 15), st.one_of(st.integers(0, 10), st.just("after_write")), max_size=4
    ),
)


@dataclass
class Raw:
    complaints: dict
    events: list
    office_types: dict
    tiers: dict  # category -> deadline tier


async def read_raw(services) -> Raw:
    async with services.engine.connect() as conn:
        complaints = {row.id: row for row in await conn.execute(select(Complaint.__table__))}
        events = list(
            await conn.execute(select(ComplaintEvent.__table__).order_by(ComplaintEvent.id))
        )
        offices = dict((await conn.execute(select(Office.code, Office.type))).all())
        tiers = dict(
            (
                await conn.execute(select(ComplaintCategory.code, ComplaintCategory.deadline_tier))
            ).all()
        )
    return Raw(complaints, events, offices, tiers)


def _jakarta(instant: datetime) -> date:
    return (instant.astimezone(UTC) + timedelta(hours=7)).date()  # WIB has no summer time


def recount(raw: Raw, where: StatFilter, calendar) -> dict[str, Counter]:
    """metric -> Counter(value -> n), straight from the definitions."""
    triaged: dict[int, int] = {}
    first_answer: dict[int, int] = {}
    first_work: dict[int, int] = {}  # the first sign of work: it sets followed_up_at
    flagged: dict[int, int] = {}
    breached: dict[tuple[int, str], int] = {}
    for e in raw.events:
        if e.kind == "triaged":
            triaged.setdefault(e.complaint_id, e.id)
        if e.kind in ("resolve", "reject"):
            first_answer.setdefault(e.complaint_id, e.id)
        if e.kind in ("start", "reply", "request_info", "resolve", "reject"):
            first_work.setdefault(e.complaint_id, e.id)
        if e.kind == "flag_field_check":
            flagged.setdefault(e.complaint_id, e.id)
        if e.kind == "breach":
            breached.setdefault((e.complaint_id, e.note), e.id)
    found: dict[str, Counter] = defaultdict(Counter)
    for e in raw.events:
        c = raw.complaints[e.complaint_id]
        day, month = _jakarta(e.at), _jakarta(c.created_at).replace(day=1)
        if where.cohort:
            if not where.start.replace(day=1) <= month <= where.end:
                continue
        elif not where.start <= day <= where.end:
            continue
        located = e.complaint_id not in triaged or e.id >= triaged[e.complaint_id]
        dimensions = {
            "office_code": e.office_code or "",
            "coordination_region_code": (located and c.coordination_region_code) or "",
            "province_code": (located and c.province_code) or "",
            "regency_code": (located and c.regency_code) or "",
            "district_code": (located and c.district_code) or "",
            "category_code": c.category_code,
            "programme": c.programme or "",
            "channel": c.channel,
        }
        if any(
            getattr(where, name) is not None and getattr(where, name) != value
            for name, value in dimensions.items()
        ):
            continue
        days = min(calendar.working_days_between(c.created_at, e.at), 61)
        kind = e.kind
        plain = {
            "received": "received",
            "triaged": "triaged",
            "verify": "verified",
            "reopen": "reopened",
            "forwarded": "forwarded",
            "transfer_limit": "transfer_limit",
        }
        if kind in plain:
            found[plain[kind]][0] += 1
        if kind == "verify":
            found["days_to_verify"][days] += 1
        if kind in ("resolve", "reject"):
            found["answered"][0] += 1
            if kind == "reject":
                found["rejected"][0] += 1
            if first_answer[e.complaint_id] == e.id:
                found["days_to_answer"][days] += 1
        if kind in ("rate", "close"):
            found["closed"][0] += 1
            found["days_to_close"][days] += 1
        if kind in ("rate", "reopen") and e.rating is not None:
            found["rated"][e.rating] += 1
        if kind == "breach":
            found["breached"][{"VERIFY": 1, "FOLLOW_UP": 2, "RESOLVE": 3}[e.note]] += 1
        if kind == "escalated":
            national = raw.office_types.get(e.office_code) == "NASIONAL"
            found["escalated_ministry" if national else "escalated_region"][0] += 1
        if kind == "reopen" and e.rating in (1, 2):
            found["appealed"][0] += 1
        if kind == "triaged":
            hours = int((e.at - c.created_at).total_seconds() // 3600)
            found["hours_to_route"][min(hours, 72)] += 1
        # Deadline outcomes: stage (1 verify, 2 follow-up, 3 resolve) x 100 + tier (1 SIMPLE,
        # 2 COORDINATION, 3 FIELD_CHECK) x 10 + outcome (1 met, 2 late, 3 breached).
        tier_name = (
            "FIELD_CHECK"
            if flagged.get(e.complaint_id, e.id) < e.id
            else raw.tiers[c.category_code]
        )
        tier = {"SIMPLE": 1, "COORDINATION": 2, "FIELD_CHECK": 3}[tier_name]
        stages = {"VERIFY": 1, "FOLLOW_UP": 2, "RESOLVE": 3}
        done = []
        if kind == "verify":
            done.append("VERIFY")
        if first_work.get(e.complaint_id) == e.id:
            done.append("FOLLOW_UP")
        if first_answer.get(e.complaint_id) == e.id:
            done.append("RESOLVE")
        for stage in done:
            late = breached.get((e.complaint_id, stage), e.id) < e.id
            found["deadline_outcome"][stages[stage] * 100 + tier * 10 + (2 if late else 1)] += 1
        if kind == "breach":
            found["deadline_outcome"][stages[e.note] * 100 + tier * 10 + 3] += 1
    return found


async def counted(services, where: StatFilter) -> dict[str, Counter]:
    figures = await totals(services.engine, where)
    found: dict[str, Counter] = {}
    for metric in Metric:
        if metric in counting.HISTOGRAMS or metric in (
            Metric.RATED,
            Metric.BREACHED,
            Metric.DEADLINE_OUTCOME,
        ):
            values = await distribution(services.engine, where, metric)
        else:
            values = {0: figures[metric]} if figures[metric] else {}
        assert sum(values.values()) == figures[metric]
        if values:
            found[metric.value] = Counter(values)
    return found


def every_single_dimension(raw: Raw, start: date, end: date) -> list[StatFilter]:
    """A filter for each value (and for none) of each dimension, by event day and by cohort."""
    values: dict[str, set] = defaultdict(lambda: {""})
    for e in raw.events:
        values["office_code"].add(e.office_code or "")
    for c in raw.complaints.values():
        for name in DIMENSIONS:
            if name != "office_code":
                values[name].add(getattr(c, name) or "")
    return [
        StatFilter(start=start, end=end, cohort=cohort, **{name: value})
        for name in DIMENSIONS
        for value in sorted(values[name])
        for cohort in (False, True)
    ]


async def assert_counts_match(services, raw: Raw, wheres) -> None:
    for where in wheres:
        assert await counted(services, where) == dict(recount(raw, where, services.calendar)), where


async def assert_league_percentiles_match(services, wheres) -> None:
    """The medians and p90s the league tables read, computed in the database, equal those
    of the summed histograms, per office and per kab/kota."""
    for where in wheres:
        for dimension in ("office_code", "regency_code"):
            in_db = await percentiles_by(services.engine, where, dimension, counting.HISTOGRAMS)
            summed = await times_by(services.engine, where, dimension)
            assert {
                group: {metric: (p.count, p.median, p.p90) for metric, p in found.items()}
                for group, found in in_db.items()
            } == {
                group: {m: (t.count, t.median, t.p90) for m, t in found.items() if t.count}
                for group, found in summed.items()
            }, (where, dimension)


async def stored_rows(services) -> dict[str, list[tuple]]:
    """The rows of ``stat_count`` and of every coarser rollup."""
    found = {}
    async with services.engine.connect() as conn:
        for table in (StatCount.__table__, *ROLLUP_TABLES.values()):
            found[table.name] = sorted(map(tuple, await conn.execute(select(table))))
    return found


async def play(services, channels, history, deadline_days) -> None:
    """File and work the complaints in time order; refused moves are simply not made."""
    moves = []
    for index, (category, place, channel, after, hour, steps) in enumerate(history):
        at = BASE + timedelta(days=after, hours=hour)
        moves.append((at, index, "file", (category, place, channel)))
        for position, (on_course, (action, days, hours, rating, office, domicile)) in enumerate(
            steps
        ):
            action = COURSE[position] if on_course else action
            at += timedelta(days=days, hours=hours, minutes=1)
            moves.append((at, index, action, (rating, office, domicile)))
    for days in deadline_days:
        moves.append((BASE + timedelta(days=days), -1, "deadlines", None))
    moves.sort(key=lambda move: (move[0], move[1]))
    ids: dict[int, int] = {}
    directory = await services.directory.get()
    for at, index, action, details in moves:
        if action == "deadlines":
            await run_deadline_job(
                engine=services.engine,
                protector=services.protector,
                directory=directory,
                calendar=services.calendar,
                now=at,
            )
            continue
        if action == "file":
            category, place, channel = details
            draft = ComplaintDraft(
                category=category,
                description="Keluhan untuk statistik.",
                region_code=place,
                **DRAFTS[category],
            )
            ids[index] = (await file_directly(services, channels[channel], draft, now=at)).id
            continue
        rating, office, domicile = details
        with contextlib.suppress(
            InvalidTransition, ActionError, ComplaintChanged, triage.TriageError
        ):
            await _move(services, directory, ids[index], action, at, rating, office, domicile)


async def _move(services, directory, complaint_id, action, at, rating, office, domicile):
    table = Complaint.__table__
    async with services.engine.connect() as conn:
        in_triage = (
            await conn.execute(select(table.c.in_triage).where(table.c.id == complaint_id))
        ).scalar_one()
    staff_action = action not in ("triage", "rate", "provide_info", "staff_reopen")
    if in_triage and staff_action and Action(action) not in triage.ACTIONS_IN_TRIAGE:
        return  # the application refuses it (409) while the complaint waits at triage
    if action == "triage":
        await triage.set_domicile(
            engine=services.engine,
            protector=services.protector,
            directory=directory,
            complaint_id=complaint_id,
            domicile=triage.checked_domicile(domicile, regions=services.regions),
            actor="desk",
            now=at,
        )
    elif action == "rate":
        await act(services, complaint_id, Action.RATE, actor=CITIZEN, rating=rating, now=at)
    elif action == "provide_info":
        await act(services, complaint_id, Action.PROVIDE_INFO, actor=CITIZEN, note="Ini.", now=at)
    elif action == "staff_reopen":
        await act(services, complaint_id, Action.REOPEN, note="Belum selesai.", now=at)
    elif action == "forward":
        await act(
            services, complaint_id, Action.FORWARD, note="Bukan kami.", to_office=office, now=at
        )
    else:
        await act(services, complaint_id, Action(action), actor=STAFF, note="Catatan.", now=at)


async def fill_with_kills(services, plan) -> None:
    """Fill until nothing is left, in the plan's batch sizes, killing the runs it names."""
    limits, kills = plan
    real_metrics, real_add = counting.metrics_of, fill_module.add_counts
    for run in range(10_000):
        if (await lag(services.engine)).events == 0:
            return
        kill = kills.get(run)
        patches = []
        if isinstance(kill, int):
            seen = {"n": 0}

            def dying_metrics(event, calendar, seen=seen, kill=kill):
                if seen["n"] >= kill:
                    raise RuntimeError("killed while counting")
                seen["n"] += 1
                return real_metrics(event, calendar)

            patches.append(mock.patch.object(counting, "metrics_of", dying_metrics))
        elif kill == "after_write":

            async def dying_add(conn, counts, **options):
                await real_add(conn, counts, **options)
                raise RuntimeError("killed after writing")

            patches.append(mock.patch.object(fill_module, "add_counts", dying_add))
        try:
            for patch in patches:
                patch.start()
            await fill_counts(
                engine=services.engine,
                calendar=services.calendar,
                limit=limits[run % len(limits)],
                gap_grace=timedelta(0),
            )
        except RuntimeError:
            pass
        finally:
            for patch in patches:
                patch.stop()
    raise AssertionError("the fill never caught up")


_keys: dict[int, dict] = {}


async def channels_of(services, api_key) -> dict:
    """The two channels' keys, made once per test (api keys outlive the histories)."""
    if id(services) not in _keys:
        async with session_scope(services.sessions) as session:
            other = await create_api_key(session, channel="open311-partner")
        _keys[id(services)] = {
            "telegram-bot": await channel_of(services, api_key),
            "open311-partner": await channel_of(services, other),
        }
    return _keys[id(services)]


async def fresh(services) -> None:
    async with services.engine.begin() as conn:
        for table in HISTORY_TABLES:
            await conn.execute(text(f"DELETE FROM {table}"))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=histories,
    deadline_days=deadline_runs,
    plan=fill_plans,
    wheres=st.lists(filters, min_size=3, max_size=6),
)
async def test_counters_equal_a_direct_recount_under_any_filter_fill_kill_and_rebuild(
    services, api_key, history, deadline_days, plan, wheres
):
    await fresh(services)
    await play(services, await channels_of(services, api_key), history, deadline_days)
    raw = await read_raw(services)
    everything = StatFilter(start=date(2025, 1, 1), end=date(2027, 12, 31))
    wheres = [everything, *every_single_dimension(raw, everything.start, everything.end), *wheres]

    await fill_with_kills(services, plan)

    await assert_counts_match(services, raw, wheres)
    await assert_league_percentiles_match(services, [everything, *wheres[-3:]])
    # Anchored in the complaint table, not only in the timeline.
    whole = await totals(services.engine, everything)
    for metric, n in whole.items():
        if n:
            event(f"some {metric.value}")
    statuses = [c.status for c in raw.complaints.values()]
    assert whole[Metric.RECEIVED] == len(raw.complaints)
    assert whole[Metric.CLOSED] == statuses.count(Status.CLOSED)
    assert whole[Metric.VERIFIED] == sum(c.verified_at is not None for c in raw.complaints.values())
    # Each stage completes once, where the complaint table says it was done.
    stages = {
        f.stage: f for f in await stage_compliance(services.engine, everything) if f.tier is None
    }
    for stage in stages.values():
        if stage.late:
            event(f"some {stage.stage.value} late")
    worked = sum(c.followed_up_at is not None for c in raw.complaints.values())
    assert stages[Deadline.FOLLOW_UP].completed == worked
    assert stages[Deadline.VERIFY].completed == whole[Metric.VERIFIED]
    breaches = [d for c in raw.complaints.values() for d in c.breaches.split(";") if d]
    assert sum(stage.breached for stage in stages.values()) == len(breaches)
    assert whole[Metric.APPEALED] == sum(c.reopened for c in raw.complaints.values())
    assert whole[Metric.HOURS_TO_ROUTE] == whole[Metric.TRIAGED]

    filled = await stored_rows(services)
    await rebuild_counts(engine=services.engine, calendar=services.calendar, batch=7)
    assert await stored_rows(services) == filled
    await assert_counts_match(services, raw, wheres)

    result = await verify_counts(
        engine=services.engine,
        calendar=services.calendar,
        start=everything.start,
        end=everything.end,
        batch=5,
    )
    assert (result.events, result.drifts, result.rollup_drifts) == (len(raw.events), [], [])
