"""The bot's HTTP, on aiohttp's connection pool: to the Bot API, and under the api client.

httpx's own pool (httpcore) looks at every pooled connection, with a ``poll()`` for each
idle one, whenever a request starts or ends, and its HTTP/1.1 parser is pure Python: with a
hundred updates in flight that was most of the bot's CPU (docs/performance.md, "The bot").
aiohttp keeps idle connections per host in a queue and parses HTTP in C.

- :class:`AiohttpRequest` is python-telegram-bot's request object for the Bot API, straight
  on aiohttp: the same form-encoded or multipart bodies ``HTTPXRequest`` sends, its
  timeouts (but a write timeout, which aiohttp does not have) and its errors (``TimedOut``,
  ``NetworkError``).
- :class:`AiohttpTransport` gives httpx's interface on aiohttp to ``bot.client.ApiClient``
  (whose tests hand it httpx's in-process ASGI transport instead), with httpx's exceptions.

Sessions are made in the running event loop at the first request and closed by
``shutdown()``/``aclose()``; a closed one is opened again when used again, as
python-telegram-bot's ``initialize()`` after a ``shutdown()`` expects. Bodies are read whole
(the bot's requests and answers are small; an upload is at most the 10 MB of an attachment).
"""

from __future__ import annotations

from collections.abc import Iterable

import aiohttp
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

#: Idle connections are closed after this long (uvicorn's own keep-alive is 5 s).
KEEPALIVE_SECONDS = 4.0
#: python-telegram-bot's "not given" for a timeout (DEFAULT_NONE is one of its instances).
_NotGiven = type(BaseRequest.DEFAULT_NONE)


class _Sessions:
    """One aiohttp session at a time, opened on first use."""

    def __init__(
        self, max_connections: int, *, decompress: bool, skip_headers: Iterable[str] = ()
    ) -> None:
        self.max_connections, self.decompress = max_connections, decompress
        self.skip_headers = tuple(skip_headers)
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self.max_connections, keepalive_timeout=KEEPALIVE_SECONDS
                ),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=self.decompress,
                skip_auto_headers=self.skip_headers,
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _timeout(*, pool: float | None, connect: float | None, read: float | None):
    # aiohttp's "connect" covers waiting for a pooled connection and opening one.
    both = None if pool is None or connect is None else pool + connect
    return aiohttp.ClientTimeout(total=None, connect=both, sock_connect=connect, sock_read=read)


class AiohttpRequest(BaseRequest):
    """The Bot API's requests for python-telegram-bot; defaults as ``HTTPXRequest``'s."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        # Telegram gzips its answers for a client that accepts it, as aiohttp says it does.
        self._sessions = _Sessions(connection_pool_size, decompress=True)
        self._read_timeout, self._connect_timeout = read_timeout, connect_timeout
        self._pool_timeout = pool_timeout
        del write_timeout  # aiohttp has none; a stalled upload ends with the read timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._sessions.get()

    async def shutdown(self) -> None:
        await self._sessions.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeout = _timeout(
            pool=self._pool_timeout if isinstance(pool_timeout, _NotGiven) else pool_timeout,
            connect=(
                self._connect_timeout if isinstance(connect_timeout, _NotGiven) else connect_timeout
            ),
            read=self._read_timeout if isinstance(read_timeout, _NotGiven) else read_timeout,
        )
        try:
            async with self._sessions.get().request(
                method,
                url,
                headers={"User-Agent": self.USER_AGENT},
                data=_body(request_data),
                allow_redirects=False,
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _body(request_data: RequestData | None):
    """What ``HTTPXRequest`` sends: the parameters form-encoded, multipart with files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters or None
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


def telegram_request(pool_size: int, **timeouts: float | None) -> AiohttpRequest:
    """python-telegram-bot's request object for the Bot API."""
    return AiohttpRequest(connection_pool_size=pool_size, **timeouts)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx's interface on aiohttp, for ``bot.client.ApiClient``."""

    def __init__(self, *, max_connections: int = 100) -> None:
        # No headers of aiohttp's own: httpx has set them all. No decompression either: httpx
        # decodes the body it is handed.
        self._sessions = _Sessions(
            max_connections,
            decompress=False,
            skip_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = _timeout(
            pool=timeouts.get("pool"), connect=timeouts.get("connect"), read=timeouts.get("read")
        )
        body = await request.aread()
        try:
            async with self._sessions.get().request(
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
        await self._sessions.close()
