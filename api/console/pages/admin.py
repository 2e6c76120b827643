"""Administration (ADMIN only): the overview with the audit of every configuration change,
and the categories' routing rules.

Every page calls :mod:`api.application.administration` and friends, which refuse anyone but
an administrator (a 403 page); each change there commits with its audit row.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

import messages
from api.application import administration
from api.application.errors import AppError, Refusal
from api.console import web
from api.console.admin_forms import ADMIN, errors_of
from api.console.web import Page, ServicesDep, SignedInPage
from api.domain.pilot_config import REGENCY_OFFICE_TYPES

router = APIRouter(route_class=web.ConsoleRoute)


def _change_label(page: Page, kind: str) -> str:
    """A kind of change in words; one recorded by a newer release shows its code."""
    try:
        return page.t(f"console_admin.change_{kind}")
    except messages.UnknownMessage:
        return kind


@router.get("/admin")
async def overview(page: SignedInPage, services: ServicesDep, change: str = "") -> Response:
    entries, kinds = await administration.audit_trail(
        services, page.member, change=change or None, limit=100
    )
    return web.render(
        page,
        "admin.html",
        active="admin",
        entries=entries,
        kinds=kinds,
        chosen=change,
        change_label=lambda kind: _change_label(page, kind),
    )


@router.get("/admin/categories")
async def categories(page: SignedInPage, services: ServicesDep, saved: str = "") -> Response:
    rules = await administration.category_rules(services, page.member)
    return web.render(page, "admin_categories.html", active="admin", rules=rules, saved=saved)


async def _category_form(page, services, code, *, errors=None, status=200) -> Response:
    rules = await administration.category_rules(services, page.member)
    rule = next((rule for rule in rules if rule.code == code), None)
    if rule is None:
        raise AppError(
            Refusal.NOT_FOUND,
            "category_not_found",
            "staff.category_not_found",
            params={"code": code},
        )
    return web.render(
        page,
        "admin_category.html",
        status_code=status,
        active="admin",
        rule=rule,
        office_types=sorted(REGENCY_OFFICE_TYPES),
        errors=errors or {},
    )


@router.get("/admin/categories/{code}")
async def category(page: SignedInPage, services: ServicesDep, code: str) -> Response:
    return await _category_form(page, services, code)


@router.post("/admin/categories/{code}")
async def change_category(
    page: SignedInPage,
    services: ServicesDep,
    code: str,
    office_type: Annotated[str, Form(max_length=16)] = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        await administration.change_category_rule(
            services, page.member, code, office_type=office_type or None, active=active == "1"
        )
    except AppError as error:
        return await _category_form(
            page, services, code, errors=errors_of(page, error, "office_type"), status=422
        )
    return web.redirect(f"{ADMIN}/categories?saved={code}")
