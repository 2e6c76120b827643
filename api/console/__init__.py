"""The web console for complaint handlers, coordinators, the ministry and administrators.

Server-rendered pages (Jinja2, ``api/console/templates``) under ``/console``, working with
plain forms and links; htmx (fetched by ``dev.py``, served from ``/console/static``) adds
partial updates where they help. One more surface over the same application calls, access
rules and audit as the staff API: no page decides who may see or do what. See docs/console.md.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.console import web
from api.console.compression import ConsoleCompression
from api.console.headers import ConsoleHeaders
from api.console.pages import (
    account,
    admin,
    admin_keys,
    admin_offices,
    admin_staff,
    admin_templates,
    complaint,
    complaint_actions,
    live,
    queue,
    statistics,
    statistics_exports,
    statistics_weekly,
    transparency,
    triage,
)

PAGES = (
    account,
    queue,
    complaint,
    complaint_actions,
    triage,
    live,
    # Before the other statistics pages: their paths are fixed words or end in a fixed
    # suffix, while a /statistics/{page} route would take "weekly" or "offices.csv".
    statistics_weekly,
    statistics_exports,
    statistics,
    admin,
    admin_offices,
    admin_staff,
    admin_keys,
    admin_templates,
)


def install_console(app: FastAPI) -> None:
    for pages in PAGES:
        app.include_router(pages.router, prefix=web.PREFIX, include_in_schema=False)
    # The public transparency page: outside /console, no sign-in.
    app.include_router(transparency.router, include_in_schema=False)
    app.mount(f"{web.PREFIX}/static", StaticFiles(directory=web.STATIC_DIR), name="console-static")
    app.add_middleware(ConsoleHeaders)
    # Outside the headers: what it compresses already carries them.
    app.add_middleware(ConsoleCompression)
