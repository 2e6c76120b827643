"""The triage desk ("no wrong door"): complaints whose domicile is not known yet.

Intake accepts a complaint without a domicile it can use (none stated, only a point and an
address, a region code the region list does not know) and files it at a triage desk:
the national desk, or the coordination region's desk when the reporter named one of its
pilot kab/kota. There a desk officer sets the domicile and the complaint is routed like any
other. Its deadlines stay those counted from filing: the citizen did not wait less because
the office was not known.

The registry may help the desk officer (``registry_suggestion``, which the application
audits as a reveal); it never decides what a citizen is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.actions import ComplaintChanged
from api.domain.complaints.directory import Directory
from api.domain.complaints.outbox import notify_reporter
from api.domain.complaints.routing import RoutingDecision, route
from api.domain.pilot_config import OfficeType
from api.domain.protection import Protector
from api.domain.regions import RegionCodes, normalize_region_code
from api.domain.vocabulary import Action, Actor
from api.models import Beneficiary, Complaint, ComplaintEvent

#: What a desk may do before the domicile is set: ask the citizen, answer, or turn away
#: (a complaint that is not one). Verifying and working it belong to the office it reaches.
ACTIONS_IN_TRIAGE = frozenset({Action.REQUEST_INFO, Action.REPLY, Action.REJECT})
#: The timeline event of the routing, which the citizen sees with the office's name.
TRIAGED = "triaged"

_b = Beneficiary.__table__.c
_REGISTERED_DOMICILE = select(_b.district_code, _b.village_code).where(
    _b.nik_hash == bindparam("nik_hash")
)


class TriageProblem(StrEnum):
    NOT_IN_TRIAGE = "not_in_triage"
    DOMICILE_INVALID = "domicile_invalid"
    DOMICILE_UNKNOWN = "domicile_unknown"


class TriageError(ValueError):
    def __init__(self, problem: TriageProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Domicile:
    district_code: str
    village_code: str | None = None


@dataclass(frozen=True, slots=True)
class Triaged:
    tracking_id: str
    office_code: str
    routing_reason: str


def checked_domicile(raw: str, *, regions: RegionCodes) -> Domicile:
    """A desk officer's domicile: a kecamatan (6 digits) or desa (10) the region list has."""
    try:
        code = normalize_region_code(raw)
    except ValueError:
        raise TriageError(TriageProblem.DOMICILE_INVALID) from None
    if len(code) not in (6, 10):
        raise TriageError(TriageProblem.DOMICILE_INVALID)
    if not regions.has_district(code[:6]):
        raise TriageError(TriageProblem.DOMICILE_UNKNOWN)
    return Domicile(code[:6], code if len(code) == 10 else None)


async def registry_suggestion(engine: AsyncEngine, subject_nik_hash: bytes | None):
    """The registry's domicile of the complaint's subject, or None (no subject, or one the
    registry does not know). For the desk officer only, and only through an audited call."""
    if subject_nik_hash is None:
        return None
    async with engine.connect() as conn:
        row = (await conn.execute(_REGISTERED_DOMICILE, {"nik_hash": subject_nik_hash})).first()
    return Domicile(row.district_code, row.village_code) if row else None


def routing_for(*, directory: Directory, category_code: str, domicile: Domicile) -> RoutingDecision:
    """Where a triage complaint of ``category_code`` goes once its domicile is ``domicile``:
    the same decision :func:`set_domicile` takes, so a desk officer's preview never differs
    from what confirming does (as long as nobody changes the offices meanwhile)."""
    category = directory.categories.get(category_code)
    return route(
        regency_code=domicile.district_code[:4],
        office_type=category.office_type if category else OfficeType.DINSOS,
        table=directory.routing,
    )


async def set_domicile(
    *,
    engine: AsyncEngine,
    protector: Protector,
    directory: Directory,
    complaint_id: int,
    domicile: Domicile,
    actor: str,
    now: datetime | None = None,
) -> Triaged:
    """Set the domicile of a complaint in triage and route it as at intake, in one
    transaction with its timeline event and the citizen's notification. The deadlines are
    left as intake counted them from filing. NOT_IN_TRIAGE once it has left triage;
    ComplaintChanged when someone else changed it meanwhile."""
    now = now or datetime.now(UTC)
    table = Complaint.__table__
    async with engine.begin() as conn:
        row = (await conn.execute(select(table).where(table.c.id == complaint_id))).one()
        if not row.in_triage:
            raise TriageError(TriageProblem.NOT_IN_TRIAGE)
        plan = plan_domicile(row, domicile, directory=directory, actor=actor, now=now)
        changed = await conn.execute(
            update(table)
            .where(table.c.id == row.id, table.c.updated_at == row.updated_at, table.c.in_triage)
            .values(plan.changes)
        )
        if changed.rowcount != 1:
            raise ComplaintChanged(row.tracking_id)
        await conn.execute(insert(ComplaintEvent.__table__).values(plan.event))
        await notify_reporter(
            conn,
            protector,
            row,
            kind="complaint.forwarded",
            status=row.status,
            action=TRIAGED,
            note=None,
            office_code=plan.decision.office_code,
            now=now,
        )
    return Triaged(row.tracking_id, plan.decision.office_code, plan.decision.reason.value)


@dataclass(frozen=True)
class DomicilePlan:
    """What setting a triage complaint's domicile writes: its changed columns and its
    timeline event; the reporter is told with a "complaint.forwarded" notification."""

    decision: RoutingDecision
    changes: dict
    event: dict


def plan_domicile(
    row, domicile: Domicile, *, directory: Directory, actor: str, now: datetime
) -> DomicilePlan:
    """The rows :func:`set_domicile` writes for ``row``. Pure, so that a replay of a
    complaint's history (the demo's year) routes it as a desk officer would have."""
    regency_code = domicile.district_code[:4]
    decision = routing_for(directory=directory, category_code=row.category_code, domicile=domicile)
    changes = {
        "district_code": domicile.district_code,
        "village_code": domicile.village_code,
        "regency_code": regency_code,
        "province_code": regency_code[:2],
        "coordination_region_code": directory.routing.pilot_regencies.get(regency_code),
        "in_triage": False,
        "office_code": decision.office_code,
        # The triage desk's pages learn from it that the complaint left them.
        "previous_office_code": row.office_code,
        "routing_reason": decision.reason.value,
        "updated_at": now,
    }
    event = {
        "complaint_id": row.id,
        "at": now,
        "kind": TRIAGED,
        "actor_type": Actor.STAFF.value,
        "actor": actor,
        "from_status": row.status,
        "to_status": row.status,
        "office_code": decision.office_code,
        "public": True,
        "note": None,
    }
    return DomicilePlan(decision, changes, event)
