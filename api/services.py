"""What a running api holds: engine, sessions, Redis, keys and the rules, built once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.db import READ_ONLY_SERVER_SETTINGS, PgPool, create_engine, pg_pool, session_factory
from api.domain.audit_log import AuditLog
from api.domain.complaints.directory import DirectoryCache
from api.domain.complaints.intake.limits import IntakeLimits
from api.domain.complaints.working_days import WorkingCalendar, load_calendar
from api.domain.eligibility import EligibilityRules, default_rules
from api.domain.lookup_limits import LookupLimits
from api.domain.protection import Protector
from api.domain.rate_limit import RateLimiter
from api.domain.regions import RegionCodes, region_codes
from api.domain.sign_in_throttle import SignInThrottle
from api.domain.status_check import FamilyReader
from api.redis_client import create_redis
from api.settings import Settings
from api.storage import AttachmentStorage, LocalDirectoryStorage


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    # What only reads, and may lag the primary by a replica's delay: the status check's
    # family read and the statistics. DATABASE_READ_URL's read-only engine, or ``engine``
    # itself when it is unset. Nothing writes through it (the check's audit row: ``audit``).
    read_engine: AsyncEngine
    # PostgreSQL only: plain asyncpg connections for the status check's audit rows …
    pool: PgPool | None
    # … and for its family read (the same pool as ``pool`` without a replica).
    read_pool: PgPool | None
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    # The status check's round trips, grouped across concurrent requests (batching.py).
    family_reader: FamilyReader
    rate_limiter: RateLimiter
    protector: Protector
    rules: EligibilityRules
    regions: RegionCodes
    lookup_limits: LookupLimits
    sign_in_throttle: SignInThrottle
    intake_limits: IntakeLimits
    audit: AuditLog
    directory: DirectoryCache
    calendar: WorkingCalendar
    storage: AttachmentStorage

    @property
    def programmes(self) -> frozenset[str]:
        return frozenset(self.rules.programmes)

    @classmethod
    def build(cls, settings: Settings, *, redis: Redis | None = None) -> Services:
        engine = create_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            connect_timeout=settings.db_connect_timeout_seconds,
        )
        pool = pg_pool(
            engine, size=settings.db_pool_size, connect_timeout=settings.db_connect_timeout_seconds
        )
        read_engine, read_pool = engine, pool
        if settings.has_read_replica:
            read_engine = create_engine(
                settings.read_url,
                pool_size=settings.db_pool_size,
                connect_timeout=settings.db_connect_timeout_seconds,
                server_settings=READ_ONLY_SERVER_SETTINGS,
            )
            read_pool = pg_pool(
                read_engine,
                size=settings.db_pool_size,
                connect_timeout=settings.db_connect_timeout_seconds,
                server_settings=READ_ONLY_SERVER_SETTINGS,
            )
        # Single-statement reads in autocommit mode: no BEGIN/ROLLBACK round trips.
        single_reads = read_engine.execution_options(isolation_level="AUTOCOMMIT")
        if redis is None:
            redis = create_redis(settings.redis_url, timeout=settings.redis_timeout_seconds)
        return cls(
            settings=settings,
            engine=engine,
            read_engine=read_engine,
            pool=pool,
            read_pool=read_pool,
            sessions=session_factory(engine),
            redis=redis,
            family_reader=FamilyReader(single_reads, read_pool),
            rate_limiter=RateLimiter(redis),
            protector=protector_from(settings),
            rules=default_rules(),
            regions=region_codes(),
            lookup_limits=LookupLimits(
                per_user=settings.lookup_limit_per_user,
                per_key=settings.lookup_limit_per_key,
                per_nik_per_key=settings.lookup_limit_per_nik,
                per_nik=settings.lookup_limit_per_nik_all_keys,
                window_seconds=settings.lookup_window_seconds,
            ),
            sign_in_throttle=SignInThrottle(redis),
            intake_limits=IntakeLimits(
                per_user=settings.intake_limit_per_user,
                per_key=settings.intake_limit_per_key,
                per_nik=settings.intake_limit_per_nik,
                window_seconds=settings.intake_window_seconds,
            ),
            audit=AuditLog(engine, pool),
            directory=DirectoryCache(engine),
            calendar=load_calendar(),
            storage=LocalDirectoryStorage(settings.attachments_dir),
        )

    async def close(self) -> None:
        await self.audit.drain()
        for pool in {id(p): p for p in (self.pool, self.read_pool) if p is not None}.values():
            await pool.close()
        await self.redis.aclose()
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def protector_from(settings: Settings) -> Protector:
    return Protector(
        hash_key=settings.nik_hash_key_bytes,
        data_key=settings.data_key_bytes,
        previous_data_keys=settings.previous_data_keys_bytes,
    )


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """The services for a command that runs once (``bansos import …``), closed after."""
    services = Services.build(settings)
    try:
        yield services
    finally:
        await services.close()
