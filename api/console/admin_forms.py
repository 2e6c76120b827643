"""What the administration pages (``api/console/pages/admin*.py``) share: their address,
a refusal shown next to its field, and the page that shows a password or key once."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from api.application.errors import AppError
from api.console import web
from api.console.web import Page

ADMIN = f"{web.PREFIX}/admin"


def errors_of(page: Page, error: AppError, default: str = "form") -> dict:
    """An application refusal as the message shown next to its field."""
    return {error.field or default: web.refusal_message(page, error)}


def secret_page(page: Page, **context) -> HTMLResponse:
    """A password or key shown once: answered to the POST itself (stored nowhere to be
    fetched again) and kept out of every cache."""
    response = web.render(page, "admin_secret.html", active="admin", **context)
    response.headers["Cache-Control"] = "no-store"
    return response
