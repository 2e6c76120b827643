"""What every command shares: the consoles, and settings that refuse to start politely."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from api.services import Services

T = TypeVar("T")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def load_settings(*, shared_redis: bool = False, **overrides):
    """The api's settings; a placeholder secret, a stand-in in production or an invalid value
    exits 2, saying which variable to set and how (api/cli/errors.py).

    ``shared_redis``: for the processes that share state through Redis (serve, worker),
    which refuse the in-process stand-in in production.
    """
    from pydantic import ValidationError

    from api.cli.errors import refused_problem, settings_problem
    from api.settings import RefusedSettings, get_settings

    try:
        settings = get_settings(**overrides)
        if shared_redis:
            settings.require_shared_redis()
        return settings
    except RefusedSettings as exc:
        err.print(f"[red]Refusing to start:[/] {refused_problem(exc)}", highlight=False)
        raise typer.Exit(2) from None
    except ValidationError as exc:  # carries a RefusedSettings inside, or a bad value
        err.print(f"[red]Refusing to start:[/] {settings_problem(exc)}", highlight=False)
        raise typer.Exit(2) from None


#: The command line speaks to the operator in English, as its help texts do.
CLI_LOCALE = "en"


def refusal_line(error) -> str:
    """An application refusal as one plain line for the terminal."""
    import html

    from api.errors import refusal_text

    return html.unescape(refusal_text(error, CLI_LOCALE))


def run_application(call: Callable[[Services], Awaitable[T]], *, settings=None) -> T:
    """Run one application call with the service's resources, closed afterwards.

    A refusal is printed as the application words it and exits 2 (nothing was done).
    """
    from api.application.errors import AppError
    from api.services import open_services

    async def run() -> T:
        async with open_services(settings or load_settings()) as services:
            return await call(services)

    try:
        return asyncio.run(run())
    except AppError as error:
        err.print(f"[red]{refusal_line(error)}[/]", highlight=False)
        raise typer.Exit(2) from None
