"""Administration of offices: a searchable list, adding one, renaming, its e-mail, and
taking it out of (or back into) service. Offices are never deleted: complaints point at them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from api.application import administration
from api.application.errors import AppError
from api.console import web
from api.console.admin_forms import ADMIN, errors_of
from api.console.web import ServicesDep, SignedInPage
from api.domain.organisation import NewOffice
from api.domain.pilot_config import OfficeType

router = APIRouter(route_class=web.ConsoleRoute)
_TYPES = [office_type.value for office_type in OfficeType]


def _matches(office, words: str) -> bool:
    return all(
        word in f"{office.code} {office.name} {office.regency_code or ''}".casefold()
        for word in words.casefold().split()
    )


@router.get("/admin/offices")
async def offices(
    page: SignedInPage, services: ServicesDep, q: str = "", saved: str = ""
) -> Response:
    found = [
        office
        for office in await administration.offices(services, page.member)
        if _matches(office, q)
    ]
    return web.render(page, "admin_offices.html", active="admin", offices=found, q=q, saved=saved)


def _new_office_form(page, *, form=None, errors=None, status=200) -> Response:
    return web.render(
        page,
        "admin_office_new.html",
        status_code=status,
        active="admin",
        types=_TYPES,
        form=form or {},
        errors=errors or {},
    )


@router.get("/admin/offices/new")
async def new_office_form(page: SignedInPage, services: ServicesDep) -> Response:
    await administration.offices(services, page.member)  # administrators only, as the POST
    return _new_office_form(page)


@router.post("/admin/offices/new")
async def add_office(
    page: SignedInPage,
    services: ServicesDep,
    code: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    type: Annotated[str, Form(max_length=16)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    regency_code: Annotated[str, Form(max_length=8)] = "",
    province_code: Annotated[str, Form(max_length=8)] = "",
    coordination_region_code: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    form = {
        "code": code.strip().upper(),
        "name": name.strip(),
        "type": type,
        "email": email.strip(),
        "regency_code": regency_code.strip(),
        "province_code": province_code.strip(),
        "coordination_region_code": coordination_region_code.strip(),
    }
    if type not in _TYPES:
        return _new_office_form(
            page, form=form, errors={"type": page.t("console_admin.office_type_choose")}, status=422
        )
    try:
        office = await administration.add_office(
            services,
            page.member,
            NewOffice(
                code=form["code"],
                name=form["name"],
                type=OfficeType(type),
                email=form["email"] or None,
                regency_code=form["regency_code"] or None,
                province_code=form["province_code"] or None,
                coordination_region_code=form["coordination_region_code"] or None,
            ),
        )
    except AppError as error:
        return _new_office_form(page, form=form, errors=errors_of(page, error), status=422)
    return web.redirect(f"{ADMIN}/offices?saved={office.code}")


async def _office_form(page, services, code, *, form=None, errors=None, status=200) -> Response:
    office = await administration.office(services, page.member, code)
    return web.render(
        page,
        "admin_office.html",
        status_code=status,
        active="admin",
        office=office,
        form=form or {"name": office.name, "email": office.email or "", "active": office.active},
        errors=errors or {},
    )


@router.get("/admin/offices/{code}")
async def office(page: SignedInPage, services: ServicesDep, code: str) -> Response:
    return await _office_form(page, services, code)


@router.post("/admin/offices/{code}")
async def change_office(
    page: SignedInPage,
    services: ServicesDep,
    code: str,
    name: Annotated[str, Form(max_length=400)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    form = {"name": name.strip(), "email": email.strip(), "active": active == "1"}
    try:
        await administration.change_office(
            services,
            page.member,
            code,
            name=form["name"],
            # An emptied field clears the address.
            email=form["email"],
            active=form["active"],
        )
    except AppError as error:
        return await _office_form(
            page, services, code, form=form, errors=errors_of(page, error), status=422
        )
    return web.redirect(f"{ADMIN}/offices?saved={code}")
