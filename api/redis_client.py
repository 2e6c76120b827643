"""The Redis client: the real server, or fakeredis in-process for the embedded default."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from redis.asyncio import BlockingConnectionPool, Redis

MEMORY_URL = "memory://"
MAX_CONNECTIONS = 200
#: How long a command or a connection may take before it fails (redis.TimeoutError): a hung
#: Redis must fail a status check in well under a second (it fails closed, as a 503), not
#: stall it for the operating system's TCP timeouts.
DEFAULT_TIMEOUT_SECONDS = 0.3


def create_redis(url: str, *, timeout: float | None = DEFAULT_TIMEOUT_SECONDS) -> Redis:
    """A client of ``url``; ``timeout=None`` only for a client that blocks on purpose (a
    stream consumer's ``XREADGROUP … BLOCK``), which the api never does."""
    if url == MEMORY_URL:
        import fakeredis

        # One in-process server per client factory call: the embedded default is one process.
        # No sockets behind it, so no reason to cap concurrent "connections".
        return fakeredis.FakeAsyncRedis(
            server=fakeredis.FakeServer(), decode_responses=False, max_connections=2**16
        )
    # A burst beyond the pool waits (up to 10 s) for a free connection instead of failing.
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=10,
        health_check_interval=30,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )
    return Redis(connection_pool=pool, decode_responses=False)


@contextlib.contextmanager
def serve_memory_redis(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """The in-process Redis stand-in served on a loopback TCP port; yields its ``redis://`` URL.

    For the embedded default when more than one process needs the same Redis: the demo's api
    relays notifications into it and ``bansos chat`` (another process) reads them. fakeredis's
    own server (a thread per connection, Lua included); port 0 picks a free port. It lives
    as long as the ``with`` block and keeps nothing afterwards.
    """
    from fakeredis import TcpFakeServer

    server = TcpFakeServer((host, port))
    thread = threading.Thread(target=server.serve_forever, name="redis-standin", daemon=True)
    thread.start()
    try:
        yield f"redis://{host}:{server.server_address[1]}/0"
    finally:
        server.shutdown()
        server.server_close()
