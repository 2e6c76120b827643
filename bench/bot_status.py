"""One bot process: status-check updates handled per second, end to end.

    .venv/bin/python bench/bot_status.py [--chats 300] [--rounds 2]

The real bot (build_application, polling) and the Bot API stand-in run in this process;
the api runs as `bansos serve --workers 2` on `bansos_bench` (1,000,000 people; built by
bench/registry.py on first use). Each simulated citizen goes through the whole dialog —
/cek, the NIK, the name — waiting for each answer like a person would; all citizens at
once. Counted: updates handled per second from the first injected update to the last
answer, and the time from each update to the bot's answer.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.redis_client import create_redis  # noqa: E402
from bench.common import BIN, bansos, env_for, save  # noqa: E402
from bench.registry import ensure_registry  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.client import ApiClient  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from bot.standin import StandIn  # noqa: E402


def people(beneficiaries_csv: Path, count: int) -> list[tuple[str, str]]:
    chosen = []
    with beneficiaries_csv.open(encoding="utf-8") as source:
        for index, row in enumerate(csv.DictReader(source)):
            if index % 997 == 0:
                chosen.append((row["nik"], row["nama"]))
            if len(chosen) == count:
                break
    return chosen


class Answers:
    """Resolves a future when the bot next writes to a chat (the stand-in's listener)."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future] = {}

    def on_event(self, event: str, message) -> None:
        future = self.waiting.pop(message.chat_id, None) if event == "sent" else None
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    def expect(self, chat_id: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future


async def dialog(standin: StandIn, answers: Answers, chat_id: int, nik: str, name: str):
    latencies = []
    for send in (
        lambda: standin.send_command(chat_id, "/cek"),
        lambda: standin.send_text(chat_id, nik),
        lambda: standin.send_text(chat_id, name),
    ):
        answered = answers.expect(chat_id)
        started = time.perf_counter()
        send()
        latencies.append(await asyncio.wait_for(answered, timeout=60) - started)
    return latencies


async def run_round(api_url: str, key: str, folks: list[tuple[str, str]], base: int) -> dict:
    standin = StandIn(enforce_rate_limits=False)
    answers = Answers()
    standin.add_listener(answers.on_event)
    async with standin.serving() as base_url:
        api = ApiClient(api_url, key)
        settings = BotSettings(TELEGRAM_BOT_TOKEN=standin.token, TELEGRAM_API_BASE_URL=base_url)
        # Replies unpaced: Telegram would cap them at 30 messages/s; this measures the bot.
        application = build_application(
            settings,
            api=api,
            redis=create_redis("memory://"),
            notifications=False,
            telegram_rate_limits=False,
        )
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0, timeout=1)
            try:
                started = time.perf_counter()
                results = await asyncio.gather(
                    *(
                        dialog(standin, answers, base + n, nik, name)
                        for n, (nik, name) in enumerate(folks)
                    )
                )
                elapsed = time.perf_counter() - started
            finally:
                await application.updater.stop()
                await application.stop()
        await api.aclose()
    await standin.aclose()
    latencies = sorted(x for r in results for x in r)
    updates = len(latencies)
    return {
        "chats": len(folks),
        "updates": updates,
        "seconds": round(elapsed, 2),
        "updates_per_second": round(updates / elapsed, 1),
        "status_checks_per_second": round(len(folks) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args()

    db_url, beneficiaries_csv = ensure_registry(args.people)
    env = env_for(
        db_url,
        LOOKUP_LIMIT_PER_USER="1000000000",
        LOOKUP_LIMIT_PER_NIK="1000000000",
        WORKER_INTERVAL_SECONDS="0",
        DB_POOL_SIZE="20",
    )
    key = bansos("create-api-key", "telegram-bot", env=env).stdout.strip()
    folks = people(beneficiaries_csv, args.chats * (args.rounds + 1))
    server = subprocess.Popen(
        [str(BIN / "bansos"), "serve", "--port", str(args.port), "--workers", "2"],
        env=env,
        start_new_session=True,
    )
    api_url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{api_url}/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        asyncio.run(run_round(api_url, key, folks[:30], 10_000))  # warm-up
        rounds = [
            asyncio.run(
                run_round(
                    api_url,
                    key,
                    folks[(r + 1) * args.chats : (r + 2) * args.chats],
                    100_000 * (r + 1),
                )
            )
            for r in range(args.rounds)
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    path = save("bot_status", {"people": args.people, "rounds": rounds})
    print(f"{'chats':>6} {'updates/s':>10} {'checks/s':>9} {'p50':>8} {'p99':>8}")
    for r in rounds:
        print(
            f"{r['chats']:>6} {r['updates_per_second']:>10} {r['status_checks_per_second']:>9} "
            f"{r['p50_ms']:>6}ms {r['p99_ms']:>6}ms"
        )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
