"""create_app(settings): the composition root of the api."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.api_docs import install_api_docs
from api.body_limits import BodyLimits
from api.console import install_console
from api.errors import install_error_handlers
from api.http_metrics import RequestMetrics
from api.logging_setup import configure_logging
from api.routes import (
    admin,
    channel,
    complaints,
    health,
    metrics,
    open311,
    regions,
    staff,
    statistics,
    status,
)
from api.services import Services
from api.settings import Settings, get_settings
from api.worker import background_worker


def _freeze_startup_objects() -> None:
    """Keep the garbage collector off what lives as long as the process.

    After start-up a worker holds ~160,000 long-lived objects (region tables, rules,
    messages, the framework's routes). Each full collection walked all of them, a pause of
    tens of milliseconds that every request in flight waited out: the tail of the latency.
    Frozen, they are never scanned again; what requests allocate is still collected.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    settings = settings or (services.settings if services else get_settings())
    # `uvicorn api.asgi:app` without `bansos serve` refuses production on memory:// too.
    settings.require_shared_redis()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Services handed in (tests, the demo) belong to the caller, who closes them.
        if services is not None:
            async with background_worker(services):
                yield
            return
        app.state.services = Services.build(settings)
        _freeze_startup_objects()
        try:
            async with background_worker(app.state.services):
                yield
        finally:
            await app.state.services.close()

    app = FastAPI(
        title="Bansos citizen service API",
        version="1.0.0",
        description=(
            "Status checks by NIK and complaints for the digital social-assistance rollout."
        ),
        openapi_url="/openapi.json",
        # FastAPI's own pages load Swagger UI and ReDoc from a CDN: /docs is ours (api_docs).
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.api_key_cache = {}
    install_error_handlers(app)
    # Outermost of ours: a body is bounded, and its sender's key checked, before any route
    # or parser reads it.
    app.add_middleware(BodyLimits)
    # Outside it: what BodyLimits refuses is counted and timed too.
    app.add_middleware(RequestMetrics)
    app.include_router(health.router)
    app.include_router(status.router)
    app.include_router(complaints.router)
    app.include_router(regions.router)
    app.include_router(channel.router)
    app.include_router(staff.router)
    app.include_router(admin.router)
    app.include_router(statistics.router)
    app.include_router(open311.router)
    # /metrics exists only with a scrape token: this port faces the internet.
    app.state.metrics_token = settings.metrics_token_value
    if app.state.metrics_token is not None:
        app.include_router(metrics.router)
    # The staff web console (server-rendered pages under /console): docs/console.md.
    install_console(app)
    install_api_docs(app)
    return app
