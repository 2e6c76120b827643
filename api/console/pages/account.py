"""Signing in and out, changing the password (forced for a temporary one), the language.

The same accounts, roles and sign-in throttle as the staff API
(:mod:`api.application.staff_work`); a console session is a cookie that also ends after 30
idle minutes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.application import console_sessions, staff_work
from api.application.errors import AppError, Refusal
from api.console import web
from api.console.web import AnySignedInPage, Page, ServicesDep

router = APIRouter(route_class=web.ConsoleRoute)

# Where a sign-in may lead: a console page, never another site.
_HOME = f"{web.PREFIX}/"


def _safe_next(target: str | None) -> str:
    if target and target.startswith(f"{web.PREFIX}/") and "//" not in target and "\\" not in target:
        return target
    return _HOME


def _sign_in_form(
    request: Request, *, status: int = 200, error=None, username: str = "", notice=None
) -> Response:
    csrf, fresh = web.sign_in_csrf(request)
    page = Page(request, None, web.locale_of_request(request), csrf)
    reason = request.query_params.get("reason")
    if notice is None and reason == "session_ended":
        notice = page.t("console.session_ended")
    elif notice is None and reason == "signed_out":
        notice = page.t("console.signed_out_notice")
    response = web.render(
        page,
        "sign_in.html",
        status_code=status,
        error=error,
        notice=notice,
        username=username,
        next=_safe_next(request.query_params.get("next") or request.query_params.get("n")),
    )
    if fresh:
        response.set_cookie(
            web.SIGN_IN_CSRF_COOKIE,
            csrf,
            httponly=True,
            samesite="lax",
            secure=web.secure_cookies(request),
            path=web.PREFIX,
        )
    return response


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    return _sign_in_form(request)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = _HOME,
) -> Response:
    await web.check_sign_in_csrf(request, csrf_token)
    page = Page(request, None, web.locale_of_request(request), csrf_token)
    if not username.strip() or not password:
        return _sign_in_form(
            request, status=422, error=page.t("console.sign_in_incomplete"), username=username
        )
    try:
        signed_in = await staff_work.sign_in(
            services,
            username=username.strip(),
            password=password,
            address=request.client.host if request.client else None,
            console=True,
        )
    except AppError as error:
        status = 429 if error.refusal == Refusal.RATE_LIMITED else 401
        response = _sign_in_form(
            request, status=status, error=web.refusal_message(page, error), username=username
        )
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    target = _safe_next(next)
    if signed_in.failed_attempts:
        target = f"{_HOME}?failed_attempts={signed_in.failed_attempts}"
    response = web.redirect(target)
    web.set_session_cookie(response, request, signed_in.token)
    response.delete_cookie(web.SIGN_IN_CSRF_COOKIE, path=web.PREFIX)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, page: AnySignedInPage, services: ServicesDep) -> Response:
    await staff_work.sign_out(services, request.cookies[web.SESSION_COOKIE])
    response = web.redirect(f"{web.PREFIX}/sign-in?reason=signed_out")
    web.clear_session_cookie(response, request)
    return response


@router.get("/password")
async def password_form(page: AnySignedInPage) -> Response:
    return web.render(page, "password.html", errors={}, done=False)


@router.post("/password")
async def change_password(
    request: Request,
    page: AnySignedInPage,
    services: ServicesDep,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    repeat: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        await console_sessions.change_password(
            services,
            page.member,
            request.cookies[web.SESSION_COOKIE],
            current=current,
            new=new,
            repeat=repeat,
        )
    except AppError as error:
        errors = {error.field or "new": web.refusal_message(page, error)}
        return web.render(page, "password.html", status_code=422, errors=errors, done=False)
    return web.redirect(f"{_HOME}?password_changed=1")


@router.post("/language")
async def set_language(
    page: AnySignedInPage,
    services: ServicesDep,
    locale: Annotated[str, Form(max_length=8)] = "id",
    back: Annotated[str, Form(max_length=2000)] = _HOME,
) -> Response:
    await console_sessions.set_language(services, page.member, locale)
    return web.redirect(_safe_next(back))
