"""Filing a complaint: the one action every channel (bot, partner API, Open311) goes through.

``check_draft`` validates everything without touching the database and says exactly what
is wrong; ``file_complaint`` prefills the domicile from the registry, routes, sets the
working-day deadlines and writes the complaint, its first timeline event, the idempotency
record and the reporter's notification in ONE transaction. It returns only after that
transaction has committed: accepted means durable.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.api_keys import Channel
from api.domain.complaints.categories import Category
from api.domain.complaints.directory import Directory
from api.domain.complaints.outbox import outbox_row
from api.domain.complaints.routing import route
from api.domain.complaints.tracking_id import new_tracking_id
from api.domain.complaints.working_days import WorkingCalendar
from api.domain.nik import Nik, NikError, parse_nik
from api.domain.protection import Protector
from api.domain.regions import RegionCodes, normalize_region_code
from api.domain.vocabulary import (
    FIELD_CHECK_DAYS,
    FOLLOW_UP_DAYS,
    VERIFY_DAYS,
    Actor,
    EscalationLevel,
    Privacy,
    Status,
)
from api.models import Beneficiary, Complaint, ComplaintEvent, IdempotencyKey, OutboxMessage

MAX_DESCRIPTION = 4000
MAX_CONTACT = 200
MAX_CHANNEL_USER = 128
MAX_ADDRESS = 255
MAX_IDEMPOTENCY_KEY = 128


class IntakeProblem(StrEnum):
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_PRIVACY = "unknown_privacy"
    DESCRIPTION_EMPTY = "description_empty"
    DESCRIPTION_TOO_LONG = "description_too_long"
    SUBJECT_NIK_REQUIRED = "subject_nik_required"
    SUBJECT_NIK_INVALID = "subject_nik_invalid"
    DOMICILE_REQUIRED = "domicile_required"
    DOMICILE_INVALID = "domicile_invalid"
    DOMICILE_UNKNOWN = "domicile_unknown"
    PROGRAMME_UNKNOWN = "programme_unknown"
    TAHAP_INVALID = "tahap_invalid"
    LOCATION_INVALID = "location_invalid"
    ADDRESS_TOO_LONG = "address_too_long"
    CONTACT_TOO_LONG = "contact_too_long"
    CHANNEL_USER_INVALID = "channel_user_invalid"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


class IntakeError(ValueError):
    """Why a draft was refused: a problem code, the field, and parameters for the message."""

    def __init__(
        self,
        problem: IntakeProblem,
        *,
        field: str,
        nik_error: NikError | None = None,
        **params: int | str,
    ) -> None:
        super().__init__(f"{field}: {problem.value}")
        self.problem, self.field, self.params, self.nik_error = problem, field, params, nik_error


@dataclass(frozen=True)
class Reporter:
    channel_user: str
    locale: str = "id"
    contact: str | None = None


@dataclass(frozen=True)
class ComplaintDraft:
    category: str
    description: str
    privacy: str = Privacy.BIASA
    subject_nik: str | None = None
    # kecamatan (6 digits) or desa/kelurahan (10), dots allowed; may be left to the registry
    region_code: str | None = None
    programme: str | None = None
    tahap: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None


@dataclass(frozen=True)
class CheckedDraft:
    category: Category
    privacy: Privacy
    description: str
    subject: Nik | None
    district_code: str | None
    village_code: str | None
    programme: str | None
    tahap: int | None
    latitude: float | None
    longitude: float | None
    address: str | None


@dataclass(frozen=True)
class FiledComplaint:
    id: int
    tracking_id: str
    status: Status
    category: str
    office_code: str
    routing_reason: str
    verify_due: datetime
    follow_up_due: datetime
    resolve_due: datetime
    created_at: datetime
    # True when an Idempotency-Key replay returned an earlier submission.
    replayed: bool = False


def check_draft(
    draft: ComplaintDraft,
    reporter: Reporter,
    *,
    categories: Mapping[str, Category],
    programmes: frozenset[str],
    regions: RegionCodes,
) -> CheckedDraft:
    """Validate a draft without touching the database; :class:`IntakeError` says what is wrong."""
    channel_user = reporter.channel_user.strip()
    if not channel_user or len(channel_user) > MAX_CHANNEL_USER:
        raise IntakeError(
            IntakeProblem.CHANNEL_USER_INVALID, field="channel_user", max=MAX_CHANNEL_USER
        )
    if reporter.contact is not None and len(reporter.contact) > MAX_CONTACT:
        raise IntakeError(IntakeProblem.CONTACT_TOO_LONG, field="contact", max=MAX_CONTACT)

    category = categories.get(draft.category.strip().upper()) if draft.category else None
    if category is None or not category.active:
        raise IntakeError(IntakeProblem.UNKNOWN_CATEGORY, field="category")
    try:
        privacy = Privacy(str(draft.privacy).strip().upper())
    except ValueError:
        raise IntakeError(IntakeProblem.UNKNOWN_PRIVACY, field="privacy") from None

    description = draft.description.strip()
    if not description:
        raise IntakeError(IntakeProblem.DESCRIPTION_EMPTY, field="description")
    if len(description) > MAX_DESCRIPTION:
        raise IntakeError(
            IntakeProblem.DESCRIPTION_TOO_LONG,
            field="description",
            max=MAX_DESCRIPTION,
            length=len(description),
        )

    subject = None
    if draft.subject_nik and draft.subject_nik.strip():
        try:
            subject = parse_nik(draft.subject_nik, regions=regions)
        except NikError as error:
            raise IntakeError(
                IntakeProblem.SUBJECT_NIK_INVALID, field="subject_nik", nik_error=error
            ) from None
    elif category.requires_subject_nik:
        raise IntakeError(IntakeProblem.SUBJECT_NIK_REQUIRED, field="subject_nik")

    district_code = village_code = None
    if draft.region_code and draft.region_code.strip():
        try:
            code = normalize_region_code(draft.region_code)
        except ValueError:
            raise IntakeError(IntakeProblem.DOMICILE_INVALID, field="region_code") from None
        if len(code) not in (6, 10):
            raise IntakeError(IntakeProblem.DOMICILE_INVALID, field="region_code")
        district_code, village_code = code[:6], (code if len(code) == 10 else None)
        if not regions.has_district(district_code):
            raise IntakeError(IntakeProblem.DOMICILE_UNKNOWN, field="region_code")
    elif subject is None:
        # Without a NIK the registry cannot tell where the reporter lives.
        raise IntakeError(IntakeProblem.DOMICILE_REQUIRED, field="region_code")

    programme = draft.programme.strip().upper() if draft.programme else None
    if programme is not None and programme not in programmes:
        allowed = ", ".join(sorted(programmes))
        raise IntakeError(IntakeProblem.PROGRAMME_UNKNOWN, field="programme", allowed=allowed)
    if draft.tahap is not None and not 1 <= draft.tahap <= 4:
        raise IntakeError(IntakeProblem.TAHAP_INVALID, field="tahap")

    latitude, longitude = draft.latitude, draft.longitude
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and not (
            math.isfinite(latitude)
            and math.isfinite(longitude)
            and -90 <= latitude <= 90
            and -180 <= longitude <= 180
        )
    ):
        raise IntakeError(IntakeProblem.LOCATION_INVALID, field="location")
    address = draft.address.strip() if draft.address and draft.address.strip() else None
    if address is not None and len(address) > MAX_ADDRESS:
        raise IntakeError(IntakeProblem.ADDRESS_TOO_LONG, field="address", max=MAX_ADDRESS)

    return CheckedDraft(
        category=category,
        privacy=privacy,
        description=description,
        subject=subject,
        district_code=district_code,
        village_code=village_code,
        programme=programme,
        tahap=draft.tahap,
        latitude=latitude,
        longitude=longitude,
        address=address,
    )


def request_hash(draft: ComplaintDraft, reporter: Reporter) -> bytes:
    """What an Idempotency-Key is bound to: the whole request, canonically serialised."""
    canonical = json.dumps([asdict(draft), asdict(reporter)], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).digest()


async def file_complaint(
    *,
    engine: AsyncEngine,
    protector: Protector,
    directory: Directory,
    calendar: WorkingCalendar,
    regions: RegionCodes,
    programmes: frozenset[str],
    channel: Channel,
    reporter: Reporter,
    draft: ComplaintDraft,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> FiledComplaint:
    """Check, route, set deadlines and store a complaint durably; see the module docstring."""
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise IntakeError(
            IntakeProblem.IDEMPOTENCY_KEY_INVALID, field="Idempotency-Key", max=MAX_IDEMPOTENCY_KEY
        )
    fingerprint = request_hash(draft, reporter) if idempotency_key else b""
    filing = _Filing(
        engine=engine,
        protector=protector,
        directory=directory,
        calendar=calendar,
        channel=channel,
        reporter=reporter,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        now=now or datetime.now(UTC),
    )
    # A retry is answered from the Idempotency-Key record only when filing fails (the key is
    # taken, or the retry no longer passes a check): the common first submission costs no
    # extra round trip.
    try:
        checked = check_draft(
            draft, reporter, categories=directory.categories, programmes=programmes, regions=regions
        )
        return await filing.store(checked)
    except IntakeError:
        if idempotency_key and (
            earlier := await _replay(engine, channel, idempotency_key, fingerprint)
        ):
            return earlier
        raise
    except IntegrityError:
        # Either a concurrent or earlier submission with the same Idempotency-Key (replay it),
        # or, once in a trillion, the random tracking ID was taken (try once more).
        if idempotency_key and (
            earlier := await _replay(engine, channel, idempotency_key, fingerprint)
        ):
            return earlier
        return await filing.store(checked)


_INSERT_COMPLAINT = insert(Complaint.__table__).returning(Complaint.__table__.c.id)
_INSERT_EVENT = insert(ComplaintEvent.__table__)
_INSERT_IDEMPOTENCY_KEY = insert(IdempotencyKey.__table__)
_INSERT_OUTBOX = insert(OutboxMessage.__table__)
_b = Beneficiary.__table__.c
_REGISTRY_DOMICILE = select(_b.district_code, _b.village_code).where(
    _b.nik_hash == bindparam("nik_hash")
)


@cache
def _all_inserts(*, with_idempotency_key: bool):
    """complaint, its first event, [its Idempotency-Key record,] the outbox message: one
    statement. Parameters are the rows' columns prefixed c_, e_, i_, o_."""
    complaint, event = Complaint.__table__, ComplaintEvent.__table__
    idempotency, outbox = IdempotencyKey.__table__, OutboxMessage.__table__

    def params(table, prefix: str, skip: tuple[str, ...] = ("id",)) -> dict:
        return {
            column.name: bindparam(f"{prefix}{column.name}", type_=column.type)
            for column in table.columns
            if column.name not in skip
        }

    new_complaint = (
        insert(complaint).values(params(complaint, "c_")).returning(complaint.c.id).cte("c")
    )

    def child(table, prefix: str):
        columns = params(table, prefix, skip=("id", "complaint_id"))
        return insert(table).from_select(
            ["complaint_id", *columns], select(new_complaint.c.id, *columns.values())
        )

    ctes = [child(event, "e_").cte("e"), insert(outbox).values(params(outbox, "o_")).cte("o")]
    if with_idempotency_key:
        ctes.append(child(idempotency, "i_").cte("i"))
    return select(new_complaint.c.id).add_cte(*ctes)


@dataclass(frozen=True)
class _Filing:
    """One submission's context; ``store`` writes it in a single transaction."""

    engine: AsyncEngine
    protector: Protector
    directory: Directory
    calendar: WorkingCalendar
    channel: Channel
    reporter: Reporter
    idempotency_key: str | None
    fingerprint: bytes
    now: datetime

    async def store(self, checked: CheckedDraft) -> FiledComplaint:
        subject_hash = self.protector.nik_hash(checked.subject.value) if checked.subject else None
        if self.engine.dialect.name == "postgresql":
            values = await self._store_in_one_statement(checked, subject_hash)
        else:
            values = await self._store_in_a_transaction(checked, subject_hash)
        return FiledComplaint(
            id=values["id"],
            tracking_id=values["tracking_id"],
            status=Status.RECEIVED,
            category=values["category_code"],
            office_code=values["office_code"],
            routing_reason=values["routing_reason"],
            verify_due=values["verify_due"],
            follow_up_due=values["follow_up_due"],
            resolve_due=values["resolve_due"],
            created_at=self.now,
        )

    async def _store_in_one_statement(self, checked: CheckedDraft, subject_hash) -> dict:
        # PostgreSQL: the four inserts are one statement (data-modifying CTEs), atomic by
        # itself, sent in autocommit mode: one round trip (two with a registry lookup)
        # instead of seven, which is most of what intake costs.
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            registered = None
            if subject_hash is not None:
                registered = (
                    await conn.execute(_REGISTRY_DOMICILE, {"nik_hash": subject_hash})
                ).first()
            values = self._values(checked, subject_hash, registered)
            parameters = {f"c_{name}": value for name, value in values.items()}
            for prefix, row in (
                ("e_", self._event_row(values)),
                ("i_", self._idempotency_row(values)),
                ("o_", self._outbox_row(values)),
            ):
                parameters.update({f"{prefix}{name}": value for name, value in row.items()})
            statement = _all_inserts(with_idempotency_key=bool(self.idempotency_key))
            values["id"] = (await conn.execute(statement, parameters)).scalar_one()
        return values

    async def _store_in_a_transaction(self, checked: CheckedDraft, subject_hash) -> dict:
        # Statements are built once at import and given their values at execution: building
        # an INSERT with forty values per request was the costliest part of intake.
        async with self.engine.begin() as conn:
            registered = None
            if subject_hash is not None:
                registered = (
                    await conn.execute(_REGISTRY_DOMICILE, {"nik_hash": subject_hash})
                ).first()
            values = self._values(checked, subject_hash, registered)
            values["id"] = (await conn.execute(_INSERT_COMPLAINT, values)).scalar_one()
            await conn.execute(
                _INSERT_EVENT, {"complaint_id": values["id"], **self._event_row(values)}
            )
            if self.idempotency_key:
                await conn.execute(
                    _INSERT_IDEMPOTENCY_KEY,
                    {"complaint_id": values["id"], **self._idempotency_row(values)},
                )
            await conn.execute(_INSERT_OUTBOX, self._outbox_row(values))
        return values

    def _event_row(self, values: dict) -> dict:
        return {
            "at": self.now,
            "kind": "received",
            "actor_type": Actor.CITIZEN.value,
            "actor": self.channel.name,
            "from_status": None,
            "to_status": Status.RECEIVED.value,
            "office_code": values["office_code"],
            "public": True,
            "note": None,
        }

    def _idempotency_row(self, values: dict) -> dict:
        return {
            "api_key_id": self.channel.api_key_id,
            "key": self.idempotency_key,
            "request_hash": self.fingerprint,
            "created_at": self.now,
        }

    def _outbox_row(self, values: dict) -> dict:
        return outbox_row(
            channel=self.channel.name,
            channel_user=self.reporter.channel_user.strip(),
            locale=self.reporter.locale,
            kind="complaint.received",
            payload={
                "tracking_id": values["tracking_id"],
                "status": Status.RECEIVED.value,
                "category": values["category_code"],
                "office_code": values["office_code"],
            },
            now=self.now,
        )

    def _values(self, checked: CheckedDraft, subject_hash: bytes | None, registered) -> dict:
        district_code, village_code = checked.district_code, checked.village_code
        if district_code is None:
            if registered is None:
                raise IntakeError(IntakeProblem.DOMICILE_REQUIRED, field="region_code")
            district_code, village_code = registered.district_code, registered.village_code
        regency_code = district_code[:4]
        routing = self.directory.routing
        decision = route(
            regency_code=regency_code, office_type=checked.category.office_type, table=routing
        )
        resolve_days = checked.category.resolve_days
        channel_user = self.reporter.channel_user.strip()
        return {
            "tracking_id": new_tracking_id(),
            "category_code": checked.category.code,
            "status": Status.RECEIVED.value,
            "privacy": checked.privacy.value,
            "api_key_id": self.channel.api_key_id,
            "channel": self.channel.name,
            "reporter_hash": self.protector.reporter_hash(self.channel.name, channel_user),
            "reporter_encrypted": self.protector.encrypt(
                json.dumps({"user": channel_user, "contact": self.reporter.contact}),
                column="complaint.reporter",
            ),
            "reporter_locale": self.reporter.locale,
            "subject_nik_hash": subject_hash,
            "subject_encrypted": (
                self.protector.encrypt(checked.subject.value, column="complaint.subject")
                if checked.subject
                else None
            ),
            "subject_in_registry": registered is not None,
            "district_code": district_code,
            "village_code": village_code,
            "regency_code": regency_code,
            "province_code": district_code[:2],
            "coordination_region_code": routing.pilot_regencies.get(regency_code),
            "programme": checked.programme,
            "tahap": checked.tahap,
            "description": checked.description,
            "latitude": checked.latitude,
            "longitude": checked.longitude,
            "address": checked.address,
            "office_code": decision.office_code,
            "routing_reason": decision.reason.value,
            "transfer_count": 0,
            "escalation_level": EscalationLevel.OFFICE,
            "needs_field_check": resolve_days >= FIELD_CHECK_DAYS,
            "verify_due": self.calendar.add_working_days(self.now, VERIFY_DAYS),
            "follow_up_due": self.calendar.add_working_days(self.now, FOLLOW_UP_DAYS),
            "resolve_due": self.calendar.add_working_days(self.now, resolve_days),
            "paused_days": 0,
            "breaches": "",
            "rating": None,
            "reopened": False,
            "verified_at": None,
            "followed_up_at": None,
            "answered_at": None,
            "closed_at": None,
            "paused_at": None,
            "status_before_pause": None,
            "created_at": self.now,
            "updated_at": self.now,
        }


async def _replay(
    engine: AsyncEngine, channel: Channel, key: str, fingerprint: bytes
) -> FiledComplaint | None:
    idem, complaint = IdempotencyKey.__table__, Complaint.__table__
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(idem.c.request_hash, complaint)
                .join(complaint, complaint.c.id == idem.c.complaint_id)
                .where(idem.c.api_key_id == channel.api_key_id, idem.c.key == key)
            )
        ).first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IntakeError(IntakeProblem.IDEMPOTENCY_KEY_REUSED, field="Idempotency-Key")
    return FiledComplaint(
        id=row.id,
        tracking_id=row.tracking_id,
        status=Status(row.status),
        category=row.category_code,
        office_code=row.office_code,
        routing_reason=row.routing_reason,
        verify_due=row.verify_due,
        follow_up_due=row.follow_up_due,
        resolve_due=row.resolve_due,
        created_at=row.created_at,
        replayed=True,
    )
