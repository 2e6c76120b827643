"""One complaint's page as both its page modules render it: the reading (complaint.py) and
the actions (complaint_actions.py). Console page modules never import one another, so what
they share lives here: the forms offered and how the page is put together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.responses import Response
from markupsafe import Markup

import messages
from api.application import complaint_dossier, console_work
from api.console import web
from api.console.web import Page
from api.services import Services

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
        assignment=await console_work.assignment_of(services, page.member, tracking_id),
    )


def _event_label(page: Page, kind: str) -> Markup | str:
    try:
        return page.t(f"console_complaint.event_{kind}")
    except messages.UnknownMessage:
        return kind


async def _next_complaint(services: Services, page: Page, tracking_id: str) -> str | None:
    """The complaint after this one in the member's queue (nearest deadline first)."""
    assert page.member is not None
    following = await complaint_dossier.next_in_queue(services, page.member, tracking_id)
    return complaint_url(following) if following else None
