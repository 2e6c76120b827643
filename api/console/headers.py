"""The console's response headers: what a browser may run and where a page may appear.

No inline script or style anywhere in the console, so the policy allows only the console's
own files; no page can be framed (click-jacking); no page's address leaks to another site;
no content is sniffed into something active. Pages hold personal data and are never cached;
static files carry their version in the URL and are cached for a year.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.console.web import PREFIX

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
_ALWAYS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_STATIC = f"{PREFIX}/static/".encode()
_NO_STORE = (b"cache-control", b"no-store")
_A_YEAR = (b"cache-control", b"public, max-age=31536000, immutable")


class ConsoleHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("raw_path") or scope.get("path", "").encode()
        if scope["type"] != "http" or not path.startswith(PREFIX.encode()):
            await self.app(scope, receive, send)
            return
        static = path.startswith(_STATIC)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"cache-control" or not static
                ]
                if not any(name.lower() == b"cache-control" for name, _ in kept):
                    kept.append(_A_YEAR if static else _NO_STORE)
                message["headers"] = kept + _ALWAYS
            await send(message)

        await self.app(scope, receive, send_with_headers)
