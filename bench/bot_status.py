"""One bot process: status-check updates handled per second, end to end.

    .venv/bin/python bench/bot_status.py [--chats 200] [--checks 3] [--rounds 2]
                                         [--baseline DIR] [--profile DIR]

Three kinds of process, as in production: the api (`bansos serve --workers 2` on
`bansos_bench`, 1,000,000 people; built by bench/registry.py on first use), the bot (one
process of its own: build_application, long polling, conversation state in the real Redis),
and "Telegram": the Bot API stand-in and the simulated citizens, in this process. Each citizen
goes through the whole dialog — /cek, the NIK, the name — waiting for each answer like a
person would, ``--checks`` times for different people; all citizens at once. Counted:
updates handled per second from the first injected update to the last answer, the time from
each update to the bot's answer, the CPU the bot process used in that time (from /proc) per
update, and how many cores were busy: the bot, this process, the whole machine.

``--baseline DIR`` runs a second bot process from another version of ``bot/`` and
``messages/`` (``git archive <commit> bot messages | tar -x -C DIR``) against a stand-in of
its own, the two measured in alternating rounds of the same run, so their ratio is fair;
``--baseline-python`` runs it on another interpreter, such as a copy of the venv with that
version's dependencies.
``--profile DIR`` records the bot process with py-spy (installed in the venv) into
DIR/<bot>-<round>.folded (collapsed stacks, for flamegraph tools); the figures of a profiled
run are not comparable with others.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BIN,
    REDIS_URL,
    UNLIMITED,
    bansos,
    env_for,
    print_side_by_side,
    save,
    wait_ready,
)

#: The bot's conversation state in the bench's Redis database (bot/persistence.py's keys).
BOT_KEYS = ("bot:user_data:", "bot:chat_data:", "bot:conversation:status")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def people(beneficiaries_csv: Path, count: int) -> list[tuple[str, str]]:
    chosen = []
    with beneficiaries_csv.open(encoding="utf-8") as source:
        for index, row in enumerate(csv.DictReader(source)):
            if index % 97 == 0:
                chosen.append((row["nik"], row["nama"]))
            if len(chosen) == count:
                break
    return chosen


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


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


async def dialog(standin, answers: Answers, chat_id: int, checks: list[tuple[str, str]]):
    """One citizen's status checks, one after another: /cek, the NIK, the name, each waited for."""
    latencies = []
    for nik, name in checks:
        for text in ("/cek", nik, name):
            answered = answers.expect(chat_id)
            started = time.perf_counter()
            standin.send_text(chat_id, text)
            latencies.append(await asyncio.wait_for(answered, timeout=60) - started)
    return latencies


def machine_busy() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs so far, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


class TelegramSide:
    """A stand-in, its citizens, and the bot process polling it."""

    def __init__(self, name: str, bot_path: str | None, python: str | None = None) -> None:
        from demo.telegram import StandIn

        self.name, self.bot_path, self.python = name, bot_path, python or sys.executable
        self.standin = StandIn(enforce_rate_limits=False)
        self.answers = Answers()
        self.standin.add_listener(self.answers.on_event)
        self.bot: subprocess.Popen | None = None

    async def start(self, stack, api_url: str, key: str, redis_url: str) -> None:
        base_url = await stack.enter_async_context(self.standin.serving())
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.standin.token,
            "TELEGRAM_API_BASE_URL": base_url,
            "BANSOS_API_URL": api_url,
            "BANSOS_API_KEY": key,
            "REDIS_URL": redis_url,
            "BENCH_BOT_PATH": self.bot_path or "",
        }
        command = [self.python, __file__, "--bot"]
        self.bot = await asyncio.to_thread(subprocess.Popen, command, env=env)
        stack.push_async_callback(self.stop)
        await self.standin.wait_until(
            lambda: bool(self.standin.calls("getUpdates")), timeout=60, what="the bot polling"
        )

    async def stop(self) -> None:
        if self.bot is not None and self.bot.poll() is None:
            self.bot.send_signal(signal.SIGINT)  # run_polling stops cleanly on it
            await asyncio.to_thread(self.bot.wait, 30)


async def run_round(side: TelegramSide, citizens: list[list[tuple[str, str]]], base: int) -> dict:
    standin, answers, bot_pid = side.standin, side.answers, side.bot.pid
    bot_before, own_before, busy_before = cpu_seconds(bot_pid), time.process_time(), machine_busy()
    started = time.perf_counter()
    results = await asyncio.gather(
        *(dialog(standin, answers, base + n, checks) for n, checks in enumerate(citizens))
    )
    elapsed = time.perf_counter() - started
    bot_cpu, own_cpu = cpu_seconds(bot_pid) - bot_before, time.process_time() - own_before
    (busy_after, total_after), (busy_start, total_start) = machine_busy(), busy_before
    busy, total = busy_after - busy_start, total_after - total_start
    latencies = sorted(x for r in results for x in r)
    updates = len(latencies)
    return {
        "bot": side.name,
        "chats": len(citizens),
        "updates": updates,
        "seconds": round(elapsed, 2),
        "updates_per_second": round(updates / elapsed, 1),
        "status_checks_per_second": round(updates / 3 / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "bot_cpu_ms_per_update": round(bot_cpu * 1000 / updates, 2),
        # Cores busy during the round: the bot process, this process (stand-in and
        # citizens), and the whole machine (api, PostgreSQL, Redis and anything else).
        "bot_cores": round(bot_cpu / elapsed, 2),
        "telegram_cores": round(own_cpu / elapsed, 2),
        "machine_cores": round(busy / total * os.cpu_count(), 2),
    }


async def clean_bot_state(redis_url: str) -> None:
    from api.redis_client import create_redis

    redis = create_redis(redis_url)
    await redis.delete(*BOT_KEYS)
    await redis.aclose()


async def measure(args, api_url: str, key: str, folks: list[tuple[str, str]]) -> list[dict]:
    """Each bot its own stand-in and Redis database; rounds alternate between the bots."""
    sides = [TelegramSide("after", None)]
    if args.baseline:
        sides.append(TelegramSide("baseline", args.baseline, args.baseline_python))
    redis_urls = [f"{REDIS_URL.rpartition('/')[0]}/{7 - index}" for index in range(len(sides))]
    rounds = []
    async with contextlib.AsyncExitStack() as stack:
        for side, redis_url in zip(sides, redis_urls, strict=True):
            await clean_bot_state(redis_url)
            await side.start(stack, api_url, key, redis_url)
            await run_round(side, [folks[i : i + 1] for i in range(30)], 10_000)  # warm-up
        for r in range(args.rounds):
            first = r * args.chats * args.checks
            citizens = [
                folks[first + n * args.checks : first + (n + 1) * args.checks]
                for n in range(args.chats)
            ]
            # Every other round the other bot goes first: a drift in load falls on both.
            order = list(enumerate(sides))
            for number, side in order if r % 2 == 0 else order[::-1]:
                spy = None
                if args.profile:
                    output = Path(args.profile) / f"{side.name}-{r + 1}.folded"
                    spy = profile(side.bot.pid, output)
                base = 1_000_000 * (number + 1) + 1_000 * (r + 1)
                rounds.append(await run_round(side, citizens, base))
                if spy is not None:
                    spy.send_signal(signal.SIGINT)
                    await asyncio.to_thread(spy.wait, 60)
    for redis_url in redis_urls:
        await clean_bot_state(redis_url)
    return rounds


def profile(pid: int, output: Path) -> subprocess.Popen:
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(BIN / "py-spy"), "record", "--pid", str(pid), "--output", str(output)]
        + ["--format", "raw", "--rate", "200"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run_bot() -> None:
    """The bot process: as `bansos bot` runs it, without pacing replies to Telegram's limits.

    Telegram would cap replies at 30 messages/s; this measures the bot itself. No notifier:
    nothing is relayed to it here.
    """
    tree = os.environ.get("BENCH_BOT_PATH") or str(Path(__file__).resolve().parent.parent)
    sys.path.insert(0, tree)  # another version of bot/ and messages/, or this one
    from telegram import Update

    import bot.app
    import messages
    from api.redis_client import create_redis
    from bot.app import build_application
    from bot.client import ApiClient
    from bot.settings import BotSettings

    for module in (bot.app, messages):
        if not Path(module.__file__).resolve().is_relative_to(tree):
            sys.exit(f"the bot imported {module.__file__}, not the code in {tree}")
        print(f"bot process: {module.__name__} from {module.__file__}", file=sys.stderr)

    settings = BotSettings()
    api = ApiClient(settings.api_url, settings.api_key.get_secret_value())
    application = build_application(
        settings,
        api=api,
        redis=create_redis(settings.redis_url, timeout=None),  # the bot blocks on streams
        notifications=False,
        telegram_rate_limits=False,
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=200, help="citizens at once")
    parser.add_argument("--checks", type=int, default=3, help="status checks per citizen")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--baseline",
        "--compare-with",
        dest="baseline",
        help="another checkout's bot/ and messages/, measured alongside",
    )
    parser.add_argument("--baseline-python", help="the baseline bot's interpreter")
    parser.add_argument("--profile", help="record the bot with py-spy into this directory")
    parser.add_argument("--save-as", default="bot_status", help="bench/results/NAME.json")
    parser.add_argument("--bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        args.baseline = str(Path(args.baseline).resolve())
        if not (Path(args.baseline) / "bot" / "app.py").is_file():
            parser.error(f"no bot/app.py in {args.baseline}")
    if args.bot:
        run_bot()
        return

    from bench.common import prewarm
    from bench.registry import ensure_registry

    db_url, beneficiaries_csv = ensure_registry(args.people)
    prewarm(db_url)
    env = env_for(
        db_url,
        **UNLIMITED,
        WORKER_INTERVAL_SECONDS="0",
        DB_POOL_SIZE="20",
    )
    key = bansos("create-api-key", "telegram-bot", env=env).stdout.strip()
    folks = people(beneficiaries_csv, args.chats * args.checks * args.rounds)
    server = subprocess.Popen(
        [str(BIN / "bansos"), "serve", "--port", str(args.port), "--workers", "2"],
        env=env,
        start_new_session=True,
    )
    api_url = f"http://127.0.0.1:{args.port}"
    try:
        wait_ready(api_url)
        rounds = asyncio.run(measure(args, api_url, key, folks))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if args.profile:
        print(f"profiles in {args.profile} (figures of a profiled run are not comparable)")
        return
    result = {"people": args.people, "rounds": rounds}
    print(
        f"{'bot':>9} {'chats':>6} {'updates/s':>10} {'checks/s':>9} {'p50':>8} {'p99':>8} "
        f"{'bot CPU/update':>15} {'cores: bot':>11} {'telegram':>9} {'machine':>8}"
    )
    for r in rounds:
        print(
            f"{r['bot']:>9} {r['chats']:>6} {r['updates_per_second']:>10} "
            f"{r['status_checks_per_second']:>9} {r['p50_ms']:>6}ms {r['p99_ms']:>6}ms "
            f"{r['bot_cpu_ms_per_update']:>13}ms {r['bot_cores']:>11} "
            f"{r['telegram_cores']:>9} {r['machine_cores']:>8}"
        )
    if args.baseline:
        result["side_by_side"] = print_side_by_side(
            rounds,
            {
                "bot CPU ms/update": lambda r: r["bot_cpu_ms_per_update"],
                "updates/s": lambda r: r["updates_per_second"],
                "p50 ms": lambda r: r["p50_ms"],
                "p99 ms": lambda r: r["p99_ms"],
            },
            key="bot",
        )
    print(f"results: {save(args.save_as, result)}")


if __name__ == "__main__":
    main()
