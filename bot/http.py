"""httpx's interface on aiohttp's connection pool: the transport of the bot's HTTP clients.

Both of the bot's clients — python-telegram-bot's ``HTTPXRequest`` to the Bot API and
``bot.client.ApiClient`` to the api — speak httpx. httpx's own pool (httpcore) looks at every
pooled connection, with a ``poll()`` for each idle one, whenever a request starts or ends, and
its HTTP/1.1 parser is pure Python: with a hundred updates in flight that was most of the
bot's CPU (docs/performance.md). aiohttp keeps idle connections per host in a queue and
parses HTTP in C, so this transport hands each request to it and gives the answer back to
httpx, with httpx's exceptions (python-telegram-bot turns those into ``TimedOut`` and
``NetworkError``; the api client into ``ApiUnavailable``).

Bodies are read whole (the bot's requests and answers are small; uploads are at most the
10 MB an attachment may have). The session is made in the running event loop at the first
request and closed by ``aclose()``; a closed transport opens a new one when used again, as
``HTTPXRequest.initialize()`` after a ``shutdown()`` expects.
"""

from __future__ import annotations

import aiohttp
import httpx
from telegram.request import HTTPXRequest

#: Idle connections are closed after this long (uvicorn's own keep-alive is 5 s).
KEEPALIVE_SECONDS = 4.0


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int = 100) -> None:
        self.max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections, keepalive_timeout=KEEPALIVE_SECONDS
            )
            # No cookies, no decompression (httpx decodes the body it is handed), and no
            # headers of aiohttp's own: httpx has set them all.
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's "connect" covers waiting for a pooled connection and opening one.
            connect=_sum(timeouts.get("pool"), timeouts.get("connect")),
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        body = await request.aread()
        try:
            async with self._open().request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
            ) as response:
                content = await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
        except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.NetworkError(f"{type(exc).__name__}: {exc}", request=request) from exc
        return httpx.Response(
            response.status,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def telegram_request(pool_size: int, **options) -> HTTPXRequest:
    """python-telegram-bot's request object for the Bot API, on this transport."""
    return HTTPXRequest(
        connection_pool_size=pool_size,
        httpx_kwargs={"transport": AiohttpTransport(max_connections=pool_size)},
        **options,
    )


def _sum(*seconds: float | None) -> float | None:
    """None (no limit) if any part has none."""
    return None if any(s is None for s in seconds) else sum(seconds)
