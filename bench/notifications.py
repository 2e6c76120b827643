"""Notifications at Telegram's limits: a burst of 3,000 to 1,000 chats, delivered how fast?

    .venv/bin/python bench/notifications.py [--chats 1000] [--per-chat 3]

The real bot (build_application with its notifier, polling) and the Bot API stand-in run in
this process; the stand-in's flood control is on at Telegram's limits (30 messages per
second over all chats, 1 per second per chat, strict sliding windows, 429 beyond). Redis is
the real server, db 8 (bench.common), through the client the bot itself uses. The burst is
written to the stream in one pipeline, each entry as the api's relay writes it
(``0-<outbox id>``, the relay's fields), chat after chat: a chat's messages one after another
(received, status changed, answered with a note), languages alternating. The bot was started
first, so it is waiting on the stream.

Measured: delivered messages per second from the first send to the last as the stand-in
accepted them (``sent_at``), as a fraction of 30/s, and that time against the fastest the
limit allows (bursts of 30 one second apart: 99 s from the first to the last of 3,000);
429 answers; messages per chat (each exactly ``--per-chat``, none twice); the smallest gap
between two messages of one chat; the most messages the stand-in accepted in any one-second
window; the process's CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

from api.redis_client import create_redis  # noqa: E402
from bench.common import REDIS_URL, save  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.client import ApiClient  # noqa: E402
from bot.notifications import GROUP  # noqa: E402
from bot.notifier import BOT_DATA_KEY  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from demo.telegram import StandIn  # noqa: E402

CHANNEL = "bench-notifications"
STREAM = f"notifications:{CHANNEL}"
OVERALL, PER_CHAT, WINDOW = 30, 1, 1.0
FIRST_CHAT = 700_000_001
NOTE = (
    "Dana PKH tahap 3 Anda sudah disalurkan lewat Kantor Pos Banyuwangi pada 12 Mei; "
    "silakan ambil dengan membawa KTP & KKS."
)


def burst(chats: int, per_chat: int) -> list[dict[str, str]]:
    kinds = [
        ("complaint.received", {"status": "RECEIVED", "category": "BANTUAN_TIDAK_DITERIMA"}),
        ("complaint.status_changed", {"status": "IN_PROGRESS", "action": "start", "note": None}),
        ("complaint.answered", {"status": "RESOLVED", "action": "resolve", "note": NOTE}),
    ]
    entries = []
    now = datetime.now(UTC).isoformat()
    for n in range(chats):
        for k in range(per_chat):
            kind, payload = kinds[k % len(kinds)]
            entries.append(
                {
                    "outbox_id": str(len(entries) + 1),
                    "kind": kind,
                    "channel_user": f"tg:{FIRST_CHAT + n}",
                    "locale": "id" if n % 2 == 0 else "en",
                    "payload": json.dumps(
                        {"tracking_id": f"B{n:08d}", "office_code": "DINSOS-3510", **payload}
                    ),
                    "created_at": now,
                }
            )
    return entries


async def clean(redis: Redis) -> None:
    await redis.delete(STREAM)
    for pattern in (f"delivered:{STREAM}:*", "bot:blocked:*"):
        keys = [key async for key in redis.scan_iter(match=pattern, count=1000)]
        for i in range(0, len(keys), 1000):
            await redis.unlink(*keys[i : i + 1000])


def busiest_window(times: list[float], window: float = WINDOW) -> int:
    """The most sends within any ``window`` seconds (half-open, as the stand-in counts)."""
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


async def run(chats: int, per_chat: int) -> dict:
    # As the bot creates it: no command timeout, its notifier blocks on the stream.
    redis = create_redis(REDIS_URL, timeout=None)
    await clean(redis)
    standin = StandIn(
        enforce_rate_limits=True,
        per_chat_per_second=PER_CHAT,
        overall_per_second=OVERALL,
        rate_window_seconds=WINDOW,
    )
    sent_at: list[float] = []
    per_chat_times: dict[int, list[float]] = {}

    def on_event(event: str, message) -> None:
        if event == "sent":
            sent_at.append(message.sent_at)
            per_chat_times.setdefault(message.chat_id, []).append(message.sent_at)

    standin.add_listener(on_event)
    entries = burst(chats, per_chat)
    async with standin.serving() as base_url:
        settings = BotSettings(
            _env_file=None,
            TELEGRAM_BOT_TOKEN=standin.token,
            TELEGRAM_API_BASE_URL=base_url,
            BOT_CONSUMER_NAME="bench",
            BOT_NOTIFY_OVERALL_LIMIT=OVERALL,
            BOT_NOTIFY_WINDOW_SECONDS=WINDOW,
        )
        # No update reaches the api: it is asked only which channel the key belongs to.
        api = ApiClient(
            "http://api.bench",
            "unused",
            transport=httpx.MockTransport(lambda _: httpx.Response(200, json={"name": CHANNEL})),
        )
        application = build_application(settings, api=api, redis=redis)
        async with application:
            await application.post_init(application)
            await application.start()
            await application.updater.start_polling(poll_interval=0, timeout=10)
            notifier = application.bot_data[BOT_DATA_KEY]
            await asyncio.sleep(1.0)  # the notifier is now blocked on the stream
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            pushed_at = time.monotonic()
            pipe = redis.pipeline(transaction=False)
            for entry in entries:
                pipe.xadd(STREAM, entry, id=f"0-{entry['outbox_id']}")
            await pipe.execute()
            await standin.wait_until(
                lambda: len(sent_at) >= len(entries),
                timeout=len(entries) / OVERALL * 2 + 60,
                what="every notification sent",
            )
            drained_at = time.monotonic()
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            await asyncio.sleep(3.0)  # anything sent twice would arrive by now
            pending = (await redis.xpending(STREAM, GROUP))["pending"]
            stats = dict(notifier.stats)
            await application.updater.stop()
            await application.stop()
            await application.post_stop(application)
        await application.post_shutdown(application)
        await api.aclose()
    await clean(redis)
    await redis.aclose()

    times = sorted(sent_at)
    span = times[-1] - times[0]
    rate = (len(times) - 1) / span
    counts = Counter(len(v) for v in per_chat_times.values())
    gaps = [b - a for v in per_chat_times.values() for a, b in zip(v, v[1:], strict=False)]
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return {
        "chats": chats,
        "per_chat": per_chat,
        "notifications": len(entries),
        "limits": {"overall_per_second": OVERALL, "per_chat_per_second": PER_CHAT},
        "delivered": len(times),
        "chats_with_exactly_per_chat": counts.get(per_chat, 0),
        "chats_other_counts": {str(k): v for k, v in counts.items() if k != per_chat},
        "pending_after": pending,
        "first_to_last_seconds": round(span, 3),
        "messages_per_second": round(rate, 2),
        "fraction_of_limit": round(rate / OVERALL, 4),
        # The fastest the limit allows: bursts of 30 a window apart, the last one
        # ceil(n / 30) - 1 windows after the first.
        "ideal_first_to_last_seconds": (math.ceil(len(times) / OVERALL) - 1) * WINDOW,
        "efficiency_vs_ideal": round((math.ceil(len(times) / OVERALL) - 1) * WINDOW / span, 4),
        "rate_limited_429": standin.rate_limited_count,
        "busiest_one_second_window": busiest_window(times),
        "min_gap_in_a_chat_seconds": round(min(gaps), 3) if gaps else None,
        "push_to_first_send_seconds": round(times[0] - pushed_at, 3),
        "push_to_last_send_seconds": round(drained_at - pushed_at, 3),
        "cpu_seconds": round(cpu, 2),
        "cpu_share_of_one_core": round(cpu / (drained_at - pushed_at), 3),
        "notifier_stats": stats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--per-chat", type=int, default=3)
    args = parser.parse_args()

    result = asyncio.run(run(args.chats, args.per_chat))
    path = save("notifications", result)
    rows = [
        ("notifications / chats", f"{result['notifications']:,} / {result['chats']:,}"),
        ("delivered", f"{result['delivered']:,}"),
        ("chats that got exactly --per-chat", f"{result['chats_with_exactly_per_chat']:,}"),
        ("first to last send", f"{result['first_to_last_seconds']:.1f} s"),
        ("messages/s", f"{result['messages_per_second']:.2f}"),
        ("of Telegram's 30/s", f"{result['fraction_of_limit']:.1%}"),
        (
            "fastest the limit allows / took",
            f"{result['ideal_first_to_last_seconds']:.0f} s = {result['efficiency_vs_ideal']:.1%}",
        ),
        ("429 answers", str(result["rate_limited_429"])),
        ("most sends in any 1 s", str(result["busiest_one_second_window"])),
        ("smallest gap within a chat", f"{result['min_gap_in_a_chat_seconds']:.3f} s"),
        ("pending after", str(result["pending_after"])),
        ("CPU (bot + stand-in), share of a core", f"{result['cpu_share_of_one_core']:.0%}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>12}")
    if result["chats_other_counts"]:
        print(f"chats with another count: {result['chats_other_counts']}")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
