"""One complaint's page: its facts, deadlines, timeline, evidence and people, and the
reveals (reporter, subject's NIK, registry standing), each a POST that is audited.

The page only translates: :mod:`api.application.complaint_dossier` reads the complaint (a
complaint of another office is refused exactly like a missing one, and the route class turns
that into the same 404 page), and :mod:`api.console.pages.complaint_actions` takes actions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from api.application import complaint_dossier, staff_work
from api.console import web
from api.console.complaint_view import FORMS, FormState, show
from api.console.web import ServicesDep, SignedInPage

router = APIRouter(route_class=web.ConsoleRoute)


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
