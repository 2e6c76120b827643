"""The actions on a complaint's page: one POST form each, validated by the application
layer; a refusal shows the page again with the precise error next to the field at fault (in
the member's language) and what was typed kept; success redirects back with "saved".

A complaint the member may not see stays a 404 (the route class renders it); only the
refusals a form can fix are shown in the form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from api.application import console_work, staff_work
from api.application.errors import AppError, Refusal
from api.console import web
from api.console.complaint_view import FORMS, FormState, complaint_url, show
from api.console.web import ServicesDep, SignedInPage
from api.domain.vocabulary import Action

router = APIRouter(route_class=web.ConsoleRoute)

# Which field of the form each refusal is about; others are shown at the top of the form.
_FIELD_OF = {
    "note_required": "note",
    "note_too_long": "note",
    "unknown_office": "to_office",
    "same_office": "to_office",
    "office_required": "to_office",
}
_STATUS_OF = {Refusal.INVALID: 422, Refusal.CONFLICT: 409, Refusal.FORBIDDEN: 403}


@router.post("/complaints/{tracking_id}/assign")
async def assign(
    tracking_id: str,
    page: SignedInPage,
    services: ServicesDep,
    to_staff_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Give the complaint to the member, a colleague of its office, or nobody ("")."""
    to = int(to_staff_id) if to_staff_id.isdigit() else None
    await console_work.assign(services, page.member, tracking_id, to)
    return web.redirect(f"{complaint_url(tracking_id)}?saved=1")


@router.post("/complaints/{tracking_id}/actions/{form}")
async def act(
    tracking_id: str,
    form: str,
    page: SignedInPage,
    services: ServicesDep,
    note: Annotated[str, Form()] = "",
    to_office: Annotated[str, Form()] = "",
) -> Response:
    assert page.member is not None
    values = {"note": note, "to_office": to_office}
    try:
        if form not in FORMS:
            raise AppError(Refusal.INVALID, "action_unknown", "console_complaint.action_unknown")
        office = _office_code(to_office)
        if form == "forward" and not office:
            raise AppError(Refusal.INVALID, "office_required", "console_complaint.office_required")
        await staff_work.act_on_complaint(
            services,
            page.member,
            tracking_id,
            action=Action(FORMS[form][0]),
            note=note if FORMS[form][1] else None,
            public=form != "note",
            to_office=office if form == "forward" else None,
        )
    except AppError as error:
        if error.refusal not in _STATUS_OF:
            raise  # not found and the like: the route class renders them as pages
        state = FormState(
            form=form,
            values=values,
            field=error.field or _FIELD_OF.get(error.code),
            error=web.refusal_message(page, error),
        )
        return await show(
            page, services, tracking_id, state=state, status_code=_STATUS_OF[error.refusal]
        )
    return web.redirect(f"{complaint_url(tracking_id)}?saved=1")


def _office_code(typed: str) -> str:
    """The office as typed in the searchable list: "CODE — name" or the bare code."""
    return typed.split(" — ", 1)[0].strip()
