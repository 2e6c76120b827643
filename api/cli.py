"""The ``bansos`` command: run, migrate, load, import, seed and administer the service."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

# Plain tracebacks: rich's "show locals" would print local variables, which can hold a NIK.
app = typer.Typer(
    help="Citizen service for the digital social-assistance (bansos) rollout.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(
    help="Import registry files (UTF-8 CSV with a header row).", no_args_is_help=True
)
app.add_typer(import_app, name="import")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DEMO_DATABASE_URL = "sqlite:///var/demo.db"


def _settings(**overrides):
    from api.settings import InsecureSettings, get_settings

    try:
        return get_settings(**overrides)
    except InsecureSettings as exc:
        err.print(f"[red]Refusing to start:[/] {exc}")
        raise typer.Exit(2) from None
    except Exception as exc:  # pydantic ValidationError carries an InsecureSettings inside
        err.print(f"[red]Settings are invalid:[/] {exc}")
        raise typer.Exit(2) from None


@app.command()
def migrate() -> None:
    """Apply database migrations up to the latest (safe to run repeatedly)."""
    from api.migrations_runner import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    out.print("Database is up to date.")


@app.command("load-reference")
def load_reference(
    pilot_file: Annotated[Path | None, typer.Option(help="Pilot configuration YAML")] = None,
    reset_routing: Annotated[
        bool,
        typer.Option(
            "--reset-routing",
            help="Also take each category's office type from the file, undoing admin changes",
        ),
    ] = False,
) -> None:
    """Load region codes, the pilot configuration and complaint categories (idempotent)."""
    counts = asyncio.run(_load_reference(_settings(), pilot_file, reset_routing=reset_routing))
    out.print(
        f"Loaded {counts.provinces} provinces, {counts.regencies} kabupaten/kota, "
        f"{counts.districts} kecamatan, {counts.coordination_regions} coordination "
        f"regions, {counts.pilot_regencies} pilot kabupaten/kota, {counts.offices} offices, "
        f"{counts.categories} complaint categories."
    )


async def _load_reference(settings, pilot_file: Path | None, *, reset_routing: bool = False):
    from api.db import create_engine
    from api.domain.pilot_config import PilotConfigError, load_pilot_config
    from api.domain.reference_data import load_reference_data
    from api.domain.regions import region_codes

    try:
        pilot = load_pilot_config(pilot_file)
    except PilotConfigError as exc:
        err.print(f"[red]Pilot configuration refused:[/] {exc}")
        raise typer.Exit(2) from None
    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            return await load_reference_data(
                conn, regions=region_codes(), pilot=pilot, reset_routing=reset_routing
            )
    finally:
        await engine.dispose()


def _run_import(kind: str, file: Path, errors_file: Path | None) -> None:
    from api.domain.eligibility import default_rules
    from api.domain.regions import region_codes
    from api.domain.registry_import import (
        ImportFormatError,
        import_beneficiaries,
        import_disbursements,
    )
    from api.services import protector_from

    if not file.is_file():
        err.print(f"[red]No such file:[/] {file}")
        raise typer.Exit(2)
    settings = _settings()
    sink = errors_file.open("w", encoding="utf-8") if errors_file else None
    shown = 0

    def on_error(error) -> None:
        nonlocal shown
        if sink is not None:
            sink.write(f"{error}\n")
        if shown < 50:
            err.print(f"[yellow]rejected[/] {error}", highlight=False, soft_wrap=True)
        shown += 1

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not sys.stderr.isatty(),
    )

    async def run():
        from api.db import create_engine

        engine = create_engine(settings.database_url)
        size = file.stat().st_size  # noqa: ASYNC240 - one stat before the import starts
        task = progress.add_task(f"Importing {kind}", total=size)
        importer = import_beneficiaries if kind == "beneficiaries" else import_disbursements
        try:
            return await importer(
                engine,
                file,
                protector=protector_from(settings),
                regions=region_codes(),
                rules=default_rules(),
                on_error=on_error,
                on_progress=lambda done, total: progress.update(task, completed=done),
            )
        finally:
            await engine.dispose()

    try:
        with progress:
            report = asyncio.run(run())
    except ImportFormatError as exc:
        err.print(f"[red]Import stopped before writing anything:[/] {exc}")
        raise typer.Exit(2) from None
    finally:
        if sink is not None:
            sink.close()
    if shown > 50:
        err.print(
            f"… and {shown - 50} more rejected rows"
            + (
                f" (all listed in {errors_file})"
                if errors_file
                else " (use --errors-file to keep the full list)"
            )
        )
    out.print(
        f"{report.rows} rows read: {report.inserted} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected."
    )
    if report.rejected:
        raise typer.Exit(1)


ErrorsFile = Annotated[
    Path | None,
    typer.Option("--errors-file", help="Write every rejected row (line and reason) to this file"),
]


@import_app.command("beneficiaries")
def import_beneficiaries_command(
    file: Annotated[
        Path, typer.Argument(help="nik,no_kk,nama,kode_wilayah,desil,program,keterangan")
    ],
    errors_file: ErrorsFile = None,
) -> None:
    """Import beneficiaries. Exit 0: all rows accepted; 1: some rejected; 2: nothing imported."""
    _run_import("beneficiaries", file, errors_file)


@import_app.command("disbursements")
def import_disbursements_command(
    file: Annotated[
        Path, typer.Argument(help="nik,program,tahun,tahap,tahapan,status,penyalur,nominal,tanggal")
    ],
    errors_file: ErrorsFile = None,
) -> None:
    """Import disbursements. Exit 0: all rows accepted; 1: some rejected; 2: nothing imported."""
    _run_import("disbursements", file, errors_file)


@app.command("create-api-key")
def create_api_key_command(
    channel: Annotated[str, typer.Argument(help="Channel name, e.g. telegram-bot")],
) -> None:
    """Create an API key for a channel and print it (it is shown only this once)."""
    key = asyncio.run(_create_key(_settings(), channel))
    out.print(key, highlight=False)


async def _create_key(settings, channel: str) -> str:
    from api.db import create_engine, session_factory, session_scope
    from api.domain.api_keys import create_api_key

    engine = create_engine(settings.database_url)
    try:
        async with session_scope(session_factory(engine)) as session:
            return await create_api_key(session, channel=channel)
    finally:
        await engine.dispose()


@app.command("create-staff")
def create_staff_command(
    username: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="HANDLER, COORDINATOR, MINISTRY or ADMIN")],
    office: Annotated[
        str | None, typer.Option(help="Office code (HANDLER: their office; COORDINATOR: WK1…)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a staff account. The password is asked for (or read from standard input)."""
    from api.domain.staff import Role

    try:
        chosen_role = Role(role.upper())
    except ValueError:
        err.print(f"[red]Unknown role {role!r}[/]: choose HANDLER, COORDINATOR, MINISTRY or ADMIN.")
        raise typer.Exit(2) from None
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    asyncio.run(
        _create_staff(_settings(), username, chosen_role, office, name or username, password)
    )
    out.print(f"Created {chosen_role.value.lower()} {username}.")


async def _create_staff(settings, username, role, office, display_name, password) -> None:
    from api.db import create_engine
    from api.domain.staff import StaffError, create_staff

    engine = create_engine(settings.database_url)
    try:
        await create_staff(
            engine,
            username=username,
            display_name=display_name,
            password=password,
            role=role,
            office_code=office,
        )
    except StaffError as exc:
        err.print(f"[red]Not created:[/] {exc}")
        raise typer.Exit(2) from None
    finally:
        await engine.dispose()


@app.command("revoke-api-key")
def revoke_api_key_command(
    prefix: Annotated[str, typer.Argument(help="The 8 characters after 'bsk_' in the key")],
) -> None:
    """Revoke an API key; it stops working everywhere within 30 seconds."""

    async def run() -> bool:
        from api.db import create_engine, session_factory, session_scope
        from api.domain.api_keys import revoke_api_key

        engine = create_engine(_settings().database_url)
        try:
            async with session_scope(session_factory(engine)) as session:
                return await revoke_api_key(session, prefix=prefix)
        finally:
            await engine.dispose()

    if not asyncio.run(run()):
        err.print(f"[red]No active key with prefix {prefix}.[/]")
        raise typer.Exit(1)
    out.print(f"Revoked key {prefix}.")


@app.command("generate-keys")
def generate_keys() -> None:
    """Print fresh secrets for a production .env file."""
    out.print(f"NIK_HASH_KEY={base64.b64encode(secrets.token_bytes(32)).decode()}")
    out.print(f"DATA_ENCRYPTION_KEY={base64.b64encode(secrets.token_bytes(32)).decode()}")
    out.print(f"SECRET_KEY={secrets.token_urlsafe(32)}")


@app.command("seed-demo")
def seed_demo(
    families: Annotated[
        int, typer.Option(min=0, help="Synthetic families besides personas")
    ] = 2000,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same data")
    ] = 2026,
) -> None:
    """Fill the registry with a deterministic synthetic population and print the personas."""
    settings = _settings()
    personas = asyncio.run(_seed(settings, families=families, seed=seed))
    _print_personas(personas)


async def _seed(settings, *, families: int, seed: int):
    from api.db import create_engine
    from api.domain.eligibility import default_rules
    from api.domain.pilot_config import load_pilot_config
    from api.domain.regions import region_codes
    from api.services import protector_from
    from demo.seed import seed_demo_population

    await _load_reference(settings, None)
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
    return outcome.personas


def _print_personas(personas) -> None:
    table = Table(
        title="Demo personas (synthetic data): check them with NIK + name", show_lines=False
    )
    table.add_column("NIK")
    table.add_column("Nama (as on the KTP)")
    table.add_column("Shows")
    for persona in personas:
        table.add_row(persona.nik, persona.name, persona.shows_en)
    out.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the api (run `bansos migrate` first)."""
    import uvicorn

    _settings()  # refuse placeholder secrets before binding a port
    uvicorn.run(
        "api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=True,
    )


@app.command()
def worker(
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds between outbox relay passes")
    ] = 1.0,
) -> None:
    """Relay notifications to Redis and run the deadline job, until stopped."""
    # Every step commits on its own, so stopping at any point loses nothing.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_worker(_settings(), interval))


async def _run_worker(settings, interval: float) -> None:
    from api.services import Services
    from api.worker import Worker

    services = Services.build(settings)
    out.print(f"Worker running (relay every {interval:g} s, deadlines every minute).")
    try:
        await Worker(services, interval=interval).run_forever()
    finally:
        await services.close()


@app.command("bot")
def run_bot(
    webhook: Annotated[
        bool, typer.Option("--webhook", help="Serve Telegram webhooks instead of polling")
    ] = False,
) -> None:
    """Run the Telegram bot (polling by default). Needs TELEGRAM_BOT_TOKEN and BANSOS_API_KEY."""
    from telegram import Update

    from api.redis_client import create_redis
    from bot.app import build_application
    from bot.client import ApiClient
    from bot.settings import BotSettings

    settings = BotSettings()
    if not settings.token or not settings.api_key.get_secret_value():
        err.print(
            "[red]Set TELEGRAM_BOT_TOKEN and BANSOS_API_KEY[/] (a key from "
            "`bansos create-api-key telegram-bot`)."
        )
        raise typer.Exit(2)
    if webhook and not (settings.webhook_url and settings.webhook_secret.get_secret_value()):
        err.print("[red]--webhook needs BOT_WEBHOOK_URL and BOT_WEBHOOK_SECRET.[/]")
        raise typer.Exit(2)
    api = ApiClient(settings.api_url, settings.api_key.get_secret_value())
    application = build_application(settings, api=api, redis=create_redis(settings.redis_url))
    if webhook:
        # python-telegram-bot refuses updates whose X-Telegram-Bot-Api-Secret-Token differs.
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)


@app.command("chat")
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
    from api.redis_client import MEMORY_URL, create_redis
    from bot.client import ApiClient
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
    notifications = create_redis(redis_url) if redis_url not in ("", MEMORY_URL) else None
    if notifications is None:
        out.print("(No --redis-url: the api's notifications will not reach this chat.)")
    api = ApiClient(api_url, api_key)
    try:
        await run_chat(
            api=api,
            redis=create_redis(MEMORY_URL),
            notifications=notifications,
            lines=stdin_lines(),
            write=lambda text: print(text, flush=True),
            language=language,
        )
    finally:
        await api.aclose()
        if notifications is not None:
            await notifications.aclose()


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1")] = 8000,
    families: Annotated[int, typer.Option(min=0, help="Synthetic families to seed")] = 2000,
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
        _run_demo(_settings(), port=port, families=families, redis_what=what)


def _run_demo(settings, *, port: int, families: int, redis_what: str) -> None:
    import uvicorn

    from api.migrations_runner import upgrade

    out.print(
        f"[bold]Bansos demo[/] — database {settings.database_url}, "
        f"Redis {settings.redis_url} ({redis_what})"
    )
    upgrade(settings.database_url)
    personas = asyncio.run(_seed(settings, families=families, seed=2026))
    key = asyncio.run(_create_key(settings, "demo"))
    bot_key = asyncio.run(_create_key(settings, DEMO_BOT_CHANNEL))
    staff = asyncio.run(_demo_staff(settings))
    _print_personas(personas)
    first = personas[0]
    out.print(f"\nAPI key for this demo: [bold]{key}[/]")
    out.print(
        f"Staff accounts (password [bold]{DEMO_STAFF_PASSWORD}[/]): "
        + ", ".join(f"{username} ({what})" for username, what in staff),
        highlight=False,
    )
    out.print(f"OpenAPI docs: http://127.0.0.1:{port}/docs")
    out.print(
        "Try a status check:\n"
        f"  curl -s http://127.0.0.1:{port}/api/v1/status-checks -H 'X-API-Key: {key}' "
        f'-H \'Content-Type: application/json\' -d \'{{"nik": "{first.nik}", '
        f'"name": "{first.name}", "channel_user": "demo"}}\'\n'
        "File a complaint (it goes to Dinas Sosial Kabupaten Banyuwangi):\n"
        f"  curl -s http://127.0.0.1:{port}/api/v1/complaints -H 'X-API-Key: {key}' "
        '-H \'Content-Type: application/json\' -d \'{"reporter": {"channel_user": "demo"}, '
        '"category": "BANTUAN_TIDAK_DITERIMA", "region_code": "351001", '
        '"subject_nik": "3510014107900001", "description": "Bantuan tahap 3 belum diterima."}\'\n',
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


#: The channel of the demo's bot key: BotSettings' default BOT_CHANNEL, so the bot and
#: `bansos chat` read the notifications of what they filed (notifications:<channel>).
DEMO_BOT_CHANNEL = "telegram-bot"


def _start_demo_bot(api_url: str, key: str, redis_url: str):
    """The Telegram bot beside the demo api, when a real bot token is configured."""
    import subprocess

    out.print("TELEGRAM_BOT_TOKEN is set: the bot runs too (long polling).")
    env = {
        **os.environ,
        "BANSOS_API_URL": api_url,
        "BANSOS_API_KEY": key,
        "BOT_CHANNEL": DEMO_BOT_CHANNEL,
        "REDIS_URL": redis_url,
    }
    return subprocess.Popen([sys.argv[0], "bot"], env=env)


#: Demo only (BANSOS_ENV=demo): printed on start, so a newcomer can log in as each role.
DEMO_STAFF_PASSWORD = "demo-bansos-2026"
DEMO_STAFF = (
    ("dinsos-banyuwangi", "HANDLER", "DINSOS-3510", "handler, Dinas Sosial Kab. Banyuwangi"),
    # The first personas live in Kota Metro: their complaints from the chat are worked here.
    ("dinsos-metro", "HANDLER", "DINSOS-1872", "handler, Dinas Sosial Kota Metro"),
    ("koordinator-wk4", "COORDINATOR", "WK4", "coordinator, region WK4"),
    ("kemensos", "MINISTRY", "NASIONAL", "ministry"),
    ("admin", "ADMIN", None, "routing and offices"),
)


async def _demo_staff(settings) -> list[tuple[str, str]]:
    """The demo's staff accounts, created once (a second demo run keeps them)."""
    from api.db import create_engine
    from api.domain.staff import Role, StaffError, create_staff

    engine = create_engine(settings.database_url)
    try:
        for username, role, office, _ in DEMO_STAFF:
            with contextlib.suppress(StaffError):  # already there from an earlier run
                await create_staff(
                    engine,
                    username=username,
                    display_name=username,
                    password=DEMO_STAFF_PASSWORD,
                    role=Role(role),
                    office_code=office,
                )
    finally:
        await engine.dispose()
    return [(username, what) for username, _, _, what in DEMO_STAFF]


if __name__ == "__main__":  # pragma: no cover
    app()
