"""Every refusal of the staff and admin APIs is in the member's language, with a stable code.

A signed-in member reads their own language (``staff.locale``), whatever Accept-Language
their client sends; before the member is known (no session, a wrong password) the refusal
follows Accept-Language. Each row is one refusal a member can meet: its status, its code,
and the exact sentence of messages/<locale>/ it must be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import update

import messages
from api.domain.complaints.queue_filter import DeadlineState
from api.domain.pilot_config import OfficeType
from api.domain.staff import create_staff
from api.domain.vocabulary import Action, Role
from api.errors import _PROBLEMS, validation_problem
from api.models import Staff

PASSWORD = "kata-sandi-yang-panjang"
COMPLAINT = {
    "reporter": {"channel_user": "tg:4242"},
    "category": "BANTUAN_TIDAK_DITERIMA",
    "description": "Bantuan tahap 3 belum diterima.",
    "subject_nik": "3510014107900001",
    "region_code": "351001",
}
OFFICE = {"code": "DINSOS-9999", "name": "Dinas Sosial Contoh", "type": "DINSOS"}


@dataclass(frozen=True)
class Refused:
    """One refusal: the request (``{tid}`` is a complaint of the handler's office), who sends
    it, and what must come back."""

    name: str
    method: str
    path: str
    status: int
    code: str
    key: str
    who: str | None = "handler"
    body: object = None
    content: bytes | None = None
    params: dict = field(default_factory=dict)
    # A parameter that is itself a message, rendered in the same language first.
    phrases: dict[str, str] = field(default_factory=dict)
    # A validation error: the rule broken and the field at fault.
    problem: str | None = None
    field: str | None = None


def _invalid(name, method, path, problem, field, *, body=None, content=None, who="handler", **p):
    params = p if problem == "not_json" else {"field": field, **p}
    return Refused(
        name,
        method,
        path,
        422,
        "invalid_request",
        f"input.{problem}",
        who=who,
        body=body,
        content=content,
        params=params,
        problem=problem,
        field=field,
    )


STAFF = "/api/v1/staff/complaints"
ACTIONS = STAFF + "/{tid}/actions"
REFUSALS = [
    Refused("no session", "GET", STAFF, 401, "missing_session", "staff.missing_session", who=None),
    Refused(
        "an ended session",
        "GET",
        STAFF,
        401,
        "invalid_session",
        "staff.invalid_session",
        who="gone",
    ),
    Refused(
        "a wrong password",
        "POST",
        "/api/v1/staff/sessions",
        401,
        "login_failed",
        "staff.login_failed",
        who=None,
        body={"username": "handler", "password": "salah-salah-salah"},
    ),
    Refused(
        "no such complaint", "GET", STAFF + "/ABC", 404, "complaint_not_found", "staff.not_found"
    ),
    Refused(
        "another office's complaint",
        "GET",
        STAFF + "/{tid}",
        404,
        "complaint_not_found",
        "staff.not_found",
        who="other_office",
    ),
    Refused(
        "an action its status does not allow",
        "POST",
        ACTIONS,
        409,
        "invalid_transition",
        "complaints.invalid_transition",
        body={"action": "resolve", "note": "Selesai"},
        phrases={"status": "complaints.status_RECEIVED"},
    ),
    Refused(
        "a coordinator before an escalation",
        "POST",
        ACTIONS,
        403,
        "not_your_complaint",
        "staff.not_your_complaint",
        who="coordinator",
        body={"action": "verify"},
    ),
    Refused(
        "no such attachment",
        "GET",
        STAFF + "/{tid}/attachments/999",
        404,
        "attachment_not_found",
        "staff.attachment_not_found",
    ),
    Refused(
        "a complaint not at triage",
        "GET",
        STAFF + "/{tid}/domicile-suggestion",
        409,
        "not_in_triage",
        "complaints.not_in_triage",
    ),
    Refused(
        "an address with no route",
        "GET",
        "/api/v1/staff/nothing-here",
        404,
        "no_such_address",
        "input.no_such_address",
    ),
    Refused(
        "a method the address does not take",
        "PUT",
        STAFF,
        405,
        "method_not_allowed",
        "input.method_not_allowed",
        params={"method": "PUT"},
    ),
    Refused(
        "a body over the limit",
        "POST",
        ACTIONS,
        413,
        "body_too_large",
        "requests.body_too_large",
        content=b"x" * (1024 * 1024 + 1),
        params={"max_mb": "1"},
    ),
    _invalid(
        "an unknown action",
        "POST",
        ACTIONS,
        "not_one_of",
        "action",
        body={"action": "dance"},
        allowed=", ".join(Action),
    ),
    _invalid("no action", "POST", ACTIONS, "missing", "action", body={"note": "x"}),
    _invalid(
        "a note too long",
        "POST",
        ACTIONS,
        "too_long",
        "note",
        body={"action": "reply", "note": "x" * 20001},
        max_length=20000,
    ),
    _invalid(
        "public not a boolean",
        "POST",
        ACTIONS,
        "not_boolean",
        "public",
        body={"action": "reply", "public": "perhaps"},
    ),
    _invalid("a body that is not JSON", "POST", ACTIONS, "not_json", None, content=b'{"action":'),
    _invalid("a body that is not an object", "POST", ACTIONS, "not_object", None, body=["verify"]),
    _invalid("a page of nothing", "GET", STAFF + "?limit=0", "number_too_small", "limit", limit=1),
    _invalid("a page size in words", "GET", STAFF + "?limit=many", "not_whole_number", "limit"),
    _invalid(
        "an unknown deadline filter",
        "GET",
        STAFF + "?deadline=soon",
        "not_one_of",
        "deadline",
        allowed=", ".join(DeadlineState),
    ),
    _invalid(
        "an attachment id in words",
        "GET",
        STAFF + "/{tid}/attachments/first",
        "not_whole_number",
        "attachment_id",
    ),
    Refused(
        "a handler at the admin API",
        "GET",
        "/api/v1/admin/offices",
        403,
        "admin_only",
        "staff.admin_only",
    ),
    Refused(
        "no such category",
        "PATCH",
        "/api/v1/admin/categories/NOPE",
        404,
        "category_not_found",
        "staff.category_not_found",
        who="admin",
        body={"active": True},
        params={"code": "NOPE"},
    ),
    Refused(
        "no such office",
        "PATCH",
        "/api/v1/admin/offices/NOPE",
        404,
        "office_not_found",
        "staff.office_not_found",
        who="admin",
        body={"active": False},
        params={"code": "NOPE"},
    ),
    Refused(
        "an office that exists",
        "POST",
        "/api/v1/admin/offices",
        409,
        "office_exists",
        "staff.office_exists",
        who="admin",
        body={**OFFICE, "code": "DINSOS-3510", "regency_code": "3510"},
        params={"code": "DINSOS-3510"},
    ),
    _invalid(
        "an office code in lower case",
        "POST",
        "/api/v1/admin/offices",
        "wrong_form",
        "code",
        who="admin",
        body={**OFFICE, "code": "dinsos"},
        pattern="^[A-Z0-9-]{2,32}$",
    ),
    _invalid(
        "an unknown office type",
        "POST",
        "/api/v1/admin/offices",
        "not_one_of",
        "type",
        who="admin",
        body={**OFFICE, "type": "BANK"},
        allowed=", ".join(OfficeType),
    ),
    _invalid(
        "an office name too short",
        "POST",
        "/api/v1/admin/offices",
        "too_short",
        "name",
        who="admin",
        body={**OFFICE, "name": "DS"},
        min_length=3,
    ),
]
ACCOUNTS = {
    "handler": (Role.HANDLER, "DINSOS-3510"),
    "other_office": (Role.HANDLER, "DINSOS-1872"),
    "coordinator": (Role.COORDINATOR, "WK4"),
    "admin": (Role.ADMIN, None),
}
OTHER = {"id": "en", "en": "id"}


async def _headers(client, services, who: str | None, locale: str) -> dict[str, str]:
    """The member's session (their language set to ``locale``), sent with the *other*
    language as Accept-Language; without a member, Accept-Language is ``locale``."""
    if who is None:
        return {"Accept-Language": locale}
    if who == "gone":
        return {"Authorization": "Bearer no-such-session", "Accept-Language": locale}
    async with services.engine.begin() as conn:
        await conn.execute(
            update(Staff.__table__).where(Staff.__table__.c.username == who).values(locale=locale)
        )
    signed_in = await client.post(
        "/api/v1/staff/sessions", json={"username": who, "password": PASSWORD}
    )
    return {
        "Authorization": f"Bearer {signed_in.json()['token']}",
        "Accept-Language": OTHER[locale],
    }


@pytest.fixture
async def tracking_id(client, services) -> str:
    for username, (role, office) in ACCOUNTS.items():
        await create_staff(
            services.engine,
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            office_code=office,
        )
    filed = await client.post("/api/v1/complaints", json=COMPLAINT)
    assert filed.status_code == 201
    return filed.json()["tracking_id"]


def _expected(refused: Refused, locale: str) -> str:
    phrases = {name: messages.render(locale, key) for name, key in refused.phrases.items()}
    return messages.render_text(locale, refused.key, **refused.params, **phrases)


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("refused", REFUSALS, ids=lambda refused: refused.name)
async def test_a_refusal_is_in_the_members_language_with_a_stable_code(
    client, services, tracking_id, refused: Refused, locale: str
):
    headers = await _headers(client, services, refused.who, locale)
    if refused.content is not None:
        headers["Content-Type"] = "application/json"

    response = await client.request(
        refused.method,
        refused.path.format(tid=tracking_id),
        headers=headers,
        json=refused.body,
        content=refused.content,
    )

    assert response.status_code == refused.status, response.text
    error = response.json()["error"]
    assert error["code"] == refused.code
    assert error["message"] == _expected(refused, locale)
    if refused.problem is not None:
        assert error["problem"] == refused.problem
        assert error.get("field") == refused.field


def test_every_refusal_of_the_table_reads_differently_in_each_language():
    """So the table proves a translation, not a sentence both catalogues happen to share."""
    same = [r.name for r in REFUSALS if _expected(r, "id") == _expected(r, "en")]

    assert same == []


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("kind", sorted(_PROBLEMS))
def test_every_validation_problem_has_a_sentence_naming_the_field(kind: str, locale: str):
    context = {"expected": "'a' or 'b'", "min_length": 3, "max_length": 9, "pattern": "^x$"}
    error = {"type": kind, "loc": ("body", "office", "name"), "ctx": context}

    problem, message, field = validation_problem(error, locale)

    assert problem != "invalid"
    assert "None" not in message
    if problem != "not_json":
        assert field == "office.name" and "office.name" in message
