"""A synthetic population for demos and benchmarks: families, persons, enrolments and 2026
disbursement histories, written as the two registry CSV imports.

Everything here is made up. Names are random combinations from ``demo/data/demo_names.yaml``;
NIKs and family card numbers are structurally valid but invented.

Pure and deterministic: all randomness comes from one ``random.Random(seed)``; the only I/O
is reading the packaged name list (and writing files in :func:`write_csvs`). The same seed
and inputs give byte-identical output.

Streaming: families are generated one at a time, so memory stays flat however large the
population. The only state that grows is one counter per NIK-issuing kecamatan (see
:class:`demo.population.numbers.SerialAllocator`): at most ``len(district_codes) + 1``
integers, plus the personas' few numbers. 1,000,000 persons stream in about 25 s at ~17 MB RSS.

Model, briefly (the rules are mirrored from ``api/data/eligibility.yaml``; a test checks
that they agree):

* A family has 1-6 members, head first, a desil (1-10, ~2% not ranked) shared by all
  members, and a kecamatan of domicile from ``district_codes``.
* Enrolment: a family with desil <= 4 is *designated* with probability 0.85 (the other 15%
  are the "usul" case: eligible but not enrolled). A designated family gets SEMBAKO, PKH when
  it has a PKH component, and sometimes (12%) BLT, all on the head. PBI_JK goes to every
  member of a family with desil <= 5 that is designated for it (every cash-designated
  family, 88% of the others). A person is never enrolled in a programme one of their
  exclusion codes closes.
* Exclusions: ASN_TNI_POLRI, GAJI_BPJS and LISTRIK_DI_ATAS_1300VA describe the household
  and are written on every member; TRANSAKSI_JUDI_ONLINE on the head (the account holder);
  MENINGGAL, DUKCAPIL_BELUM_PADAN and GANDA on single persons. About 4% of persons carry one.
* PKH component per member (the largest that applies, deceased members not counted):
  pregnant 3,000,000/yr; age 0-6 3,000,000; 7-12 900,000; 13-15 1,500,000; 16-18
  2,000,000; severe disability 2,400,000; 70+ 2,400,000. Per tahap: the family sum / 4.
* Disbursements (cash programmes only) for tahap that have started by ``today``: past
  tahap run PENETAPAN -> ... -> TRANSAKSI SUKSES; the current tahap stops at varied stages.
  ~2% BUREKOL GAGAL and ~2% TOPUP GAGAL, then possibly a re-route to PT Pos. Every
  (nik, program, tahap) has at most one row per stage, stages strictly in order with
  non-decreasing dates, at most one GAGAL, and only POS rows after it.

Rooms, one topic each: :mod:`parameters` (the fixed inputs), :mod:`records` (what comes
out), :mod:`numbers` (NIK/KK allocation), :mod:`names`, :mod:`enrolment`,
:mod:`disbursements`, :mod:`personas`, :mod:`families` (the random ones and the stream) and
:mod:`csv_rows` (the import files).
"""

from __future__ import annotations

from api.domain.registry_import.rows import BENEFICIARY_COLUMNS, DISBURSEMENT_COLUMNS
from demo.population.csv_rows import beneficiary_rows, disbursement_rows, write_csvs
from demo.population.enrolment import pkh_annual_component
from demo.population.families import generate_population
from demo.population.names import NAMES_PATH
from demo.population.numbers import CAPACITY_PER_DISTRICT
from demo.population.parameters import (
    DEMO_TODAY,
    EXCLUSION_CLOSES,
    MAX_DESIL,
    POS_STAGES,
    STAGES,
)
from demo.population.personas import PERSONAS, demo_personas
from demo.population.records import (
    DemoCounts,
    DemoDisbursement,
    DemoFamily,
    DemoPerson,
    Persona,
    PersonaSpec,
)

__all__ = [
    "BENEFICIARY_COLUMNS",
    "CAPACITY_PER_DISTRICT",
    "DEMO_TODAY",
    "DISBURSEMENT_COLUMNS",
    "DemoCounts",
    "DemoDisbursement",
    "DemoFamily",
    "DemoPerson",
    "EXCLUSION_CLOSES",
    "MAX_DESIL",
    "NAMES_PATH",
    "PERSONAS",
    "POS_STAGES",
    "Persona",
    "PersonaSpec",
    "STAGES",
    "beneficiary_rows",
    "demo_personas",
    "disbursement_rows",
    "generate_population",
    "pkh_annual_component",
    "write_csvs",
]
