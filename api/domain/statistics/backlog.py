"""The open backlog as a snapshot: what is owed now, refreshed whole by the worker.

**Open** means the office has not answered the complaint and it is not closed: RECEIVED,
VERIFIED, IN_PROGRESS, and NEEDS_INFO (waiting for the citizen, clock stopped, the answer
still owed). A RESOLVED or REJECTED complaint has its answer and only waits for a rating or
its closing; it is not in the backlog (a reopening brings it back as IN_PROGRESS). CLOSED is
final. A rejection is thus never counted as backlog, final or not.

Per open complaint, as of the snapshot's time ``now``:

* a duty is **pending** while undone: verification until ``verified_at``, the follow-up
  until ``followed_up_at`` or an answer, the resolution until ``answered_at`` (every open
  complaint);
* a pending duty is **overdue now** once ``now`` has reached its due date, except while the
  complaint waits for the citizen: the deadline job's rule (``complaints.sla``).

``stat_backlog`` holds their counts per Jakarta filing day, the statistics' dimensions
(those of the complaint now: its current office, "" for none), the status and those flags.
:func:`refresh_backlog` rewrites it from one GROUP BY in one transaction (the worker every
few minutes, ``bansos stats rebuild``); :func:`verify_backlog` (``bansos stats verify``)
refreshes it and checks it, in the same transaction, against the open complaints counted
one by one here in Python, so a day boundary or a due date the SQL gets wrong on one
database shows as a drift.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Date, and_, cast, delete, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.domain.complaints.sla import breached_deadlines
from api.domain.statistics.counting import jakarta_day
from api.domain.statistics.queries import DIMENSIONS
from api.domain.statistics.snapshots import BACKLOG, fresh, lock_snapshot, stamp_snapshot
from api.domain.vocabulary import Deadline, Status
from api.models import Complaint, StatBacklog
from api.models.statistics import BACKLOG_KEY_COLUMNS

#: The statuses of an open complaint (see the module docstring).
OPEN = frozenset({Status.RECEIVED, Status.VERIFIED, Status.IN_PROGRESS, Status.NEEDS_INFO})

_complaint = Complaint.__table__
_backlog = StatBacklog.__table__
_DIMENSIONS = DIMENSIONS  # the rollup's dimensions: the snapshot keeps the same
# Jakarta is UTC+7 all year (no daylight saving since 1964).
_JAKARTA_OFFSET = "+7 hours"


@dataclass(frozen=True)
class BacklogSnapshot:
    taken_at: datetime
    open: int  # open complaints counted
    rows: int  # rows written
    refreshed: bool = True  # False: another refresh had just taken it


@dataclass(frozen=True)
class BacklogDrift:
    key: dict  # column -> value, in BACKLOG_KEY_COLUMNS order
    stored: int  # in stat_backlog
    direct: int  # counted one by one


@dataclass(frozen=True)
class BacklogVerification:
    taken_at: datetime
    open: int
    drifts: list[BacklogDrift]


async def refresh_backlog(
    *,
    engine: AsyncEngine,
    now: datetime | None = None,
    younger_than: timedelta | None = None,
) -> BacklogSnapshot:
    """Rewrite ``stat_backlog`` as of ``now``, in one transaction. With ``younger_than``,
    leave a snapshot alone that another refresh took less than that long ago."""
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        last = await lock_snapshot(conn, BACKLOG)
        if fresh(last, now, younger_than):
            return BacklogSnapshot(last, 0, 0, refreshed=False)
        return await _rewrite(conn, now)


async def verify_backlog(*, engine: AsyncEngine, now: datetime | None = None):
    """Refresh the snapshot and compare it, key by key, with a direct count of the same
    open complaints (one transaction; on PostgreSQL a repeatable read, so both see the same
    rows)."""
    now = now or datetime.now(UTC)
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            await lock_snapshot(conn, BACKLOG)
            snapshot = await _rewrite(conn, now)
            columns = [_backlog.c[name] for name in BACKLOG_KEY_COLUMNS]
            stored = {
                _key(row[:-1]): row[-1]
                for row in await conn.execute(select(*columns, _backlog.c.count))
            }
            direct = await direct_backlog(conn, now)
    drifts = [
        BacklogDrift(
            dict(zip(BACKLOG_KEY_COLUMNS, key, strict=True)), stored.get(key, 0), direct.get(key, 0)
        )
        for key in sorted(stored.keys() | direct.keys(), key=lambda k: tuple(map(str, k)))
        if stored.get(key, 0) != direct.get(key, 0)
    ]
    return BacklogVerification(now, snapshot.open, drifts)


async def direct_backlog(conn: AsyncConnection, now: datetime) -> Counter:
    """The snapshot's rows as the definitions give them, complaint by complaint (keyed like
    ``BACKLOG_KEY_COLUMNS``)."""
    c = _complaint.c
    rows = await conn.execute(
        select(
            c.created_at,
            *(c[name] for name in _DIMENSIONS),
            c.status,
            c.verified_at,
            c.followed_up_at,
            c.answered_at,
            c.verify_due,
            c.follow_up_due,
            c.resolve_due,
        ).where(c.status.in_([s.value for s in OPEN]))
    )
    counts: Counter = Counter()
    for row in rows:
        overdue = breached_deadlines(row, now)
        counts[
            (
                jakarta_day(row.created_at),
                *(getattr(row, name) or "" for name in _DIMENSIONS),
                row.status,
                row.verified_at is None,
                row.followed_up_at is None and row.answered_at is None,
                Deadline.VERIFY in overdue,
                Deadline.FOLLOW_UP in overdue,
                Deadline.RESOLVE in overdue,
            )
        ] += 1
    return counts


async def _rewrite(conn: AsyncConnection, now: datetime) -> BacklogSnapshot:
    await conn.execute(delete(_backlog))
    grouped = _grouped(conn.dialect.name, now)
    await conn.execute(_backlog.insert().from_select([*BACKLOG_KEY_COLUMNS, "count"], grouped))
    open_, rows = (
        await conn.execute(select(func.coalesce(func.sum(_backlog.c.count), 0), func.count()))
    ).one()
    await stamp_snapshot(conn, BACKLOG, now)
    return BacklogSnapshot(now, int(open_), int(rows))


def _grouped(dialect: str, now: datetime):
    """One GROUP BY over the open complaints, in ``BACKLOG_KEY_COLUMNS`` order + count.

    The per-complaint columns are computed in a subquery and grouped outside it: PostgreSQL
    would not recognise ``now``'s repeated parameters as the same expression in GROUP BY.
    """
    c = _complaint.c
    if dialect == "postgresql":
        filed_day = cast(func.timezone("Asia/Jakarta", c.created_at), Date)
    else:  # SQLite keeps UTC as text; date() shifts it to Jakarta's day.
        filed_day = func.date(c.created_at, _JAKARTA_OFFSET)
    clock_runs = c.status != Status.NEEDS_INFO.value
    verify_pending = c.verified_at.is_(None)
    follow_up_pending = and_(c.followed_up_at.is_(None), c.answered_at.is_(None))
    per_complaint = (
        select(
            filed_day.label("filed_day"),
            *(func.coalesce(c[name], literal("")).label(name) for name in _DIMENSIONS),
            c.status.label("status"),
            verify_pending.label("verify_pending"),
            follow_up_pending.label("follow_up_pending"),
            and_(verify_pending, clock_runs, c.verify_due <= now).label("verify_overdue"),
            and_(follow_up_pending, clock_runs, c.follow_up_due <= now).label("follow_up_overdue"),
            and_(c.answered_at.is_(None), clock_runs, c.resolve_due <= now).label(
                "resolve_overdue"
            ),
        )
        .where(c.status.in_([s.value for s in OPEN]))
        .subquery()
    )
    keys = [per_complaint.c[name] for name in BACKLOG_KEY_COLUMNS]
    return select(*keys, func.count()).group_by(*keys)


def _key(values) -> tuple:
    """A stored row's key with plain Python values (SQLite's flags come back as 0/1)."""
    day, *rest = values
    flags = tuple(bool(v) for v in rest[-5:])
    return (day, *rest[:-5], *flags)
