"""The status card: each programme's disbursement stages, a failure among them, and no
"follow the stages below" where none follow."""

from __future__ import annotations

import pytest

from tests.bot.test_status_dialog import status_answer
from tests.registry_support import KK, SITI, RegistryRows


@pytest.fixture
def registry_rows() -> RegistryRows:
    # Siti's Sembako top-up of tahap IV failed at the bank and went on through PT Pos;
    # her PKH has no stage on record yet.
    return RegistryRows(
        beneficiaries=(f"{SITI},{KK},Siti Aminah,351001,3,PKH;SEMBAKO,",),
        disbursements=(
            f"{SITI},SEMBAKO,2026,4,SI,SUKSES,BNI,600000,2026-10-10",
            f"{SITI},SEMBAKO,2026,4,TOPUP,GAGAL,BNI,600000,2026-10-25",
            f"{SITI},SEMBAKO,2026,4,TRANSAKSI,PROSES,POS,600000,2026-11-02",
        ),
    )


def programme_part(answer, name: str) -> str:
    [part] = [p for p in answer.plain_text.split("\n\n") if p.startswith(name)]
    return part


async def test_the_card_shows_a_failed_stage_as_well_as_the_latest(citizen, registry):
    answer = await status_answer(citizen)

    sembako = programme_part(answer, "Sembako/BPNT")
    assert "⚠️ Tahap IV 2026: Pengisian saldo (top-up) — gagal (Bank BNI" in sembako
    assert "• Tahap IV 2026: Penarikan oleh penerima — sedang diproses (PT Pos" in sembako
    assert sembako.index("gagal") < sembako.index("sedang diproses")


async def test_follow_the_stages_appears_only_where_stages_follow(citizen, registry):
    answer = await status_answer(citizen)

    pkh = programme_part(answer, "PKH")
    sembako = programme_part(answer, "Sembako/BPNT")
    assert "di bawah" not in answer.plain_text
    assert "Tahap penyaluran:" not in pkh
    assert "Belum ada tahap penyaluran yang tercatat." in pkh
    assert sembako.index("Tahap penyaluran:") < sembako.index("Tahap IV 2026")
