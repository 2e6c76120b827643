"""``load-reference``: region codes, the pilot configuration and complaint categories."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import err, load_settings, out, refusal_line


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
    counts = asyncio.run(
        load_reference_into(load_settings(), pilot_file, reset_routing=reset_routing)
    )
    out.print(
        f"Loaded {counts.provinces} provinces, {counts.regencies} kabupaten/kota, "
        f"{counts.districts} kecamatan, {counts.coordination_regions} coordination "
        f"regions, {counts.pilot_regencies} pilot kabupaten/kota, {counts.offices} offices, "
        f"{counts.categories} complaint categories."
    )


async def load_reference_into(settings, pilot_file: Path | None, *, reset_routing: bool = False):
    """Load the reference data into ``settings``' database; a refused pilot file exits 2."""
    from api.application import registry
    from api.application.errors import AppError
    from api.application.principals import Operator
    from api.services import open_services

    async with open_services(settings) as services:
        try:
            return await registry.load_reference(
                services, Operator("cli"), pilot_file=pilot_file, reset_routing=reset_routing
            )
        except AppError as error:
            err.print(f"[red]{refusal_line(error)}[/]", highlight=False)
            raise typer.Exit(2) from None
