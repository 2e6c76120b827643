"""Administration of response templates: per category (or for any), per language, with
placeholders checked when saved; written, rewritten, taken out of use and back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from api.application import administration, response_templates
from api.application.errors import AppError
from api.application.response_templates import TemplateRefused
from api.console import web
from api.console.admin_forms import ADMIN, errors_of
from api.console.web import Page, ServicesDep, SignedInPage
from api.domain.response_templates import LOCALES, MAX_BODY, MAX_TITLE, PLACEHOLDERS, TemplateDraft

router = APIRouter(route_class=web.ConsoleRoute)


def _errors(page: Page, error: AppError) -> dict:
    """Every problem of the template next to its field (the first of each field)."""
    if not isinstance(error, TemplateRefused):
        return errors_of(page, error)
    errors: dict = {}
    for problem in error.problems:
        errors.setdefault(
            problem.field, page.t(f"console_admin.{problem.problem.value}", **problem.params)
        )
    return errors


@router.get("/admin/templates")
async def templates(
    page: SignedInPage, services: ServicesDep, category: str = "", saved: str = ""
) -> Response:
    found = await response_templates.all_templates(
        services, page.member, category_code=category or None
    )
    return web.render(
        page,
        "admin_templates.html",
        active="admin",
        templates=found,
        categories=await administration.category_rules(services, page.member),
        category=category,
        saved=saved,
    )


async def _form(page, services, *, record=None, form, errors=None, status=200) -> Response:
    return web.render(
        page,
        "admin_template.html",
        status_code=status,
        active="admin",
        record=record,
        form=form,
        errors=errors or {},
        categories=await administration.category_rules(services, page.member),
        locales=LOCALES,
        placeholders=PLACEHOLDERS,
        max_title=MAX_TITLE,
        max_body=MAX_BODY,
    )


def _draft(category_code: str, locale: str, title: str, body: str) -> TemplateDraft:
    return TemplateDraft(category_code or None, locale, title, body.replace("\r\n", "\n"))


@router.get("/admin/templates/new")
async def new_template_form(
    page: SignedInPage, services: ServicesDep, category: str = ""
) -> Response:
    form = {"category_code": category, "locale": page.locale, "title": "", "body": ""}
    return await _form(page, services, form=form)


# Form fields a little longer than the rules allow: an overlong entry is told precisely.
Title = Annotated[str, Form(max_length=MAX_TITLE * 4)]
Body = Annotated[str, Form(max_length=MAX_BODY * 4)]
Short = Annotated[str, Form(max_length=32)]


@router.post("/admin/templates/new")
async def create_template(
    page: SignedInPage,
    services: ServicesDep,
    category_code: Short = "",
    locale: Short = "id",
    title: Title = "",
    body: Body = "",
) -> Response:
    form = {"category_code": category_code, "locale": locale, "title": title, "body": body}
    try:
        created = await response_templates.create_template(
            services, page.member, _draft(category_code, locale, title, body)
        )
    except AppError as error:
        return await _form(page, services, form=form, errors=_errors(page, error), status=422)
    return web.redirect(f"{ADMIN}/templates?saved={created.id}")


@router.get("/admin/templates/{template_id}")
async def template(page: SignedInPage, services: ServicesDep, template_id: int) -> Response:
    found = await response_templates.template(services, page.member, template_id)
    form = {
        "category_code": found.category_code or "",
        "locale": found.locale,
        "title": found.title,
        "body": found.body,
    }
    return await _form(page, services, record=found, form=form)


@router.post("/admin/templates/{template_id}")
async def change_template(
    page: SignedInPage,
    services: ServicesDep,
    template_id: int,
    category_code: Short = "",
    locale: Short = "id",
    title: Title = "",
    body: Body = "",
) -> Response:
    found = await response_templates.template(services, page.member, template_id)
    form = {"category_code": category_code, "locale": locale, "title": title, "body": body}
    try:
        await response_templates.change_template(
            services, page.member, template_id, draft=_draft(category_code, locale, title, body)
        )
    except AppError as error:
        return await _form(
            page, services, record=found, form=form, errors=_errors(page, error), status=422
        )
    return web.redirect(f"{ADMIN}/templates?saved={template_id}")


@router.post("/admin/templates/{template_id}/active")
async def set_active(
    page: SignedInPage,
    services: ServicesDep,
    template_id: int,
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    await response_templates.change_template(
        services, page.member, template_id, active=active == "1"
    )
    return web.redirect(f"{ADMIN}/templates?saved={template_id}")
