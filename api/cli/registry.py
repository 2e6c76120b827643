"""``import beneficiaries`` and ``import disbursements``: registry files into the database.

Exit codes: 0 every row accepted, 1 some rows rejected (the rest landed), 2 nothing imported.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from api.cli.common import err, load_settings, out, run_application

import_app = typer.Typer(
    help="Import registry files (UTF-8 CSV with a header row).", no_args_is_help=True
)


def _run_import(kind: str, file: Path, errors_file: Path | None, *, replace: bool = False) -> None:
    from api.application import registry
    from api.application.principals import Operator

    if not file.is_file():
        err.print(f"[red]No such file:[/] {file}")
        raise typer.Exit(2)
    settings = load_settings()
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

    task = progress.add_task(f"Importing {kind}", total=file.stat().st_size)
    try:
        with progress:
            report = run_application(
                lambda services: registry.import_registry(
                    services,
                    Operator("cli"),
                    registry.RegistryFile(kind),
                    file,
                    on_error=on_error,
                    on_progress=lambda done, total: progress.update(task, completed=done),
                    replace=replace,
                ),
                settings=settings,
            )
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
    removed = f", {report.removed} removed (not in the file)" if replace else ""
    out.print(
        f"{report.rows} rows read: {report.inserted} added, {report.updated} updated, "
        f"{report.unchanged} unchanged{removed}, {report.rejected} rejected."
    )
    if report.rejected:
        raise typer.Exit(1)


ErrorsFile = Annotated[
    Path | None,
    typer.Option("--errors-file", help="Write every rejected row (line and reason) to this file"),
]


def import_beneficiaries_command(
    file: Annotated[
        Path, typer.Argument(help="nik,no_kk,nama,kode_wilayah,desil,program,keterangan")
    ],
    errors_file: ErrorsFile = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="The file becomes the whole registry (PostgreSQL): loaded beside the current "
            "one, which keeps answering status checks, then swapped in at once; people not in "
            "the file are removed, the disbursements of those who stay are kept",
        ),
    ] = False,
) -> None:
    """Import beneficiaries. Exit 0: all rows accepted; 1: some rejected; 2: nothing imported."""
    _run_import("beneficiaries", file, errors_file, replace=replace)


def import_disbursements_command(
    file: Annotated[
        Path, typer.Argument(help="nik,program,tahun,tahap,tahapan,status,penyalur,nominal,tanggal")
    ],
    errors_file: ErrorsFile = None,
) -> None:
    """Import disbursements. Exit 0: all rows accepted; 1: some rejected; 2: nothing imported."""
    _run_import("disbursements", file, errors_file)


import_app.command("beneficiaries")(import_beneficiaries_command)
import_app.command("disbursements")(import_disbursements_command)
