"""Complaint categories as data, and how reloading treats a routing rule changed by an admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from api.domain.complaints.categories import CategoryConfigError, load_categories
from api.domain.pilot_config import load_pilot_config
from api.domain.reference_data import load_reference_data
from api.models import ComplaintCategory


def test_the_file_holds_every_kind_a_citizen_needs():
    categories = {category.code: category for category in load_categories()}

    assert list(categories) == [
        "USUL",
        "SANGGAH",
        "BANTUAN_TIDAK_DITERIMA",
        "NOMINAL_TIDAK_SESUAI",
        "PUNGLI",
        "DATA_SALAH",
        "KARTU_REKENING",
        "LAINNYA",
    ]
    assert categories["PUNGLI"].office_type == "INSPEKTORAT"
    assert not categories["PUNGLI"].requires_subject_nik
    assert categories["DATA_SALAH"].office_type == "DUKCAPIL"
    assert categories["KARTU_REKENING"].resolve_days == 5
    assert categories["SANGGAH"].resolve_days == 14
    assert categories["USUL"].label_in("en") == "Propose a recipient (not registered)"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{code: X1, office_type: POLISI, deadline_tier: SIMPLE}", "office_type must be one of"),
        ("{code: X1, office_type: DINSOS, deadline_tier: FAST}", "deadline_tier must be one of"),
        (
            "{code: X1, office_type: DINSOS, deadline_tier: SIMPLE, label: {id: Satu}}",
            "'label' needs non-empty 'id' and 'en'",
        ),
        (
            "{code: X1, office_type: DINSOS, deadline_tier: SIMPLE, public_description: 1}",
            "public_description must be true or false",
        ),
    ],
)
def test_a_bad_entry_is_refused_naming_the_category(tmp_path: Path, entry, message):
    path = tmp_path / "c.yaml"
    path.write_text(f"version: 1\ncategories:\n  - {entry}\n")

    with pytest.raises(CategoryConfigError, match=message) as refused:
        load_categories(path)
    assert "X1" in str(refused.value)


async def test_reloading_keeps_a_routing_rule_an_admin_changed_unless_reset(services):
    table = ComplaintCategory.__table__
    async with services.engine.begin() as conn:
        await conn.execute(
            update(table).where(table.c.code == "LAINNYA").values(office_type="INSPEKTORAT")
        )
        await load_reference_data(conn, regions=services.regions, pilot=load_pilot_config())
        kept = (
            await conn.execute(select(table.c.office_type).where(table.c.code == "LAINNYA"))
        ).scalar_one()
        await load_reference_data(
            conn, regions=services.regions, pilot=load_pilot_config(), reset_routing=True
        )
        reset = (
            await conn.execute(select(table.c.office_type).where(table.c.code == "LAINNYA"))
        ).scalar_one()

    assert (kept, reset) == ("INSPEKTORAT", "DINSOS")
