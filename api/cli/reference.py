"""``load-reference``: region codes, the pilot configuration and complaint categories."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import err, load_settings, out


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
