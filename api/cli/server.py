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

    from api import metrics

    # Refuse placeholder secrets and production on the stand-ins before binding a port.
    load_settings(shared_redis=True)
    # Multiprocess metrics: the last run's files would be summed with this run's.
    metrics.clear_multiprocess_dir()
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
    metrics_port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            envvar="WORKER_METRICS_PORT",
            help="Serve Prometheus metrics on this port (0: none)",
        ),
    ] = 0,
    metrics_host: Annotated[
        str,
        typer.Option(
            envvar="WORKER_METRICS_HOST",
            help="Interface of the metrics port (keep it off the internet)",
        ),
    ] = "127.0.0.1",
) -> None:
    """Relay notifications to Redis and run the deadline job, until stopped."""
    settings = load_settings(shared_redis=True)
    if metrics_port:
        from prometheus_client import start_http_server

        from api import metrics

        # The worker answers nothing else over HTTP: its own port, on a private interface.
        start_http_server(metrics_port, addr=metrics_host, registry=metrics.exposition_registry())
        out.print(f"Metrics on http://{metrics_host}:{metrics_port}/metrics")
    # Every step commits on its own, so stopping at any point loses nothing.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_worker(settings, interval))


async def _run_worker(settings, interval: float) -> None:
    from api.services import Services
    from api.worker import Worker

    services = Services.build(settings)
    out.print(f"Worker running (relay every {interval:g} s, deadlines every minute).")
    try:
        await Worker(services, interval=interval).run_forever()
    finally:
        await services.close()
