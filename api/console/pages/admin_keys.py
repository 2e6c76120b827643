"""Administration of the channels' API keys: the list (never a key, only its prefix), a new
key shown once, and revoking one after a confirmation (it stops authenticating at once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from api.application import administration
from api.application.errors import AppError, Refusal
from api.console import web
from api.console.admin_forms import ADMIN, errors_of, secret_page
from api.console.web import ServicesDep, SignedInPage
from api.domain.api_keys import KeyKind

router = APIRouter(route_class=web.ConsoleRoute)


async def _keys_page(page, services, *, form=None, errors=None, status=200) -> Response:
    return web.render(
        page,
        "admin_keys.html",
        status_code=status,
        active="admin",
        keys=await administration.api_key_list(services, page.member),
        regions=await administration.region_choices(services, page.member),
        form=form or {},
        errors=errors or {},
        revoked=page.request.query_params.get("revoked", ""),
    )


@router.get("/admin/keys")
async def keys(page: SignedInPage, services: ServicesDep) -> Response:
    return await _keys_page(page, services)


@router.post("/admin/keys")
async def create_key(
    page: SignedInPage,
    services: ServicesDep,
    channel: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=16)] = KeyKind.CHANNEL.value,
    region: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """A channel's key, or a read-only statistics key (the country's figures, or the one
    coordination region chosen)."""
    chosen = KeyKind.STATISTICS if kind == KeyKind.STATISTICS.value else KeyKind.CHANNEL
    try:
        key = await administration.create_api_key(
            services, page.member, channel=channel, kind=chosen, region_code=region or None
        )
    except AppError as error:
        return await _keys_page(
            page,
            services,
            form={"channel": channel, "kind": chosen.value, "region": region},
            errors=errors_of(page, error, error.field or "channel"),
            status=422,
        )
    return secret_page(
        page,
        heading=page.t("console_admin.key_created", channel=channel.strip()),
        secret=key,
        warning=page.t("console_admin.key_once"),
        back=f"{ADMIN}/keys",
    )


async def _live_key(page, services, prefix: str):
    for key in await administration.api_key_list(services, page.member):
        if key.prefix == prefix and key.revoked_at is None:
            return key
    raise AppError(Refusal.NOT_FOUND, "key_not_found", "console_admin.key_not_found")


@router.get("/admin/keys/{prefix}/revoke")
async def confirm_revoke(page: SignedInPage, services: ServicesDep, prefix: str) -> Response:
    key = await _live_key(page, services, prefix)
    return web.render(page, "admin_key_revoke.html", active="admin", key=key)


@router.post("/admin/keys/{prefix}/revoke")
async def revoke_key(page: SignedInPage, services: ServicesDep, prefix: str) -> Response:
    await _live_key(page, services, prefix)
    if not await administration.revoke_api_key(services, page.member, prefix=prefix):
        raise AppError(Refusal.NOT_FOUND, "key_not_found", "console_admin.key_not_found")
    return web.redirect(f"{ADMIN}/keys?revoked={prefix}")
