"""The synthetic demo population (demo/population/)."""

from __future__ import annotations

import csv
import os
import sys
import tracemalloc
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml

from demo.population import (
    BENEFICIARY_COLUMNS,
    CAPACITY_PER_DISTRICT,
    DEMO_TODAY,
    DISBURSEMENT_COLUMNS,
    EXCLUSION_CLOSES,
    MAX_DESIL,
    NAMES_PATH,
    PERSONAS,
    POS_STAGES,
    STAGES,
    DemoFamily,
    beneficiary_rows,
    demo_personas,
    disbursement_rows,
    generate_population,
    pkh_annual_component,
    write_csvs,
)

try:  # written by someone else; used when present
    from api.domain.nik import parse_nik
except ImportError:  # pragma: no cover
    parse_nik = None

DATA = Path(__file__).resolve().parents[2] / "api" / "data"


def _districts(*regencies: str) -> list[str]:
    with (DATA / "regions" / "districts.csv").open(encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f) if row["regency_code"] in regencies]


DISTRICTS = _districts("3510", "1872")  # Kab. Banyuwangi, Kota Metro
ACEH_DISTRICTS = _districts("1101")
CASH = {"PKH", "SEMBAKO", "BLT"}
HEAD_ONLY = {"PKH", "SEMBAKO", "BLT"}
STAGE_RANK = {stage: i for i, stage in enumerate(STAGES)}


@pytest.fixture(scope="module")
def population() -> list[DemoFamily]:
    """About 20,000 persons (plus the personas)."""
    families = list(generate_population(district_codes=DISTRICTS, families=5_500, seed=7))
    assert sum(len(f.members) for f in families) >= 19_000
    return families


@pytest.fixture(scope="module")
def persons(population):
    return [(f, p) for f in population for p in f.members]


def _age(birth: date, today: date = DEMO_TODAY) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _nik_birth(nik: str, today: date = DEMO_TODAY) -> tuple[date, bool]:
    """Checks the NIK's structure independently of the generator; returns (birth, female)."""
    assert len(nik) == 16 and nik.isascii() and nik.isdigit()
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    assert 1 <= mm <= 12
    assert 1 <= dd <= 31 or 41 <= dd <= 71
    female = dd > 40
    day = dd - 40 if female else dd
    year = 2000 + yy if (2000 + yy, mm, day) <= (today.year, today.month, today.day) else 1900 + yy
    born = date(year, mm, day)  # raises if the date does not exist
    assert nik[12:] != "0000"
    return born, female


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_and_inputs_give_byte_identical_csvs(tmp_path):
    outputs = []
    for run in range(2):
        b, d = tmp_path / f"b{run}.csv", tmp_path / f"d{run}.csv"
        write_csvs(b, d, district_codes=DISTRICTS, families=1_500, seed=11)
        outputs.append((b.read_bytes(), d.read_bytes()))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][1]) > 10_000


def test_different_seeds_give_different_populations(tmp_path):
    digests = set()
    for seed in (1, 2):
        b, d = tmp_path / f"b{seed}.csv", tmp_path / f"d{seed}.csv"
        write_csvs(b, d, district_codes=DISTRICTS, families=300, seed=seed)
        digests.add((b.read_bytes(), d.read_bytes()))
    assert len(digests) == 2


def test_csv_files_have_exactly_the_import_columns_and_match_the_row_iterators(tmp_path):
    b, d = tmp_path / "b.csv", tmp_path / "d.csv"
    counts = write_csvs(b, d, district_codes=DISTRICTS, families=200, seed=3)
    with b.open(encoding="utf-8", newline="") as f:
        ben = list(csv.DictReader(f))
    with d.open(encoding="utf-8", newline="") as f:
        dis = list(csv.DictReader(f))
    assert tuple(ben[0]) == BENEFICIARY_COLUMNS
    assert tuple(dis[0]) == DISBURSEMENT_COLUMNS
    assert ben == list(beneficiary_rows(district_codes=DISTRICTS, families=200, seed=3))
    assert dis == list(disbursement_rows(district_codes=DISTRICTS, families=200, seed=3))
    assert (counts.persons, counts.disbursements) == (len(ben), len(dis))
    assert counts.families == 200 + len(PERSONAS)
    assert all(isinstance(v, str) for row in ben + dis for v in row.values())


# --- NIK and KK ------------------------------------------------------------------------------


def test_niks_are_unique_and_structurally_valid(persons):
    niks = [p.nik for _, p in persons]
    assert len(niks) == len(set(niks))
    for _, p in persons:
        born, female = _nik_birth(p.nik)
        assert (born, female) == (p.birth_date, p.female)
        if parse_nik is not None:
            parsed = parse_nik(p.nik, today=DEMO_TODAY)
            assert parsed.birth_date == p.birth_date
            assert parsed.sex == ("P" if p.female else "L")


def test_nik_is_usually_issued_in_the_familys_own_kecamatan(persons):
    home = sum(p.nik[:6] == f.district_code for f, p in persons)
    assert 0.85 < home / len(persons) < 0.99
    assert {p.nik[:6] for _, p in persons} <= set(DISTRICTS) | {"910101"}


def test_family_card_numbers_are_shared_by_the_family_and_unique_per_family(population):
    kks = [f.no_kk for f in population]
    assert len(kks) == len(set(kks))
    niks = {p.nik for f in population for p in f.members}
    for f in population:
        assert len(f.no_kk) == 16 and f.no_kk.isdigit()
        assert f.no_kk[:6] == f.district_code
        issued, female = _nik_birth(f.no_kk)  # same DDMMYY + serial layout, never +40
        assert not female and issued <= DEMO_TODAY
        assert f.no_kk not in niks
        assert {row["no_kk"] for row in f.beneficiary_rows()} == {f.no_kk}


def test_capacity_per_kecamatan_is_stated_and_large():
    assert CAPACITY_PER_DISTRICT > 1_000_000


@pytest.mark.parametrize("codes", [[], ["3510"], ["35100"], ["35a001"]])
def test_district_codes_must_be_six_digit_kecamatan_codes(codes):
    with pytest.raises(ValueError):
        generate_population(district_codes=codes, families=1)


def test_dotted_district_codes_are_accepted_as_input():
    family = next(
        generate_population(district_codes=["35.10.01"], families=1, include_personas=False)
    )
    assert family.district_code == "351001"


# --- families, regions, names --------------------------------------------------------------


def test_families_have_one_to_six_members_head_first(population):
    sizes = Counter(len(f.members) for f in population)
    assert set(sizes) == {1, 2, 3, 4, 5, 6}
    for f in population:
        assert f.members[0].relation == "KEPALA_KELUARGA"
        assert all(p.relation != "KEPALA_KELUARGA" for p in f.members[1:])


def test_kode_wilayah_is_the_home_kecamatan_sometimes_dotted(population):
    dotted = 0
    for f in population:
        assert f.district_code in DISTRICTS
        assert f.kode_wilayah.replace(".", "") == f.district_code
        if "." in f.kode_wilayah:
            assert (
                f.kode_wilayah == f"{f.district_code[:2]}.{f.district_code[2:4]}."
                f"{f.district_code[4:]}"
            )
            dotted += 1
    assert 0.05 < dotted / len(population) < 0.15


def test_names_are_uppercase_ktp_style_of_one_to_three_words(persons):
    for _, p in persons:
        words = p.nama.split(" ")
        assert 1 <= len(words) <= 3 and all(words)
        assert p.nama == p.nama.upper()
        assert all(ch.isalpha() or ch in " .'" for ch in p.nama)
    assert len({p.nama for _, p in persons}) > 2_000


def test_name_list_has_a_few_hundred_names_from_across_indonesia():
    raw = yaml.safe_load(NAMES_PATH.read_text(encoding="utf-8"))
    given = {n for g in raw["groups"].values() for key in ("male", "female") for n in g[key]}
    second = {
        n
        for g in raw["groups"].values()
        for key in ("male_second", "female_second", "surnames")
        for n in g.get(key, ())
    }
    assert len(given) >= 300 and len(second) >= 150
    assert {"JAWA", "SUNDA", "BATAK", "MINANG", "BUGIS", "SASAK", "BALI", "MADURA"} <= set(
        raw["groups"]
    )
    for name in given | second:
        assert name == name.upper() and 1 <= len(name.split()) <= 2


# --- desil and enrolment ---------------------------------------------------------------------


def test_desil_spread_is_plausible_and_skewed_to_the_poor(population):
    desils = Counter(f.desil for f in population)
    assert set(desils) == {None, *range(1, 11)}
    assert 0.01 < desils[None] / len(population) < 0.035
    low = sum(desils[d] for d in (1, 2, 3, 4))
    high = sum(desils[d] for d in (7, 8, 9, 10))
    assert low > 1.5 * high
    for f in population:
        expected = "" if f.desil is None else str(f.desil)
        assert {row["desil"] for row in f.beneficiary_rows()} == {expected}


def test_enrolments_respect_desil_limits_exclusions_and_who_is_enrolled(persons):
    for family, p in persons:
        closed = set().union(*(EXCLUSION_CLOSES[c] for c in p.exclusions))
        for programme in p.programmes:
            assert family.desil is not None and family.desil <= MAX_DESIL[programme]
            assert programme not in closed
            if programme in HEAD_ONLY:
                assert p.relation == "KEPALA_KELUARGA"
        if "PKH" in p.programmes:
            assert "SEMBAKO" in p.programmes or "SEMBAKO" in closed


def test_pbi_jk_covers_every_unexcluded_member_of_an_enrolled_family(population):
    for f in population:
        enrolled = [("PBI_JK" in p.programmes) for p in f.members]
        if any(enrolled):
            for p, has in zip(f.members, enrolled, strict=True):
                closed = set().union(*(EXCLUSION_CLOSES[c] for c in p.exclusions))
                assert has == ("PBI_JK" not in closed)


def test_some_eligible_families_are_not_designated_the_usul_case(population):
    eligible = [
        f
        for f in population
        if f.desil is not None and f.desil <= 4 and not any(p.exclusions for p in f.members)
    ]
    not_designated = [f for f in eligible if "SEMBAKO" not in f.members[0].programmes]
    assert 0.10 < len(not_designated) / len(eligible) < 0.20
    # Some of them get nothing at all; the others still have PBI-JK.
    nothing = [f for f in not_designated if not any(p.programmes for p in f.members)]
    assert 0 < len(nothing) < len(not_designated)


def test_pkh_only_for_families_with_a_component_and_blt_for_a_small_share(population):
    with_pkh = blt = designated = 0
    for f in population:
        head = f.members[0]
        living = [p for p in f.members if "MENINGGAL" not in p.exclusions]
        component = sum(
            pkh_annual_component(
                _age(p.birth_date), pregnant=p.pregnant, severe_disability=p.severe_disability
            )
            for p in living
        )
        if "PKH" in head.programmes:
            with_pkh += 1
            assert component > 0
        if "SEMBAKO" in head.programmes:
            designated += 1
            blt += "BLT" in head.programmes
    assert with_pkh > 500
    assert 0.05 < blt / designated < 0.2


def test_pkh_components_follow_the_published_amounts():
    assert pkh_annual_component(0) == pkh_annual_component(6) == 3_000_000
    assert pkh_annual_component(7) == pkh_annual_component(12) == 900_000
    assert pkh_annual_component(13) == pkh_annual_component(15) == 1_500_000
    assert pkh_annual_component(16) == pkh_annual_component(18) == 2_000_000
    assert pkh_annual_component(19) == pkh_annual_component(69) == 0
    assert pkh_annual_component(70) == 2_400_000
    assert pkh_annual_component(30, pregnant=True) == 3_000_000
    assert pkh_annual_component(40, severe_disability=True) == 2_400_000


def test_exclusions_are_a_small_realistic_share_with_every_code(persons):
    excluded = [p for _, p in persons if p.exclusions]
    assert 0.025 < len(excluded) / len(persons) < 0.06
    assert {c for p in excluded for c in p.exclusions} == set(EXCLUSION_CLOSES)
    for p in excluded:  # in the rules' order of precedence, no repeats
        order = list(EXCLUSION_CLOSES)
        assert list(p.exclusions) == sorted(set(p.exclusions), key=order.index)


# --- disbursements ---------------------------------------------------------------------------


def _tahap_window(tahap: int) -> tuple[date, date]:
    start = date(2026, 3 * tahap - 2, 1)
    end = date(2026, 12, 31) if tahap == 4 else date(2026, 3 * tahap + 1, 1).replace(day=1)
    if tahap != 4:
        end = date.fromordinal(end.toordinal() - 1)
    return start, end


def test_only_enrolled_heads_of_cash_programmes_have_disbursements_never_pbi_jk(population):
    for f in population:
        head = f.members[0]
        for d in f.disbursements:
            assert d.program in CASH and d.program != "PBI_JK"
            assert d.nik == head.nik and d.program in head.programmes
        paid = {d.program for d in f.disbursements}
        assert paid <= set(head.programmes)


def test_stages_are_in_order_with_nothing_after_gagal_but_a_pos_reroute(population):
    per_tahap = defaultdict(list)
    for f in population:
        for d in f.disbursements:
            per_tahap[(d.nik, d.program, d.tahun, d.tahap)].append(d)
    assert per_tahap
    for (_, program, tahun, tahap), rows in per_tahap.items():
        assert tahun == 2026 and 1 <= tahap <= 4
        start, end = _tahap_window(tahap)
        ranks = [STAGE_RANK[d.tahapan] for d in rows]
        assert ranks == sorted(set(ranks)), "one row per stage, in stage order"
        assert rows[0].tahapan == "PENETAPAN"
        dates = [d.tanggal for d in rows]
        assert dates == sorted(dates) and start <= dates[0] and dates[-1] <= min(end, DEMO_TODAY)
        assert len({d.nominal for d in rows}) == 1
        statuses = [d.status for d in rows]
        assert statuses.count("GAGAL") <= 1
        if "GAGAL" in statuses:
            failed = statuses.index("GAGAL")
            assert rows[failed].tahapan in ("BUREKOL", "TOPUP")
            assert rows[failed].penyalur != "POS"
            assert all(d.penyalur == "POS" for d in rows[failed + 1 :])
            tail = rows[:failed]
        else:
            tail = rows
        assert all(d.status == "SUKSES" for d in tail[:-1])
        assert len({d.penyalur for d in tail}) == 1
        if tail[0].penyalur == "POS":
            assert {d.tahapan for d in tail} <= set(POS_STAGES)
        if program == "BLT":
            assert tahap == 4 and rows[0].nominal == 900_000
        if program == "SEMBAKO":
            assert rows[0].nominal == 600_000
        if end < DEMO_TODAY:  # a past tahap was paid out
            assert (rows[-1].tahapan, rows[-1].status) == ("TRANSAKSI", "SUKSES")


def test_pkh_amount_is_the_sum_of_member_components_over_four(population):
    for f in population:
        pkh = [d for d in f.disbursements if d.program == "PKH"]
        if pkh:
            living = [p for p in f.members if "MENINGGAL" not in p.exclusions]
            annual = sum(
                pkh_annual_component(
                    _age(p.birth_date), pregnant=p.pregnant, severe_disability=p.severe_disability
                )
                for p in living
            )
            assert {d.nominal for d in pkh} == {annual // 4}


def test_current_tahap_stops_at_varied_stages_with_a_few_failures(population):
    last = {}
    failures = Counter()
    groups = 0
    for f in population:
        seen = defaultdict(list)
        for d in f.disbursements:
            seen[(d.program, d.tahap)].append(d)
        for (_, tahap), rows in seen.items():
            groups += 1
            for d in rows:
                if d.status == "GAGAL":
                    failures[d.tahapan] += 1
            if tahap == 4:
                last[(f.no_kk, rows[0].program)] = (rows[-1].tahapan, rows[-1].status)
    assert len(set(last.values())) >= 8
    assert 0.01 < failures["BUREKOL"] / groups < 0.035
    assert 0.01 < failures["TOPUP"] / groups < 0.035


def test_another_today_gives_history_up_to_that_day_only():
    today = date(2026, 5, 10)  # in tahap II
    families = list(
        generate_population(district_codes=DISTRICTS, families=400, seed=4, today=today)
    )
    rows = [d for f in families for d in f.disbursements]
    assert rows and max(d.tanggal for d in rows) <= today
    assert {d.tahap for d in rows} == {1, 2}
    assert not any(d.program == "BLT" for d in rows)


def test_channels_are_himbara_banks_bsi_in_aceh_and_sometimes_pos(population):
    channels = Counter(f.channel for f in population)
    assert {"BRI", "BNI", "MANDIRI", "POS"} <= set(channels) and "BSI" not in channels
    aceh = list(
        generate_population(
            district_codes=ACEH_DISTRICTS, families=200, seed=1, include_personas=False
        )
    )
    assert {f.channel for f in aceh} == {"BSI"}
    assert {d.penyalur for f in aceh for d in f.disbursements} <= {"BSI", "POS"}


# --- personas --------------------------------------------------------------------------------

EXPECTED_PERSONAS = {
    # key: (desil, head programmes, head exclusions)
    "pkh_sembako_paid": (2, ("PKH", "SEMBAKO", "PBI_JK"), ()),
    "sembako_topup_failed": (1, ("SEMBAKO", "PBI_JK"), ()),
    "desil_above_limit": (7, (), ()),
    "excluded_asn": (3, (), ("ASN_TNI_POLRI",)),
    "dukcapil_not_matched": (2, (), ("DUKCAPIL_BELUM_PADAN",)),
    "eligible_not_designated": (3, (), ()),
    "pbi_only": (5, ("PBI_JK",), ()),
    "excluded_electricity": (4, ("PBI_JK",), ("LISTRIK_DI_ATAS_1300VA",)),
    "old_papua_nik": (3, ("SEMBAKO", "PBI_JK"), ()),
}


def test_personas_come_first_in_the_population_independent_of_the_seed():
    personas = demo_personas(DISTRICTS)
    assert [p.key for p in personas] == list(EXPECTED_PERSONAS)
    for seed in (1, 2):
        start = list(generate_population(district_codes=DISTRICTS, families=3, seed=seed))
        assert [f for f in start[: len(personas)]] == [p.family for p in personas]
    for p in personas:
        assert p.nik == p.person.nik and p.name == p.person.nama
        assert p.family.district_code in DISTRICTS
        assert p.shows_en and p.shows_id and p.shows_en != p.shows_id
        assert p.beneficiary_rows()[0]["nik"] == p.nik


def test_persona_niks_are_valid_serial_0001_with_their_designed_birth_date():
    for p in demo_personas(DISTRICTS):
        born, female = _nik_birth(p.nik)
        assert born == p.person.birth_date and p.nik.endswith("0001")
        if parse_nik is not None:
            parse_nik(p.nik, today=DEMO_TODAY)


@pytest.mark.parametrize("key", list(EXPECTED_PERSONAS))
def test_each_persona_shows_its_case(key):
    persona = {p.key: p for p in demo_personas(DISTRICTS)}[key]
    desil, programmes, exclusions = EXPECTED_PERSONAS[key]
    row = persona.beneficiary_rows()[0]
    assert row["desil"] == str(desil)
    assert row["program"] == ";".join(programmes)
    assert row["keterangan"] == ";".join(exclusions)
    rows = persona.disbursement_rows()
    tahap4 = [
        (r["program"], r["tahapan"], r["status"], r["penyalur"]) for r in rows if r["tahap"] == "4"
    ]
    if key == "pkh_sembako_paid":
        assert ("PKH", "TRANSAKSI", "SUKSES", "BRI") in tahap4
        assert ("SEMBAKO", "TRANSAKSI", "SUKSES", "BRI") in tahap4
        assert {r["nominal"] for r in rows if r["program"] == "PKH"} == {"975000"}
    elif key == "sembako_topup_failed":
        assert tahap4[-2:] == [
            ("SEMBAKO", "TOPUP", "GAGAL", "BNI"),
            ("SEMBAKO", "TRANSAKSI", "PROSES", "POS"),
        ]
    elif key == "old_papua_nik":
        assert persona.nik.startswith("910101")
        assert persona.family.district_code in DISTRICTS
        with (DATA / "regions" / "districts.csv").open(encoding="utf-8") as f:
            assert "910101" not in {r["code"] for r in csv.DictReader(f)}
        if parse_nik is not None:
            assert parse_nik(persona.nik, today=DEMO_TODAY).region_verified is False
        assert tahap4[-1] == ("SEMBAKO", "SI", "PROSES", "MANDIRI")
    elif key == "eligible_not_designated":
        assert not any(r["program"] for r in persona.beneficiary_rows())
        assert not rows
    elif key == "excluded_asn":
        assert all(r["keterangan"] == "ASN_TNI_POLRI" for r in persona.beneficiary_rows())
        assert not rows
    else:
        assert not rows


# --- the registry importer accepts every row -------------------------------------------------


def test_every_generated_row_passes_the_registry_importers_row_checks():
    rows_mod = pytest.importorskip("api.domain.registry_import.rows")
    from api.domain.eligibility import load_rules
    from api.domain.protection import Protector
    from api.domain.regions import region_codes

    protector = Protector(hash_key=b"k" * 32, data_key=b"d" * 32)
    kw = {"protector": protector, "regions": region_codes(), "rules": load_rules()}
    ben = rows_mod.BeneficiaryRowChecker(**kw)
    dis = rows_mod.DisbursementRowChecker(**kw, today=DEMO_TODAY)
    assert rows_mod.BENEFICIARY_COLUMNS == BENEFICIARY_COLUMNS
    assert rows_mod.DISBURSEMENT_COLUMNS == DISBURSEMENT_COLUMNS
    population = list(generate_population(district_codes=DISTRICTS, families=300, seed=9))
    for line, row in enumerate((r for f in population for r in f.beneficiary_rows()), 2):
        result = ben.check(line, [row[c] for c in BENEFICIARY_COLUMNS])
        assert not isinstance(result, rows_mod.RowError), str(result)
    for line, row in enumerate((r for f in population for r in f.disbursement_rows()), 2):
        result = dis.check(line, [row[c] for c in DISBURSEMENT_COLUMNS])
        assert not isinstance(result, rows_mod.RowError), str(result)


# --- streaming -------------------------------------------------------------------------------


class _NullSink:
    def write(self, text: str) -> int:
        return len(text)


def test_streaming_200000_persons_keeps_the_number_of_live_objects_flat():
    writer = csv.writer(_NullSink(), lineterminator="\n")
    persons = 0
    baseline = growth = 0
    stream = generate_population(district_codes=DISTRICTS, families=55_000, seed=5)
    for i, family in enumerate(stream):
        writer.writerows(family.beneficiary_values())
        writer.writerows(d.values() for d in family.disbursements)
        persons += len(family.members)
        if i % 1000 == 0:
            blocks = sys.getallocatedblocks()
            if i == 2000:
                baseline = blocks
            elif i > 2000:
                growth = max(growth, blocks - baseline)
    assert persons >= 190_000
    assert growth < 10_000, f"{growth} more live memory blocks than after 2,000 families"


def test_tracemalloc_peak_while_streaming_csvs_stays_small():
    demo_personas(DISTRICTS)  # the name list is read once and cached, like the module
    tracemalloc.start()
    try:
        counts = write_csvs(
            os.devnull, os.devnull, district_codes=DISTRICTS, families=7_000, seed=5
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counts.persons >= 24_000 and counts.disbursements >= 100_000
    # Held in memory, these rows alone would take tens of MB.
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
