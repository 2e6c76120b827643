"""The interactive API documentation at ``/docs``, served whole by the api itself.

Swagger UI's files are fetched by ``dev.py`` from the npm registry at a pinned version and
integrity ([[tool.bansos.web-assets]] in pyproject.toml, as the console's htmx) and served
from ``/docs/static``: the page works in a government network with no internet, and loads
nothing from another host. Its start-up code is a file of ours, not an inline script, so the
page's policy allows scripts and styles from this server only (the browser test opens an
operation and tries it out under that policy); its one other source is ``data:`` for the
icons Swagger UI's stylesheet carries inline. No other host appears in the policy.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
STATIC_URL = f"{DOCS_URL}/static"
STATIC_DIR = Path(__file__).resolve().parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def _page(title: str, openapi_url: str) -> str:
    vendor = f"{STATIC_URL}/vendor"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="icon" type="image/png" href="{vendor}/favicon-32x32.png">
<link rel="stylesheet" href="{vendor}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{vendor}/swagger-ui-bundle.js"></script>
<script src="{STATIC_URL}/swagger-init.js"></script>
</body>
</html>
"""


def install_api_docs(app: FastAPI) -> None:
    """``/docs`` and its files; FastAPI's own pages (which load Swagger UI and ReDoc from a
    CDN) must be turned off in the app (``docs_url=None, redoc_url=None``)."""
    page = _page(app.title, app.openapi_url or "/openapi.json")

    async def api_docs() -> HTMLResponse:
        return HTMLResponse(
            page,
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
            },
        )

    app.add_api_route(DOCS_URL, api_docs, methods=["GET"], include_in_schema=False)
    # check_dir=False: a checkout whose `python3 dev.py` has not run yet still starts; its
    # /docs then says nothing until the files are fetched.
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR, check_dir=False), name="docs-static")
