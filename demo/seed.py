"""Seeds the demo: the synthetic population into the registry, through the real import path;
then what the console shows (accounts, complaints, response templates)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.eligibility import EligibilityRules
from api.domain.pilot_config import PilotConfig
from api.domain.protection import Protector
from api.domain.regions import RegionCodes
from api.domain.registry_import import ImportReport, import_beneficiaries, import_disbursements
from api.domain.statistics.hotspots import refresh_beneficiaries
from api.services import Services
from demo import population
from demo.complaints import SeededComplaints, seed_demo_complaints
from demo.staff import DemoAccount, ensure_demo_accounts
from demo.templates import seed_response_templates


@dataclass(frozen=True)
class SeedOutcome:
    people: ImportReport
    stages: ImportReport
    personas: list[population.Persona]


def pilot_district_codes(pilot: PilotConfig, regions: RegionCodes) -> list[str]:
    return [d.code for r in pilot.regencies for d in regions.districts_of(r.code)]


async def seed_demo_population(
    engine: AsyncEngine,
    *,
    protector: Protector,
    regions: RegionCodes,
    rules: EligibilityRules,
    pilot: PilotConfig,
    families: int,
    seed: int,
) -> SeedOutcome:
    """Generate the population into CSV files and import them (idempotent for a seed)."""
    districts = pilot_district_codes(pilot, regions)
    with tempfile.TemporaryDirectory(prefix="bansos-seed-") as tmp:
        beneficiaries, disbursements = Path(tmp, "beneficiaries.csv"), Path(tmp, "disb.csv")
        population.write_csvs(
            beneficiaries, disbursements, district_codes=districts, families=families, seed=seed
        )
        common = {"protector": protector, "regions": regions, "rules": rules}
        people = await import_beneficiaries(engine, beneficiaries, **common)
        # The hotspots' denominators follow the registry (api.application.registry does
        # the same after an operator's import).
        await refresh_beneficiaries(engine=engine)
        stages = await import_disbursements(
            engine, disbursements, **common, today=population.DEMO_TODAY
        )
    return SeedOutcome(people, stages, population.demo_personas(districts))


@dataclass(frozen=True)
class ConsoleSeed:
    accounts: tuple[DemoAccount, ...]
    complaints: SeededComplaints
    templates: int


async def seed_demo_console(
    services: Services, personas: Sequence[population.Persona]
) -> ConsoleSeed:
    """What the console shows in the demo: its staff accounts, complaints in every state,
    response templates. Each part is added once; a second run adds nothing."""
    accounts = await ensure_demo_accounts(services)
    complaints = await seed_demo_complaints(
        services, niks={persona.key: persona.nik for persona in personas}
    )
    return ConsoleSeed(accounts, complaints, await seed_response_templates(services))
