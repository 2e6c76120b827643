"""The ``bansos`` command: run, migrate, load, import, seed and administer the service.

The composition root of the command line and nothing more: each command lives with what
it runs (``api/cli/`` for the api, ``bot/cli.py`` for the bot, ``demo/cli.py`` for the
development-only commands), and is listed here once, in the order ``--help`` shows them.
"""

from __future__ import annotations

import typer

from api.cli import accounts, operations, reference, registry, server, stats
from api.cli.errors import PlainErrors
from bot.cli import run_bot
from demo import cli as demo_cli

# Plain tracebacks: rich's "show locals" would print local variables, which can hold a NIK.
# PlainErrors: a setup failure (database not migrated or not running …) is said in plain
# sentences, not as a traceback.
app = typer.Typer(
    help="Citizen service for the digital social-assistance (bansos) rollout.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=PlainErrors,
)


@app.callback()
def _settings(ctx: typer.Context) -> None:
    """Citizen service for the digital social-assistance (bansos) rollout."""
    # In a clone where the demo ran and nothing is configured, administration commands
    # (create-staff, create-api-key …) work on the demo's database, as its README says.
    if ctx.invoked_subcommand not in demo_cli.COMMANDS_WITH_OWN_SETTINGS:
        demo_cli.use_the_demo_when_unconfigured()


app.add_typer(registry.import_app, name="import")
app.add_typer(stats.stats_app, name="stats")
app.command()(server.migrate)
app.command("load-reference")(reference.load_reference)
app.command("create-api-key")(accounts.create_api_key_command)
app.command("create-staff")(accounts.create_staff_command)
app.command("revoke-api-key")(accounts.revoke_api_key_command)
app.command("generate-keys")(accounts.generate_keys)
app.command("bootstrap")(operations.bootstrap)
app.add_typer(operations.rotate_app, name="rotate-keys")
app.command("verify-data")(operations.verify_data)
app.command("seed-demo")(demo_cli.seed_demo)
app.command()(server.serve)
app.command()(server.worker)
app.command("bot")(run_bot)
app.command("chat")(demo_cli.chat)
app.command()(demo_cli.demo)

if __name__ == "__main__":  # pragma: no cover
    app()
