"""Response templates: administrators write them, handlers pick one on the complaint page.

Changes are checked by :mod:`api.domain.response_templates` (placeholders, lengths) and
committed with their administration audit row (before and after).
"""

from __future__ import annotations

from api.application.administration import actor_of, require_admin
from api.application.errors import AppError, Refusal
from api.domain import response_templates
from api.domain.administration_audit import record_change
from api.domain.response_templates import (
    TemplateDraft,
    TemplateError,
    TemplateProblem,
    TemplateRecord,
)
from api.domain.staff import StaffMember
from api.services import Services


class TemplateRefused(AppError):
    """Every problem of a template at once, each with its field: a form shows them all."""

    def __init__(self, error: TemplateError) -> None:
        first = error.problems[0]
        refusal = (
            Refusal.NOT_FOUND
            if first.problem == TemplateProblem.TEMPLATE_NOT_FOUND
            else Refusal.INVALID
        )
        super().__init__(
            refusal,
            first.problem.value,
            f"console_admin.{first.problem.value}",
            params=first.params,
            field=first.field,
        )
        self.problems = error.problems


async def templates_for(
    services: Services, category_code: str | None, locale: str
) -> list[TemplateRecord]:
    """The active templates a handler may use for a complaint of this category, in this
    language: the category's own and those for any category."""
    return await response_templates.templates(
        services.engine,
        category_code=category_code,
        locale=locale,
        active_only=True,
        with_general=True,
    )


async def all_templates(
    services: Services, member: StaffMember, *, category_code: str | None = None
) -> list[TemplateRecord]:
    require_admin(member)
    return await response_templates.templates(services.engine, category_code=category_code)


async def template(services: Services, member: StaffMember, template_id: int) -> TemplateRecord:
    require_admin(member)
    found = await response_templates.template(services.engine, template_id)
    if found is None:
        raise AppError(
            Refusal.NOT_FOUND,
            "template_not_found",
            "console_admin.template_not_found",
            params={"id": template_id},
        )
    return found


async def _audited(services, member, kind, subject, make_change) -> TemplateRecord:
    require_admin(member)
    try:
        async with services.engine.begin() as conn:
            change = await make_change(conn)
            await record_change(
                conn,
                **actor_of(member),
                change=kind,
                subject=subject or str(change.after.id),
                before=change.before,
                after=change.after,
            )
    except TemplateError as error:
        raise TemplateRefused(error) from None
    return change.after


async def create_template(
    services: Services, member: StaffMember, draft: TemplateDraft
) -> TemplateRecord:
    return await _audited(
        services,
        member,
        "template_added",
        None,
        lambda conn: response_templates.add_template(conn, draft),
    )


async def change_template(
    services: Services,
    member: StaffMember,
    template_id: int,
    *,
    draft: TemplateDraft | None = None,
    active: bool | None = None,
) -> TemplateRecord:
    """Rewrite a template, or take it out of (or back into) use."""
    return await _audited(
        services,
        member,
        "template_changed",
        str(template_id),
        lambda conn: response_templates.change_template(
            conn, template_id, draft=draft, active=active
        ),
    )
