"""Seeds a registry with the synthetic demo population, through the real import path."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from api.domain.eligibility import EligibilityRules
from api.domain.pilot_config import PilotConfig
from api.domain.protection import Protector
from api.domain.regions import RegionCodes
from api.domain.registry_import import ImportReport, import_beneficiaries, import_disbursements
from demo import population


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
        stages = await import_disbursements(
            engine, disbursements, **common, today=population.DEMO_TODAY
        )
    return SeedOutcome(people, stages, population.demo_personas(districts))
