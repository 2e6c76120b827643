"""Running the api: ``migrate``, ``serve`` and ``worker``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import typer

from api.cli.common import load_settings, out


def migrate() -> None:
    """Apply database migrations up to the latest (safe to run repeatedly)."""
    from api.migrations_runner import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    out.print("Database is up to date.")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the api (run `bansos migrate` first)."""
    import uvicorn

    load_settings()  # refuse placeholder secrets before binding a port
    uvicorn.run(
        "api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=True,
    )


def worker(
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds between outbox relay passes")
    ] = 1.0,
) -> None:
    """Relay notifications to Redis and run the deadline job, until stopped."""
    # Every step commits on its own, so stopping at any point loses nothing.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_worker(load_settings(), interval))


async def _run_worker(settings, interval: float) -> None:
    from api.services import Services
    from api.worker import Worker

    services = Services.build(settings)
    out.print(f"Worker running (relay every {interval:g} s, deadlines every minute).")
    try:
        await Worker(services, interval=interval).run_forever()
    finally:
        await services.close()
