"""The operator loads what the service knows: region codes, the pilot's offices and
categories, the beneficiary registry and its disbursements."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from api.application import statistics
from api.application.errors import AppError, Refusal
from api.application.principals import Operator
from api.domain.pilot_config import PilotConfigError, load_pilot_config
from api.domain.reference_data import ReferenceCounts, load_reference_data
from api.domain.registry_import import (
    ImportFormatError,
    ImportReport,
    ReplacementUnavailable,
    import_beneficiaries,
    import_disbursements,
    replace_beneficiaries,
)
from api.services import Services


class RegistryFile(StrEnum):
    BENEFICIARIES = "beneficiaries"
    DISBURSEMENTS = "disbursements"


async def load_reference(
    services: Services,
    operator: Operator,
    *,
    pilot_file: Path | None = None,
    reset_routing: bool = False,
) -> ReferenceCounts:
    """Regions, the pilot configuration and the complaint categories (idempotent). A reload
    keeps an office type an administrator changed unless ``reset_routing``."""
    try:
        pilot = load_pilot_config(pilot_file)
    except PilotConfigError as error:
        raise AppError(
            Refusal.INVALID, "pilot_refused", "staff.pilot_refused", params={"reason": str(error)}
        ) from None
    async with services.engine.begin() as conn:
        counts = await load_reference_data(
            conn, regions=services.regions, pilot=pilot, reset_routing=reset_routing
        )
    services.directory.invalidate()
    return counts


async def import_registry(
    services: Services,
    operator: Operator,
    kind: RegistryFile,
    file: Path,
    *,
    on_error: Callable[[object], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    replace: bool = False,
) -> ImportReport:
    """Import a beneficiaries or disbursements CSV: every row checked, the good ones
    written, each rejected one reported through ``on_error`` (its line and reason).

    ``replace`` (beneficiaries, PostgreSQL): the file becomes the whole registry, loaded
    beside the current one and swapped in at once (``registry_import.replacement``).
    """
    if replace and kind != RegistryFile.BENEFICIARIES:
        raise AppError(Refusal.INVALID, "replace_beneficiaries_only", "staff.replace_only_people")
    if replace:
        importer = replace_beneficiaries
    elif kind == RegistryFile.BENEFICIARIES:
        importer = import_beneficiaries
    else:
        importer = import_disbursements
    try:
        return await importer(
            services.engine,
            file,
            protector=services.protector,
            regions=services.regions,
            rules=services.rules,
            on_error=on_error,
            on_progress=on_progress,
        )
    except ReplacementUnavailable:
        raise AppError(
            Refusal.INVALID, "replace_needs_postgresql", "staff.replace_needs_postgresql"
        ) from None
    except ImportFormatError as error:
        raise AppError(
            Refusal.INVALID, "import_stopped", "staff.import_stopped", params={"reason": str(error)}
        ) from None
    finally:
        # The chunks written before a stop stay (see registry_import), so the hotspots'
        # denominators are recounted whether the import finished or stopped part-way (a
        # replacement either swapped or left the registry as it was: recounting is harmless).
        if kind == RegistryFile.BENEFICIARIES:
            await statistics.refresh_hotspot_denominators(services)
