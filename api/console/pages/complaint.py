"""One complaint's page: its facts, deadlines, timeline, evidence and people, and the
reveals (reporter, subject's NIK, registry standing), each a POST that is audited.

The page only translates: :mod:`api.application.complaint_dossier` reads the complaint (a
complaint of another office is refused exactly like a missing one, and the route class turns
that into the same 404 page), and :mod:`api.console.pages.complaint_actions` takes actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response
from markupsafe import Markup

import messages
from api.application import complaint_dossier, staff_work
from api.console import web
from api.console.web import Page, ServicesDep, SignedInPage
from api.services import Services

router = APIRouter(route_class=web.ConsoleRoute)

#: The forms offered on the page: form name → (the lifecycle action that opens it, whether a
#: note field is shown, whether response templates are offered).
FORMS: dict[str, tuple[str, bool, bool]] = {
    "verify": ("verify", False, False),
    "start": ("start", False, False),
    "request_info": ("request_info", True, False),
    "reply": ("reply", True, True),
    "note": ("reply", True, False),
    "forward": ("forward", True, False),
    "flag_field_check": ("flag_field_check", False, False),
    "resolve": ("resolve", True, True),
    "reject": ("reject", True, True),
    "reopen": ("reopen", True, False),
}


@dataclass
class FormState:
    """What a form shows again after a refusal (or a chosen template): its values and the
    error next to the field at fault."""

    form: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    field: str | None = None
    error: Markup | None = None


def complaint_url(tracking_id: str) -> str:
    return f"{web.PREFIX}/complaints/{tracking_id}"


async def show(
    page: Page,
    services: Services,
    tracking_id: str,
    *,
    reveal_reporter: bool = False,
    reveal_subject: bool = False,
    standing: complaint_dossier.RegistryStanding | None = None,
    state: FormState | None = None,
    status_code: int = 200,
) -> Response:
    assert page.member is not None
    dossier = await complaint_dossier.complaint_dossier(
        services,
        page.member,
        tracking_id,
        reveal_reporter=reveal_reporter,
        reveal_subject=reveal_subject,
    )
    complaint = dossier.complaint
    directory = await services.directory.get()
    category = directory.categories.get(complaint.category)
    templates = await complaint_dossier.templates_for(
        services, complaint.category, dossier.reporter_locale
    )
    offices = sorted(
        (
            (code, directory.office_name(code))
            for code, office in directory.routing.offices.items()
            if office.active and code != complaint.office_code
        ),
        key=lambda pair: pair[1],
    )
    return web.render(
        page,
        "complaint.html",
        status_code=status_code,
        active="queue",
        c=complaint,
        dossier=dossier,
        zone=web.zone_of(dossier.office_province_code),
        category_label=category.label_in(page.locale) if category else complaint.category,
        office_name=directory.office_name(complaint.office_code),
        office_names=directory.office_names,
        regency=services.regions.regency(complaint.regency_code)
        if complaint.regency_code
        else None,
        district=(
            services.regions.district(complaint.district_code) if complaint.district_code else None
        ),
        standing=standing,
        forms=[name for name, (action, _, _) in FORMS.items() if action in complaint.actions],
        form_spec=FORMS,
        state=state or FormState(),
        templates=templates,
        offices=offices,
        event_label=lambda kind: _event_label(page, kind),
        next_url=await _next_complaint(services, page, complaint.tracking_id),
        saved=page.request.query_params.get("saved") == "1",
    )


def _event_label(page: Page, kind: str) -> Markup | str:
    try:
        return page.t(f"console_complaint.event_{kind}")
    except messages.UnknownMessage:
        return kind


async def _next_complaint(services: Services, page: Page, tracking_id: str) -> str | None:
    """The complaint after this one in the member's queue (nearest deadline first), or the
    first one when this one is not in it."""
    assert page.member is not None
    items = await staff_work.queue(services, page.member, open_only=True, limit=100)
    ids = [item.tracking_id for item in items]
    if tracking_id in ids:
        ids = ids[ids.index(tracking_id) + 1 :]
    following = [other for other in ids if other != tracking_id]
    return complaint_url(following[0]) if following else None


@router.get("/complaints/{tracking_id}")
async def complaint_page(
    tracking_id: str,
    page: SignedInPage,
    services: ServicesDep,
    form: str | None = None,
    template: int | None = None,
) -> Response:
    state = None
    if form in FORMS and template is not None and page.member is not None:
        # Without script: the template's choice re-renders the page with the text filled in.
        filled = await complaint_dossier.filled_template(
            services, page.member, tracking_id, template
        )
        state = FormState(form=form, values={"note": filled or ""})
    return await show(page, services, tracking_id, state=state)


@router.get("/complaints/{tracking_id}/template")
async def template_text(
    tracking_id: str,
    page: SignedInPage,
    services: ServicesDep,
    form: str,
    template: int | None = None,
) -> Response:
    """The note field of ``form`` filled from a response template (htmx swaps it in)."""
    assert page.member is not None
    filled = None
    if template is not None:
        filled = await complaint_dossier.filled_template(
            services, page.member, tracking_id, template
        )
    return web.render(
        page,
        "complaint_note.html",
        name=form if form in FORMS else "reply",
        state=FormState(form=form, values={"note": filled or ""}),
    )


@router.post("/complaints/{tracking_id}/reveal")
async def reveal(
    tracking_id: str,
    page: SignedInPage,
    services: ServicesDep,
    what: Annotated[str, Form()] = "",
) -> Response:
    """Show the reporter, the subject's NIK or the subject's registry standing: each one
    shown is audited under the member's name."""
    assert page.member is not None
    standing = None
    if what == "registry":
        standing = await complaint_dossier.registry_standing(services, page.member, tracking_id)
    return await show(
        page,
        services,
        tracking_id,
        reveal_reporter=what == "reporter",
        reveal_subject=what == "subject",
        standing=standing,
    )


@router.get("/complaints/{tracking_id}/attachments/{attachment_id}")
async def attachment(
    tracking_id: str, attachment_id: int, page: SignedInPage, services: ServicesDep
) -> Response:
    """An attachment, audited. Images (checked and re-encoded at intake) are shown inline
    with their stored type; anything else is a download. Neither may run: the console's
    policy forbids script, ``sandbox`` keeps a file opened directly inert too, and every
    console response says ``nosniff`` (api.console.headers)."""
    assert page.member is not None
    evidence = await staff_work.evidence(services, page.member, tracking_id, attachment_id)
    kind = evidence.attachment.content_type
    inline = kind in ("image/jpeg", "image/png", "image/webp")
    disposition = "inline" if inline else "attachment"
    filename = _safe_filename(evidence.attachment)
    return Response(
        evidence.content,
        media_type=kind,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


def _safe_filename(attachment) -> str:
    name = "".join(ch for ch in attachment.filename if ch.isalnum() or ch in "._-") or "lampiran"
    return name[:100]
