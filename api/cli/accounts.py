"""Accounts and secrets: ``create-api-key``, ``revoke-api-key``, ``create-staff`` and
``generate-keys``."""

from __future__ import annotations

import base64
import secrets
import sys
from typing import Annotated

import typer

from api.cli.common import err, out, run_application


def create_api_key_command(
    channel: Annotated[str, typer.Argument(help="Channel name, e.g. telegram-bot")],
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics",
            help="A read-only statistics key (the statistics API only; files nothing)",
        ),
    ] = False,
    region: Annotated[
        str | None,
        typer.Option(help="With --statistics: one coordination region (WK1…); none: national"),
    ] = None,
) -> None:
    """Create an API key for a channel, or a statistics key, and print it (it is shown only
    this once)."""
    if region is not None and not statistics:
        err.print("[red]--region is for a statistics key[/]: add --statistics.")
        raise typer.Exit(2)
    from api.application import administration
    from api.application.principals import Operator
    from api.domain.api_keys import KeyKind

    key = run_application(
        lambda services: administration.create_api_key(
            services,
            Operator("cli"),
            channel=channel,
            kind=KeyKind.STATISTICS if statistics else KeyKind.CHANNEL,
            region_code=region,
        )
    )
    out.print(key, highlight=False)


async def create_key(settings, channel: str) -> str:
    """A new API key for ``channel`` in ``settings``' database, returned in full."""
    from api.application import administration
    from api.application.principals import Operator
    from api.services import open_services

    async with open_services(settings) as services:
        return await administration.create_api_key(services, Operator("cli"), channel=channel)


def create_staff_command(
    username: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="HANDLER, COORDINATOR, MINISTRY or ADMIN")],
    office: Annotated[
        str | None, typer.Option(help="Office code (HANDLER: their office; COORDINATOR: WK1…)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a staff account. The password is asked for (or read from standard input)."""
    from api.application import administration
    from api.application.principals import Operator
    from api.domain.vocabulary import Role

    try:
        chosen_role = Role(role.upper())
    except ValueError:
        err.print(f"[red]Unknown role {role!r}[/]: choose HANDLER, COORDINATOR, MINISTRY or ADMIN.")
        raise typer.Exit(2) from None
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    run_application(
        lambda services: administration.create_staff_account(
            services,
            Operator("cli"),
            username=username,
            display_name=name or username,
            password=password,
            role=chosen_role,
            office_code=office,
        )
    )
    out.print(f"Created {chosen_role.value.lower()} {username}.")


def revoke_api_key_command(
    prefix: Annotated[str, typer.Argument(help="The 8 characters after 'bsk_' in the key")],
) -> None:
    """Revoke an API key; it stops working everywhere within 30 seconds."""
    from api.application import administration
    from api.application.principals import Operator

    revoked = run_application(
        lambda services: administration.revoke_api_key(services, Operator("cli"), prefix=prefix)
    )
    if not revoked:
        err.print(f"[red]No active key with prefix {prefix}.[/]")
        raise typer.Exit(1)
    out.print(f"Revoked key {prefix}.")


def generate_keys() -> None:
    """Print fresh secrets for a production .env file (docker compose's too)."""
    # Plain lines, never styled (even on a terminal): they are redirected into .env.
    typer.echo(f"NIK_HASH_KEY={base64.b64encode(secrets.token_bytes(32)).decode()}")
    typer.echo(f"DATA_ENCRYPTION_KEY={base64.b64encode(secrets.token_bytes(32)).decode()}")
    typer.echo(f"SECRET_KEY={secrets.token_urlsafe(32)}")
    # docker-compose.yml's database password (URL-safe: it goes into DATABASE_URL as is).
    typer.echo(f"POSTGRES_PASSWORD={secrets.token_urlsafe(24)}")
