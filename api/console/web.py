"""What every console page shares: its templates, the signed-in member, CSRF, refusals.

- **Session**: the cookie ``bansos_console`` holds a console session token (HttpOnly,
  SameSite=Lax, Secure over HTTPS, path ``/console``); the server keeps only its hash, ends it
  after 30 idle minutes or 12 hours, and issues a new one at every sign-in.
- **CSRF**: every form that changes anything carries ``csrf_token``, a hash of the session
  token (unguessable without the HttpOnly cookie; nothing to store), masked afresh in every
  response so a compressed page never repeats it. Before sign-in, the
  sign-in form is protected by a random cookie repeated in the form (double submit). A form
  posted from another origin is refused whatever its token.
- **Refusals** of the application layer become pages in the member's language with the
  HTTP status the JSON API would answer; a complaint of another office is a 404 exactly like
  a missing one.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

import messages
from api.application import console_sessions
from api.application.errors import AppError, Phrase, Refusal
from api.console import formats
from api.deps import get_services
from api.domain.staff import StaffMember
from api.domain.time_zones import WIB, TimeZone, zone_of_province
from api.errors import HTTP_STATUS
from api.services import Services

SESSION_COOKIE = "bansos_console"
SIGN_IN_CSRF_COOKIE = "bansos_console_csrf"
PREFIX = "/console"
_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"


def _static_version() -> str:
    """One digest of every static file: their URLs change when any does, so a browser may
    keep them for a year (a repeat visit fetches only the page)."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file() and not path.name.endswith(".integrity"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = _static_version()


def _csrf_secret(session_token: str) -> bytes:
    return hashlib.sha256(b"csrf\0" + session_token.encode()).digest()


def csrf_token_of(session_token: str) -> str:
    """The session's CSRF secret as a page carries it: under a fresh random mask each time
    (mask + secret XOR mask), so no two responses hold the same bytes and compressing a
    page (BREACH) cannot reveal it byte by byte. See docs/security.md."""
    mask = secrets.token_bytes(32)
    masked = bytes(m ^ s for m, s in zip(mask, _csrf_secret(session_token), strict=True))
    return urlsafe_b64encode(mask + masked).decode()


def _csrf_unmasked(sent: str) -> bytes | None:
    try:
        raw = urlsafe_b64decode(sent.encode())
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 64:
        return None
    return bytes(m ^ s for m, s in zip(raw[:32], raw[32:], strict=True))


@dataclass(frozen=True)
class Page:
    """The request, the member (None before sign-in) and their language: what a template
    needs besides its own data."""

    request: Request
    member: StaffMember | None
    locale: str
    csrf_token: str

    def t(self, key: str, /, **params: Any) -> Markup:
        """A console sentence in the member's language (messages/<locale>/console*.j2)."""
        return messages.render_html(self.locale, key, **params)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(static_version=STATIC_VERSION, prefix=PREFIX)
    env.filters.update(
        day=formats.day,
        short_day=formats.short_day,
        moment=formats.moment,
        number=formats.number,
        money=formats.money,
        figure=formats.figure,
        change=formats.change,
    )
    return env


TEMPLATES = _environment()


def render(page: Page, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(page=page, t=page.t, **context)
    return HTMLResponse(html, status_code=status_code)


def locale_of_request(request: Request) -> str:
    return messages.normalize_locale(
        request.query_params.get("lang") or request.headers.get("accept-language")
    )


class SignInRequired(Exception):
    """No live console session: the page sends the browser to the sign-in form."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


class PasswordChangeRequired(Exception):
    """The account still has its temporary password: nothing else opens until it changes."""


async def _member(request: Request, services: Services) -> StaffMember:
    token = request.cookies.get(SESSION_COOKIE)
    try:
        return await console_sessions.member_of_console_session(services, token)
    except AppError:
        raise SignInRequired("session_ended" if token else None) from None


async def signed_in_page(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> Page:
    """The page of a signed-in member whose password is their own."""
    page = await any_signed_in_page(request, services)
    if page.member.must_change_password:
        raise PasswordChangeRequired()
    return page


async def any_signed_in_page(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> Page:
    """The page of a signed-in member, even one who must still change a temporary password
    (the password form itself, sign-out)."""
    member = await _member(request, services)
    token = request.cookies[SESSION_COOKIE]
    page = Page(request, member, member.locale, csrf_token_of(token))
    if request.method == "POST":
        await _check_csrf(request, _csrf_secret(token))
    return page


async def _check_csrf(request: Request, expected: bytes) -> None:
    if not _same_origin(request):
        raise CsrfRefused()
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    unmasked = _csrf_unmasked(sent[:200]) if sent else None
    if unmasked is None or not hmac.compare_digest(unmasked, expected):
        raise CsrfRefused()


def _same_origin(request: Request) -> bool:
    """A browser names the page a form was posted from; another site's is refused."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    sent = urlsplit(origin)
    return sent.netloc == request.headers.get("host", request.url.netloc)


class CsrfRefused(Exception):
    """A form posted without this session's token, or from another site."""


def sign_in_csrf(request: Request) -> tuple[str, bool]:
    """The pre-session CSRF value (double submit), and whether it must be set as a cookie."""
    current = request.cookies.get(SIGN_IN_CSRF_COOKIE)
    if current and len(current) == 43:
        return current, False
    return secrets.token_urlsafe(32), True


async def check_sign_in_csrf(request: Request, sent: str | None) -> None:
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE)
    if not _same_origin(request) or not expected or not sent:
        raise CsrfRefused()
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path=PREFIX,
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=PREFIX, httponly=True, samesite="lax", secure=secure_cookies(request)
    )


def redirect(url: str) -> RedirectResponse:
    # 303: the browser follows a form's POST with a GET.
    return RedirectResponse(url, status_code=303)


def refusal_message(page: Page, error: AppError) -> Markup:
    params = {
        name: page.t(value.key, **value.params) if isinstance(value, Phrase) else value
        for name, value in error.params.items()
    }
    return page.t(error.message_key, **params)


def refusal_page(page: Page, error: AppError) -> HTMLResponse:
    response = render(
        page,
        "refused.html",
        status_code=HTTP_STATUS[error.refusal],
        message=refusal_message(page, error),
        not_found=error.refusal == Refusal.NOT_FOUND,
        active=None,  # the layout's menu marks no page: this one is none of them
    )
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def zone_of(province_code: str | None) -> TimeZone:
    return zone_of_province(province_code) if province_code else WIB


def _sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{PREFIX}/sign-in?next={quote(target, safe='')}"


class ConsoleRoute(APIRoute):
    """A console route: no session sends the browser to sign in, a temporary password to
    the password form, a forged form to a 403 page, and an application refusal becomes a page
    (htmx requests get the same, with ``HX-Redirect`` instead of a redirect)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as signed_out:
                url = _sign_in_url(request)
                if signed_out.reason:
                    url += f"&reason={signed_out.reason}"
                return _go(request, url)
            except PasswordChangeRequired:
                return _go(request, f"{PREFIX}/password")
            except CsrfRefused:
                page = Page(request, None, locale_of_request(request), "")
                return render(
                    page,
                    "refused.html",
                    403,
                    message=page.t("console.csrf_refused"),
                    not_found=False,
                    active=None,
                )
            except AppError as error:
                services: Services = request.app.state.services
                token = request.cookies.get(SESSION_COOKIE)
                member = None
                if token:
                    try:
                        member = await console_sessions.member_of_console_session(services, token)
                    except AppError:
                        member = None
                locale = member.locale if member else locale_of_request(request)
                page = Page(request, member, locale, csrf_token_of(token) if token else "")
                return refusal_page(page, error)

        return handle


def _go(request: Request, url: str) -> Response:
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return redirect(url)


SignedInPage = Annotated[Page, Depends(signed_in_page)]
AnySignedInPage = Annotated[Page, Depends(any_signed_in_page)]
ServicesDep = Annotated[Services, Depends(get_services)]
