"""Redis Cluster: every Lua script and every MULTI touches keys of one hash slot.

A cluster refuses (CROSSSLOT) a script or a transaction whose keys hash to different slots,
so each one's keys carry a common hash tag (``{…}``). This walks every place the api and the
bot run a script or a MULTI, through the code's own calls on the real Redis, records each
call's keys (Redis itself names them: ``COMMAND GETKEYS``) and computes their slots
(CRC16, redis-py's ``key_slot``). A new script or MULTI in the code fails the first test
until it is walked here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from api.application import complaint_intake, status_checks
from api.application.principals import Citizen
from api.domain.complaints.intake import ComplaintDraft
from api.domain.complaints.outbox import relay_once
from api.domain.rate_limit import hit_many
from bot.notifications import NotificationConsumer
from tests.complaints_support import channel_of
from tests.registry_support import SITI

ROOT = Path(__file__).resolve().parents[1]
#: A script (EVAL, EVALSHA, a registered Script) or a pipeline left transactional (MULTI,
#: redis-py's default).
_ATOMIC_CALL = re.compile(
    r"register_script\(|\.eval\(|\.evalsha\(|\.pipeline\((?!transaction=False)"
)
#: Where the code runs one, each walked by the second test.
WALKED = {
    "api/domain/rate_limit.py",  # the rate limits' batch script
    "api/domain/sign_in_throttle.py",  # the claim and success scripts
    "api/domain/complaints/outbox.py",  # the relay lock's release
    "bot/notifications.py",  # the delivered mark set with the stream's XACK
}

#: The slots are computed here, the keys named by the real server.
ON_THE_REAL_REDIS = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize(
        "redis_kind", [pytest.param("real", marks=pytest.mark.redis)], indirect=True
    ),
]


def test_every_script_and_multi_in_the_code_is_walked_here():
    found = {
        str(path.relative_to(ROOT))
        for package in ("api", "bot")
        for path in (ROOT / package).rglob("*.py")
        if _ATOMIC_CALL.search(path.read_text(encoding="utf-8"))
    }
    assert found == WALKED


class AtomicCalls:
    """The command lists of every script call and every MULTI sent through ``client``."""

    def __init__(self, client: Redis) -> None:
        self.calls: list[list[tuple]] = []
        execute_command, pipeline = client.execute_command, client.pipeline

        async def recorded_command(*args, **options):
            if str(args[0]).upper() in ("EVAL", "EVALSHA"):
                self.calls.append([args])
            return await execute_command(*args, **options)

        def recorded_pipeline(transaction: bool = True, shard_hint=None):
            pipe = pipeline(transaction, shard_hint)
            if transaction:
                execute = pipe.execute

                async def recorded_execute(raise_on_error: bool = True):
                    self.calls.append([args for args, _options in pipe.command_stack])
                    return await execute(raise_on_error)

                pipe.execute = recorded_execute
            return pipe

        client.execute_command = recorded_command
        client.pipeline = recorded_pipeline

    async def keys_of_each(self, client: Redis) -> list[list[str]]:
        found = []
        for commands in self.calls:
            keys = []
            for args in commands:
                keys += await client.command_getkeys(*args)
            found.append(keys)
        return found


@ON_THE_REAL_REDIS[0]
@ON_THE_REAL_REDIS[1]
async def test_every_script_and_multi_keeps_its_keys_in_one_slot(services, api_key, registry):
    calls = AtomicCalls(services.redis)
    channel = await channel_of(services, api_key)
    citizen = Citizen(channel, "tg:41")

    # The status check's limits (the owner's mark among them), then a filing's.
    await status_checks.check_status(services, citizen, nik=SITI, name="Siti Aminah")
    await status_checks.check_status(services, citizen, nik=SITI, name="Siti Aminah")
    draft = ComplaintDraft(
        category="BANTUAN_TIDAK_DITERIMA", description="Belum cair.", subject_nik=SITI
    )
    await complaint_intake.file_complaint(services, citizen, draft, locale="id")
    # Checks and filings arriving together share one script call.
    await hit_many(
        services.redis,
        [
            services.lookup_limits.of_nik(channel.api_key_id, "tg:42", b"\x01" * 32),
            services.lookup_limits.of_caller(channel.api_key_id, "tg:43"),
        ],
    )
    # A staff sign-in: claimed, failed, claimed again, succeeded.
    throttle = services.sign_in_throttle
    await throttle.claim("dinsos-metro", "10.0.0.7")
    await throttle.failed("dinsos-metro", "10.0.0.7")
    await throttle.claim("dinsos-metro", "10.0.0.7")
    await throttle.succeeded("dinsos-metro", "10.0.0.7")
    # The relay (its lock) and the bot's delivery of what it relayed (mark + XACK).
    await relay_once(engine=services.engine, redis=services.redis)
    delivered: list[int] = []

    async def deliver(notification) -> None:
        delivered.append(notification.outbox_id)

    consumer = NotificationConsumer(
        services.redis, channel="telegram-bot", consumer="bot-1", deliver=deliver
    )
    await consumer.run_once()

    keys_of_each = await calls.keys_of_each(services.redis)
    walked = {_family(keys) for keys in keys_of_each}
    assert walked == {"{rl}", "{signin}", "relay-lock", "delivered"} and delivered
    for keys in keys_of_each:
        assert len({key_slot(key.encode()) for key in keys}) == 1, keys


def _family(keys: list[str]) -> str:
    first = keys[0]
    if first.startswith("{"):
        return first[: first.index("}") + 1]
    if first.startswith("delivered:"):
        return "delivered"
    return "relay-lock" if "lock" in first else first
