"""gzip for the console's pages and files: a queue page of 50 rows is about 32 KB of HTML
and 5 KB compressed, and the page is what a handler on a slow connection waits for at every
visit (static files are cached for a year; the page, holding personal data, never is).

Only ``/console`` is compressed: the JSON API's clients and bodies are another matter.

Why compression is safe here (BREACH): an attacker who can make a victim's browser send
many requests, each reflecting a guess, and watch the compressed sizes could recover a
secret in the same response. The one secret a console page holds for that is the CSRF
token, and it is masked afresh in every response (``web.csrf_token_of``), so there is
nothing fixed to guess; the session cookie (SameSite=Lax) rides no cross-site subresource
request. docs/security.md records the decision.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.console.web import PREFIX


class ConsoleCompression:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Level 6: nearly level 9's size at a fraction of its time (a page is compressed at
        # every request, never cached).
        self.compressed = GZipMiddleware(app, minimum_size=1000, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(PREFIX + "/"):
            await self.compressed(scope, receive, send)
        else:
            await self.app(scope, receive, send)
