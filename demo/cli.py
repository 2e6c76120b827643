"""The development-only commands: ``demo`` (the whole product in one command, with demo
data), ``seed-demo`` (the synthetic population into any database) and ``chat`` (the real bot
in a terminal, through the Bot API stand-in)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.accounts import create_key
from api.cli.common import err, load_settings, out
from api.cli.reference import load_reference_into
from demo.staff import DEMO_STAFF_PASSWORD, handler_at, handlers_of

__all__ = ["DEMO_STAFF_PASSWORD", "chat", "demo", "seed_demo"]

DEMO_DATABASE_URL = "sqlite:///var/demo.db"

#: Commands that read no api settings, or set their own (the demo).
COMMANDS_WITH_OWN_SETTINGS = frozenset({"demo", "chat", "bot", "generate-keys"})
#: Any of these set means someone configured this place: nothing is then guessed.
_CONFIGURED_BY = ("BANSOS_ENV", "DATABASE_URL", "NIK_HASH_KEY", "DATA_ENCRYPTION_KEY", "SECRET_KEY")


def use_the_demo_when_unconfigured() -> None:
    """Point the command at the demo's database when the demo ran here (``var/demo.db``
    exists) and nothing at all is configured, in the environment or ``.env``: so that
    ``python3 dev.py bansos create-staff …`` works beside the demo with no variables. A
    deployment always sets its secrets, so it never gets here; the note says it happened."""
    database = Path(DEMO_DATABASE_URL.removeprefix("sqlite:///"))
    if not database.exists() or any(os.environ.get(name) for name in _CONFIGURED_BY):
        return
    if Path(".env").exists():
        from dotenv import dotenv_values

        if any(dotenv_values(".env").get(name) for name in _CONFIGURED_BY):
            return
    os.environ["BANSOS_ENV"] = "demo"
    os.environ["DATABASE_URL"] = DEMO_DATABASE_URL
    err.print(f"Nothing is configured here: working on the demo's database, {database}.")


def seed_demo(
    families: Annotated[
        int, typer.Option(min=0, help="Synthetic families besides personas")
    ] = 2000,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same data")
    ] = 2026,
) -> None:
    """Fill the registry with a deterministic synthetic population and print the personas."""
    settings = load_settings()
    seeded = asyncio.run(_seed(settings, families=families, seed=seed))
    _print_personas(seeded)


@dataclass(frozen=True)
class _Seeded:
    personas: list
    # The offices and categories as the api routes them, for "handled by" and the curl.
    directory: object


async def _seed(settings, *, families: int, seed: int) -> _Seeded:
    from api.db import create_engine
    from api.domain.complaints.directory import read_directory
    from api.domain.eligibility import default_rules
    from api.domain.pilot_config import load_pilot_config
    from api.domain.regions import region_codes
    from api.services import protector_from
    from demo.seed import seed_demo_population

    await load_reference_into(settings, None)
    engine = create_engine(settings.database_url)
    try:
        with out.status("Generating and importing the synthetic population…"):
            outcome = await seed_demo_population(
                engine,
                protector=protector_from(settings),
                regions=region_codes(),
                rules=default_rules(),
                pilot=load_pilot_config(),
                families=families,
                seed=seed,
            )
        directory = await read_directory(engine)
    finally:
        await engine.dispose()
    out.print(
        f"Seeded {outcome.people.accepted} people ({outcome.people.inserted} new) and "
        f"{outcome.stages.accepted} disbursement stages."
    )
    rejected = outcome.people.errors + outcome.stages.errors
    if rejected:
        err.print(f"[red]{len(rejected)} generated rows were rejected:[/] {rejected[:5]}")
        raise typer.Exit(1)
    return _Seeded(outcome.personas, directory)


def _print_personas(seeded: _Seeded) -> None:
    table = Table(
        title="Demo personas (synthetic data): check them with NIK + name", show_lines=False
    )
    table.add_column("NIK")
    table.add_column("Nama (as on the KTP)")
    table.add_column("Shows")
    table.add_column("Complaints handled by")
    for persona in seeded.personas:
        table.add_row(
            persona.nik,
            persona.name,
            persona.shows_en,
            ", ".join(handlers_of(seeded.directory, persona.family.district_code)) or "—",
        )
    out.print(table)


def chat(
    api_url: Annotated[
        str, typer.Option(envvar="BANSOS_API_URL", help="The running api")
    ] = "http://127.0.0.1:8000",
    api_key: Annotated[
        str, typer.Option(envvar="BANSOS_API_KEY", help="A channel key (bansos demo prints one)")
    ] = "",
    redis_url: Annotated[
        str,
        typer.Option(
            envvar="REDIS_URL",
            help="The Redis the api relays notifications into (bansos demo prints it); "
            "without it the chat gets no notifications",
        ),
    ] = "",
    language: Annotated[str, typer.Option(help="The citizen's Telegram language: id or en")] = "id",
) -> None:
    """Talk to the real bot in this terminal, through a local stand-in of the Bot API.

    No Telegram account or network needed. Type text, or a button's number; /foto PATH sends a
    photo, /berkas PATH a document, /batal cancels a step, /keluar quits.
    """
    if not api_key:
        err.print("[red]Give --api-key[/] (or BANSOS_API_KEY): `bansos demo` prints one.")
        raise typer.Exit(2)
    asyncio.run(_chat(api_url, api_key, redis_url, language))


async def _chat(api_url: str, api_key: str, redis_url: str, language: str) -> None:
    from bot.client import ApiClient
    from bot.redis_connection import MEMORY_URL, connect_redis
    from demo.chat import run_chat

    async def stdin_lines():
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return
            yield line

    out.print("[bold]bansos chat[/] — /keluar to quit.", highlight=False)
    # A private memory://, as it would be another phone's: drafts and the chosen language
    # last for this session. Only the notifications come from the api's Redis.
    notifications = connect_redis(redis_url) if redis_url not in ("", MEMORY_URL) else None
    if notifications is None:
        out.print("(No --redis-url: the api's notifications will not reach this chat.)")
    api = ApiClient(api_url, api_key)
    try:
        await run_chat(
            api=api,
            redis=connect_redis(MEMORY_URL),
            notifications=notifications,
            lines=stdin_lines(),
            write=lambda text: print(text, flush=True),
            language=language,
        )
    finally:
        await api.aclose()
        if notifications is not None:
            await notifications.aclose()


def demo(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1")] = 8000,
    families: Annotated[int, typer.Option(min=0, help="Synthetic families to seed")] = 2000,
    history: Annotated[
        int,
        typer.Option(min=0, help="Complaints in the year of history the statistics show"),
    ] = 3000,
) -> None:
    """One command to try it: SQLite database, migrations, demo data, api on 127.0.0.1."""
    from api.redis_client import MEMORY_URL, serve_memory_redis

    os.environ["BANSOS_ENV"] = "demo"
    os.environ.setdefault("DATABASE_URL", DEMO_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", MEMORY_URL)
    with contextlib.ExitStack() as stack:
        if os.environ["REDIS_URL"] == MEMORY_URL:
            # Served on loopback rather than private to this process: `bansos chat` (or the
            # bot) in another terminal reads the notifications the api relays into it.
            os.environ["REDIS_URL"] = stack.enter_context(serve_memory_redis())
            what = "the in-process stand-in, on loopback"
        else:
            what = "REDIS_URL"
        _run_demo(load_settings(), port=port, families=families, history=history, redis_what=what)


def _run_demo(settings, *, port: int, families: int, history: int, redis_what: str) -> None:
    import uvicorn

    from api.migrations_runner import upgrade

    out.print(
        f"[bold]Bansos demo[/] — database {settings.database_url}, "
        f"Redis {settings.redis_url} ({redis_what})"
    )
    upgrade(settings.database_url)
    seeded = asyncio.run(_seed(settings, families=families, seed=2026))
    key = asyncio.run(create_key(settings, "demo"))
    bot_key = asyncio.run(create_key(settings, DEMO_BOT_CHANNEL))
    console = asyncio.run(_seed_console(settings, seeded.personas, history=history))
    _print_personas(seeded)
    first = seeded.personas[0]
    out.print(f"\nAPI key for this demo: [bold]{key}[/]")
    out.print(f"Web console: [bold]http://127.0.0.1:{port}/console/[/]", highlight=False)
    _print_accounts(console)
    out.print(
        f"Statistics (console sign-in): [bold]http://127.0.0.1:{port}/console/statistics[/] — "
        "kemensos sees every region, koordinator-wk1 region WK1 (its Kota Padang spike and "
        "slow Deli Serdang office), a handler their office\n"
        f"Public transparency page (no sign-in): http://127.0.0.1:{port}/transparansi",
        highlight=False,
    )
    out.print(f"OpenAPI docs: http://127.0.0.1:{port}/docs")
    out.print(
        "Try a status check:\n"
        f"  curl -s http://127.0.0.1:{port}/api/v1/status-checks -H 'X-API-Key: {key}' "
        f'-H \'Content-Type: application/json\' -d \'{{"nik": "{first.nik}", '
        f'"name": "{first.name}", "channel_user": "demo"}}\'\n'
        + _complaint_example(seeded, port=port, key=key),
        highlight=False,
    )
    out.print(
        "Another staff account (the password is asked for):\n"
        "  python3 dev.py bansos create-staff NAME --role HANDLER --office DINSOS-1872\n",
        highlight=False,
    )
    api_url = f"http://127.0.0.1:{port}"
    if os.environ.get("TELEGRAM_BOT_TOKEN"):
        bot = _start_demo_bot(api_url, bot_key, settings.redis_url)
    else:
        bot = None
        out.print(
            "Talk to the bot offline (no Telegram needed), in another terminal; the status "
            "changes staff make reach this chat:\n"
            f"  python3 dev.py bansos chat --api-url {api_url} --api-key {bot_key} "
            f"--redis-url {settings.redis_url}\n"
            "(Set TELEGRAM_BOT_TOKEN to run the real bot on Telegram with the demo.)",
            highlight=False,
        )
    out.print("Press Ctrl+C to stop.")
    try:
        uvicorn.run(
            "api.asgi:app", host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    finally:
        if bot is not None:
            bot.terminate()
            bot.wait(timeout=30)


#: The persona the printed complaint is about: her Sembako top-up failed, so "aid not
#: received" at her own kecamatan is the complaint she would file.
CURL_PERSONA, CURL_CATEGORY = "sembako_topup_failed", "BANTUAN_TIDAK_DITERIMA"


def _complaint_example(seeded: _Seeded, *, port: int, key: str) -> str:
    """The printed ``curl`` that files a complaint about a persona, and who then sees it."""
    from api.domain.complaints.routing import route

    persona = next(p for p in seeded.personas if p.key == CURL_PERSONA)
    district = persona.family.district_code
    category = seeded.directory.categories[CURL_CATEGORY]
    office = route(
        regency_code=district[:4], office_type=category.office_type, table=seeded.directory.routing
    ).office_code
    account = handler_at(office)
    body = {
        "reporter": {"channel_user": "demo"},
        "category": CURL_CATEGORY,
        "region_code": district,
        "subject_nik": persona.nik,
        "description": "Bantuan Sembako tahap 4 belum diterima.",
    }
    return (
        f"File a complaint about {persona.name} (it goes to "
        f"{seeded.directory.office_name(office)}: sign in as "
        f"{account.username if account else 'kemensos'}):\n"
        f"  curl -s http://127.0.0.1:{port}/api/v1/complaints -H 'X-API-Key: {key}' "
        f"-H 'Content-Type: application/json' -d '{json.dumps(body)}'\n"
    )


#: The channel of the demo's bot key (the bot and `bansos chat` ask the api for it and read
#: the notifications of what they filed, notifications:<channel>).
DEMO_BOT_CHANNEL = "telegram-bot"


def _start_demo_bot(api_url: str, key: str, redis_url: str):
    """The Telegram bot beside the demo api, when a real bot token is configured."""
    import subprocess

    out.print("TELEGRAM_BOT_TOKEN is set: the bot runs too (long polling).")
    env = {
        **os.environ,
        "BANSOS_API_URL": api_url,
        "BANSOS_API_KEY": key,
        "REDIS_URL": redis_url,
    }
    return subprocess.Popen([sys.argv[0], "bot"], env=env)


async def _seed_console(settings, personas, *, history: int = 0):
    """The console's demo data: accounts, complaints in every state, response templates;
    and ``history`` complaints over the past year for the statistics."""
    from api.domain.pilot_config import load_pilot_config
    from api.domain.regions import region_codes
    from api.services import open_services
    from demo.history import seed_history
    from demo.seed import pilot_district_codes, seed_demo_console

    async with open_services(settings) as services:
        with out.status("Seeding the console's accounts and complaints…"):
            seeded = await seed_demo_console(services, personas)
        with out.status(f"Seeding a year of {history} complaints for the statistics…"):
            year = await seed_history(
                services,
                district_codes=pilot_district_codes(load_pilot_config(), region_codes()),
                complaints=history,
            )
        directory = await services.directory.get()
        offices = {
            a.office_code: directory.office_name(a.office_code)
            for a in seeded.accounts
            if a.office_code
        }
    if seeded.complaints.created:
        out.print(f"Seeded {seeded.complaints.created} complaints for the console.")
    if year.complaints:
        out.print(
            f"Seeded a year of {year.complaints} complaints ({year.events} timeline events) "
            "and counted them for the statistics."
        )
    return _Console(seeded.accounts, offices)


@dataclass(frozen=True)
class _Console:
    accounts: tuple
    # office code → name, for the accounts table
    offices: dict


def _print_accounts(console: _Console) -> None:
    table = Table(title="Staff accounts (demo only)", show_lines=False)
    for column in ("Username", "Password", "Role", "Office", "Shows"):
        table.add_column(column)
    for account in console.accounts:
        office = console.offices.get(account.office_code, "—") if account.office_code else "—"
        password = account.password + (" (temporary)" if account.temporary else "")
        table.add_row(account.username, password, account.role.value, office, account.shows)
    out.print(table)
