"""Which failures mean "the database or Redis is not answering", in one place.

Such a failure is nobody's input: the api answers it with 503 and Retry-After (not a 500),
and a grouped round trip that meets it fails its whole batch at once instead of retrying
each member alone against a server that is not there (batching.GroupCall).
"""

from __future__ import annotations

import asyncpg
import redis.exceptions
import sqlalchemy.exc

#: Connection-level failures of PostgreSQL (through SQLAlchemy or asyncpg itself) and Redis.
#: ``OSError``'s ``ConnectionError`` and ``TimeoutError`` cover a refused or reset socket and
#: a connect or read that timed out; asyncio's TimeoutError is the same class since 3.11.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,  # no pooled connection came free in time
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,  # the server is starting or shutting down
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.TooManyConnectionsError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
)


def is_unavailable(error: BaseException) -> bool:
    """Is this a failure to reach the database or Redis (rather than a refusal of a value)?"""
    return isinstance(error, UNAVAILABLE)
