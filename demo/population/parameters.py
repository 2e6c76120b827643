"""The fixed inputs of the synthetic population: the demo's date, the programmes and
exclusions read from the eligibility rules, the amounts paid, the stages of a
disbursement, and the relation codes of a family card."""

from __future__ import annotations

from datetime import date

from api.domain.eligibility import default_rules

DEMO_TODAY = date(2026, 11, 23)

# --- rules: read from api/data/eligibility.yaml, so the demo follows the rules file ------
_RULES = default_rules()
PROGRAMMES = tuple(_RULES.programmes)
MAX_DESIL = {code: spec.max_desil for code, spec in _RULES.programmes.items()}
CASH_PROGRAMMES = tuple(code for code, spec in _RULES.programmes.items() if spec.cash)
CASH = frozenset(CASH_PROGRAMMES)
# In the rules' order of precedence.
EXCLUSION_CLOSES: dict[str, frozenset[str]] = dict(_RULES.exclusions)
EXCLUSION_RANK = {code: i for i, code in enumerate(EXCLUSION_CLOSES)}

SEMBAKO_PER_TAHAP = 600_000
BLT_PER_TAHAP = 900_000
BLT_TAHAP = 4
PKH_PREGNANT = 3_000_000
PKH_EARLY_CHILDHOOD = 3_000_000  # age 0-6
PKH_SD = 900_000  # age 7-12
PKH_SMP = 1_500_000  # age 13-15
PKH_SMA = 2_000_000  # age 16-18
PKH_DISABILITY = 2_400_000  # severe disability
PKH_ELDERLY = 2_400_000  # age 70+

STAGES = ("PENETAPAN", "BUREKOL", "CEK_REKENING", "SPM", "SI", "TOPUP", "TRANSAKSI")
POS_STAGES = ("PENETAPAN", "SPM", "TRANSAKSI")
BANKS = ("BRI", "BNI", "MANDIRI")
ACEH = "11"  # province served by BSI (Islamic banking only)

HEAD = "KEPALA_KELUARGA"
WIFE = "ISTRI"
HUSBAND = "SUAMI"
CHILD = "ANAK"
PARENT = "ORANG_TUA"
