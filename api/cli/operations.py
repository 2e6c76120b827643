"""Running a deployment: ``bootstrap`` (the first administrator and the bot's key),
``rotate-keys encryption|nik-hash`` and ``verify-data`` (docs/operations.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import err, load_settings, out, run_application

BatchSize = Annotated[int, typer.Option(min=1, help="Rows per transaction")]


def bootstrap(
    key_file: Annotated[
        Path,
        typer.Option(
            help="Where the channel's key is kept: read when it exists, written (mode 600) "
            "when a new key is made"
        ),
    ],
    admin: Annotated[str, typer.Option(help="Login name of the first administrator")] = "admin",
    channel: Annotated[str, typer.Option(help="The channel the key is for")] = "telegram-bot",
) -> None:
    """Create the first administrator and the bot's key, once (a second run changes nothing)."""
    from api.application import operations
    from api.application.principals import Operator

    current = key_file.read_text().strip() if key_file.is_file() else None
    made = run_application(
        lambda services: operations.bootstrap(
            services,
            Operator("bootstrap"),
            admin_username=admin,
            channel=channel,
            current_channel_key=current or None,
        )
    )
    if made.admin_password:
        out.print(
            f"Created the administrator {admin} with the temporary password "
            f"{made.admin_password} (shown only this once): sign in at /console/, which asks "
            "for a password of their own.",
            highlight=False,
        )
    else:
        out.print("An administrator exists: none created.")
    if made.channel_key:
        _write_secret(key_file, made.channel_key)
        out.print(f"Wrote a new {channel} key to {key_file}.", highlight=False)
    else:
        out.print(f"The {channel} key in {key_file} is valid: kept.", highlight=False)


def _write_secret(path: Path, value: str) -> None:
    """Replace ``path`` with ``value``, readable by its owner only, never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


rotate_app = typer.Typer(
    help="Move the personal data to new keys (docs/operations.md, 'Keys').",
    no_args_is_help=True,
)


@rotate_app.command("encryption")
def rotate_encryption(batch_size: BatchSize = 1000) -> None:
    """Re-encrypt under DATA_ENCRYPTION_KEY what the keys in DATA_ENCRYPTION_KEY_PREVIOUS made.

    Safe while the service runs (every process reads both keys meanwhile); run it again to
    resume after an interruption.
    """
    from api.application import operations
    from api.application.principals import Operator

    settings = load_settings()
    if not settings.previous_data_keys_bytes:
        err.print(
            "Set DATA_ENCRYPTION_KEY to the new key and DATA_ENCRYPTION_KEY_PREVIOUS to the "
            "old one (on every process), then run this again."
        )
        raise typer.Exit(2)
    report = run_application(
        lambda services: operations.reencrypt(
            services, Operator("cli"), batch_size=batch_size, progress=_progress
        ),
        settings=settings,
    )
    _summary(report, "re-encrypted")
    if not report.unreadable:
        out.print(
            "Nothing is left under an earlier key: remove DATA_ENCRYPTION_KEY_PREVIOUS "
            "and restart every process."
        )


@rotate_app.command("nik-hash")
def rotate_nik_hash(batch_size: BatchSize = 1000) -> None:
    """Re-hash under NIK_HASH_KEY every lookup hash NIK_HASH_KEY_PREVIOUS made.

    Stop the api, the worker and the bot first: until a person is re-hashed, a status check
    does not find them. Run it again to resume after an interruption.
    """
    from api.application import operations
    from api.application.principals import Operator

    settings = load_settings()
    previous = settings.previous_nik_hash_key_bytes
    if previous is None:
        err.print(
            "Set NIK_HASH_KEY to the new key and NIK_HASH_KEY_PREVIOUS to the old one, "
            "then run this again."
        )
        raise typer.Exit(2)
    report = run_application(
        lambda services: operations.rehash(
            services,
            Operator("cli"),
            previous_hash_key=previous,
            batch_size=batch_size,
            progress=_progress,
        ),
        settings=settings,
    )
    _summary(report, "re-hashed")
    if not report.unreadable:
        out.print("Every hash is under the new key: remove NIK_HASH_KEY_PREVIOUS and start.")


def _progress(report) -> None:
    err.print(f"  {report.name}: {report.examined} rows read, {report.rewritten} rewritten")


def _summary(report, verb: str) -> None:
    for done in report.passes:
        out.print(
            f"{done.name}: {done.examined} read, {done.rewritten} {verb}, "
            f"{done.unreadable} under neither key."
        )
    if report.unreadable:
        err.print(
            f"{report.unreadable} rows open under neither key and were left as they are: "
            "check the keys in the settings (`bansos verify-data` names the rows)."
        )
        raise typer.Exit(1)


def verify_data(
    sample: Annotated[
        int, typer.Option(min=1, help="People and complaints to open with the keys")
    ] = 200,
    attachments: Annotated[
        int, typer.Option(min=0, help="Attachment files to compare with their SHA-256; 0 = all")
    ] = 200,
) -> None:
    """Check that the database, the attachments and the keys belong together (after a restore)."""
    from api.application import operations
    from api.application.principals import Operator

    result = run_application(
        lambda services: operations.check_data(
            services, Operator("cli"), sample=sample, attachments=attachments or None
        )
    )
    out.print(
        f"Schema {result.schema_revision}; {result.beneficiaries} beneficiaries, "
        f"{result.complaints} complaints, {result.attachments} attachments, "
        f"{result.administrators} active administrators.",
        highlight=False,
    )
    out.print(
        f"Checked {result.people_checked} people and {result.complaints_checked} complaints "
        f"with the keys, {result.attachments_checked} attachment files.",
        highlight=False,
    )
    for problem in result.problems:
        err.print(f"[red]Problem:[/] {problem}", highlight=False)
    if not result.ok:
        raise typer.Exit(1)
    out.print("The database, the attachments and the keys belong together.")
