"""Open311 GeoReport v2: our complaints as GeoReport services and service requests.

The mapping is pure (a category or a stored row plus the directory in, a dict of GeoReport
fields out) so the JSON and the XML answers are the same records; ``public_requests`` is
the one query behind the public listing. No web framework here: the routes live in
``api.routes.open311``.

Where this interface departs from, or fills in, the spec:

* **Location.** GeoReport requires ``lat``+``long``, ``address_string`` or ``address_id``.
  Our routing needs the kecamatan, which comes from ``attribute[region_code]`` (kecamatan or
  desa code); a coordinate is not reverse-geocoded, and the registry is never asked (that
  would tell a caller where a NIK's owner lives). A request without a usable region code —
  only a point and an address, or no location at all — is accepted all the same and waits
  at a triage desk until an officer sets the domicile: the coordination region's when the
  address names one of its pilot kab/kota, else the national desk.
* **media_url** is accepted and ignored: nothing is stored and the URL is never fetched.
  Evidence goes through the channel API's attachment upload.
* **Privacy.** RAHASIA complaints never appear, not even by explicit id (the answer is the
  same 404 as for an id that does not exist). No record carries anything about the
  reporter (no e-mail, device, account, name or phone), whatever the privacy level. What
  of a complaint's own words is published is decided in ``publication``: no description,
  street or point for ANONIM complaints nor for categories about a person; elsewhere NIK/KK
  numbers, telephone numbers and e-mail addresses are masked; ``address_id`` is the
  kecamatan code, never the desa/kelurahan.
* **status_notes** is the latest public note written by an office or the system; a
  citizen's own notes (answers, rating comments) are not published.
* **Tokens.** Intake is synchronous: the POST already answers with the
  ``service_request_id``. A token is therefore the service_request_id itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.complaints.categories import Category
from api.domain.complaints.directory import Directory
from api.domain.complaints.intake import ComplaintDraft, IntakeError, IntakeProblem
from api.domain.complaints.lifecycle import FINISHED_STATUSES
from api.domain.complaints.publication import (
    description_is_public,
    masked,
    public_area,
    public_text,
)
from api.domain.complaints.tracking_id import TrackingIdError, display, parse_tracking_id
from api.domain.complaints.working_days import JAKARTA
from api.domain.vocabulary import Actor, Privacy, Status
from api.models import Complaint, ComplaintEvent

MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
#: The dates a listing filter may name. Beyond them there is nothing to find, and a date near
#: the calendar's ends overflows once moved to UTC or back by the default window.
EARLIEST_DATE = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(9000, 1, 1, tzinfo=UTC)
OPEN, CLOSED = "open", "closed"

#: text(key, **params) -> a sentence in the caller's language (``messages.render`` bound).
Texts = Callable[..., str]


class FilterError(ValueError):
    """A listing filter is malformed; ``problem`` names the message, ``field`` the parameter."""

    def __init__(self, problem: str, *, field: str, **params: object) -> None:
        super().__init__(f"{field}: {problem}")
        self.problem, self.field, self.params = problem, field, params


# --- services -------------------------------------------------------------------------------


def service_record(category: Category, locale: str) -> dict[str, Any]:
    """One entry of ``services.{fmt}``.

    ``metadata`` is true for every service: each has a definition, and a client that skips
    it could not send the region code (or NIK) that routing needs.
    """
    return {
        "service_code": category.code,
        "service_name": category.label_in(locale),
        "description": category.description_in(locale),
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": category.office_type,
    }


def service_definition(
    category: Category, *, programmes: Iterable[str], text: Texts
) -> dict[str, Any]:
    """``services/{code}.{fmt}``: the attributes a request for this service may carry."""
    needs_nik = category.requires_subject_nik
    attributes: list[dict[str, Any]] = []

    def attribute(code: str, datatype: str, *, required: bool, values=(), **explained) -> None:
        attributes.append(
            {
                "variable": True,
                "code": code,
                "datatype": datatype,
                "required": required,
                "datatype_description": text(f"open311.datatype_{code}"),
                "order": len(attributes) + 1,
                "description": text(f"open311.attribute_{code}", **explained),
                "values": [{"key": key, "name": name} for key, name in values],
            }
        )

    if needs_nik:
        attribute("subject_nik", "string", required=True)
    # Never required: without it the request goes to a triage desk ("no wrong door").
    attribute("region_code", "string", required=False)
    attribute(
        "privacy",
        "singlevaluelist",
        required=False,
        values=[(p.value, text(f"open311.privacy_{p.value}")) for p in Privacy],
        # Said before sending: what of this request the public listing will show.
        description_public=category.public_description,
    )
    attribute(
        "programme",
        "singlevaluelist",
        required=False,
        values=[(code, text("eligibility.programme_name", code=code)) for code in programmes],
    )
    attribute("tahap", "number", required=False)
    return {"service_code": category.code, "attributes": attributes}


# --- POST requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    draft: ComplaintDraft
    channel_user: str
    contact: str | None


def submission_from_fields(fields: Mapping[str, str | None]) -> Submission:
    """A GeoReport POST (spec field names, ``attribute[x]`` for ours) as an intake draft.

    Malformed numbers are refused with the intake's own problems, so the citizen reads the
    same sentence as on any other channel.
    """

    def get(name: str) -> str | None:
        value = fields.get(name)
        return value.strip() if value and value.strip() else None

    latitude, longitude = _number(get("lat")), _number(get("long"))
    if (get("lat") and latitude is None) or (get("long") and longitude is None):
        raise IntakeError(IntakeProblem.LOCATION_INVALID, field="location")
    tahap_text = get("attribute[tahap]")
    tahap = _number(tahap_text)
    if tahap_text is not None and (tahap is None or not tahap.is_integer()):
        raise IntakeError(IntakeProblem.TAHAP_INVALID, field="tahap")
    draft = ComplaintDraft(
        category=get("service_code") or "",
        description=fields.get("description") or "",
        privacy=get("attribute[privacy]") or Privacy.BIASA,
        subject_nik=get("attribute[subject_nik]"),
        region_code=get("attribute[region_code]"),
        programme=get("attribute[programme]"),
        tahap=int(tahap) if tahap is not None else None,
        latitude=latitude,
        longitude=longitude,
        address=get("address_string"),
    )
    return Submission(
        draft=draft,
        channel_user=(get("account_id") or get("device_id") or get("email") or "anonymous"),
        contact=get("phone") or get("email"),
    )


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --- GET requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilter:
    """What the public listing selects. With ``tracking_ids`` every other filter is unused."""

    tracking_ids: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    start: datetime | None = None
    end: datetime | None = None
    # None: both open and closed.
    closed: bool | None = None


def parse_filter(
    *,
    service_request_id: str | None,
    service_code: str | None,
    start_date: str | None,
    end_date: str | None,
    status: str | None,
    now: datetime,
) -> RequestFilter:
    """The spec's query parameters as a :class:`RequestFilter`, or :class:`FilterError`.

    As the spec says: a list of ids overrides every other filter, and without dates the
    listing covers the last 90 days. A lone ``start_date`` has no upper bound; a lone
    ``end_date`` goes back 90 days. A date without a zone is read as WIB (Asia/Jakarta).
    """
    ids = _split(service_request_id)
    if ids:
        # A malformed id cannot match anything; it is dropped rather than refused, as the
        # spec has no error for one bad id in a list.
        return RequestFilter(tracking_ids=tuple(_canonical_ids(ids[:MAX_RESULTS])))
    start = _datetime(start_date, field="start_date")
    end = _datetime(end_date, field="end_date")
    if start is None and end is None:
        start, end = now - DEFAULT_WINDOW, None
    elif start is None:
        start = end - DEFAULT_WINDOW
    statuses = {value.lower() for value in _split(status)}
    if statuses - {OPEN, CLOSED}:
        raise FilterError("status_invalid", field="status")
    codes = tuple(code.upper() for code in _split(service_code))
    return RequestFilter(
        categories=codes or None,
        start=start,
        end=end,
        closed=(CLOSED in statuses) if len(statuses) == 1 else None,
    )


def tracking_id_or_none(text: str) -> str | None:
    """The canonical tracking id for a display, canonical or lower-case form; None if bad."""
    try:
        return parse_tracking_id(text)
    except TrackingIdError:
        return None


def _canonical_ids(texts: Iterable[str]) -> Iterable[str]:
    for text in texts:
        canonical = tracking_id_or_none(text)
        if canonical is not None:
            yield canonical


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _datetime(value: str | None, *, field: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    # An unencoded "+07:00" in a query string arrives as " 07:00".
    text = value.strip().replace(" ", "+")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise FilterError("date_invalid", field=field) from None
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=JAKARTA)
    if not EARLIEST_DATE <= parsed < LATEST_DATE:  # compared without moving it to UTC
        raise FilterError(
            "date_out_of_range",
            field=field,
            earliest=EARLIEST_DATE.year,
            latest=LATEST_DATE.year - 1,
        )
    return parsed


async def public_requests(engine: AsyncEngine, where: RequestFilter) -> list:
    """The complaints the public may see, newest first, at most ``MAX_RESULTS``: ONE query.

    The latest office note comes with each row through a correlated subquery.
    """
    table, events = Complaint.__table__, ComplaintEvent.__table__
    latest_note = (
        select(events.c.note)
        .where(
            events.c.complaint_id == table.c.id,
            events.c.public.is_(True),
            events.c.note.is_not(None),
            events.c.actor_type != Actor.CITIZEN.value,
        )
        .order_by(events.c.id.desc())
        .limit(1)
        .correlate(table)
        .scalar_subquery()
    )
    conditions = [table.c.privacy != Privacy.RAHASIA.value]
    if where.tracking_ids is not None:
        conditions.append(table.c.tracking_id.in_(where.tracking_ids))
    else:
        if where.categories:
            conditions.append(table.c.category_code.in_(where.categories))
        if where.start is not None:
            conditions.append(table.c.created_at >= where.start)
        if where.end is not None:
            conditions.append(table.c.created_at <= where.end)
        finished = [status.value for status in FINISHED_STATUSES]
        if where.closed is True:
            conditions.append(table.c.status.in_(finished))
        elif where.closed is False:
            conditions.append(table.c.status.not_in(finished))
    query = (
        select(
            table.c.tracking_id,
            table.c.status,
            table.c.category_code,
            table.c.description,
            table.c.office_code,
            table.c.created_at,
            table.c.updated_at,
            table.c.resolve_due,
            table.c.address,
            table.c.district_code,
            table.c.village_code,
            table.c.latitude,
            table.c.longitude,
            table.c.privacy,
            latest_note.label("status_notes"),
        )
        .where(and_(*conditions))
        .order_by(table.c.created_at.desc(), table.c.id.desc())
        .limit(MAX_RESULTS)
    )
    async with engine.connect() as conn:
        return list((await conn.execute(query)).all())


def request_record(row, directory: Directory, locale: str) -> dict[str, Any]:
    """One GeoReport service request from a :func:`public_requests` row. Nothing in it is
    about the reporter: the row does not even carry those columns."""
    category = directory.categories.get(row.category_code)
    # A complaint whose words are withheld is often located at a home (the reporter's, or
    # the accused's): publishing the point or the street would name it, so only the
    # kecamatan is given.
    placed = description_is_public(category, row.privacy)
    return {
        "service_request_id": display(row.tracking_id),
        "status": CLOSED if Status(row.status) in FINISHED_STATUSES else OPEN,
        "status_notes": masked(row.status_notes),
        "service_name": category.label_in(locale) if category else row.category_code,
        "service_code": row.category_code,
        "description": public_text(row.description, category=category, privacy=row.privacy),
        "agency_responsible": directory.office_name(row.office_code),
        "service_notice": None,
        "requested_datetime": iso(row.created_at),
        "updated_datetime": iso(row.updated_at),
        "expected_datetime": iso(row.resolve_due),
        "address": masked(row.address) if placed else None,
        "address_id": public_area(row.district_code, row.village_code),
        "zipcode": None,
        "lat": row.latitude if placed else None,
        "long": row.longitude if placed else None,
        "media_url": None,
    }


def token_record(tracking_id: str) -> dict[str, str]:
    shown = display(tracking_id)
    return {"service_request_id": shown, "token": shown}


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the WIB offset: ``2026-11-02T09:00:00+07:00``."""
    return moment.astimezone(JAKARTA).isoformat(timespec="seconds") if moment else None
