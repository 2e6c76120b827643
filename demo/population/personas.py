"""The hand-designed personas a demo shows: one family per situation a citizen can be in
(paid, failed top-up, desil above limit, excluded, not matched, ...). Seed-independent."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from demo.population.disbursements import full_plan
from demo.population.enrolment import Member, assemble_family
from demo.population.numbers import SerialAllocator, normalize_districts
from demo.population.parameters import ACEH, CHILD, DEMO_TODAY, HEAD, STAGES, WIFE
from demo.population.records import DemoFamily, Persona, PersonaSpec

PERSONAS: tuple[PersonaSpec, ...] = (
    PersonaSpec(
        "pkh_sembako_paid",
        "BUDI SANTOSO",
        "PKH and Sembako recipient (desil 2); tahap IV paid out and withdrawn (TRANSAKSI SUKSES).",
        "Penerima PKH dan Sembako (desil 2); tahap IV sudah cair dan sudah ditarik "
        "(TRANSAKSI SUKSES).",
    ),
    PersonaSpec(
        "sembako_topup_failed",
        "SRI WAHYUNI",
        "Sembako recipient whose tahap IV top-up failed (inactive account); re-routed to "
        "PT Pos, still in process.",
        "Penerima Sembako; top-up tahap IV gagal (rekening tidak aktif), dialihkan ke "
        "PT Pos dan masih diproses.",
    ),
    PersonaSpec(
        "desil_above_limit",
        "AGUS PRASETYO",
        "Desil 7: not eligible for any programme, the desil is above every limit.",
        "Desil 7: tidak memenuhi syarat program apa pun, desil di atas batas.",
    ),
    PersonaSpec(
        "excluded_asn",
        "HENDRA GUNAWAN",
        "Desil 3 but excluded as ASN/TNI/Polri (civil servant, military or police).",
        "Desil 3 tetapi dikecualikan karena ASN/TNI/Polri.",
    ),
    PersonaSpec(
        "dukcapil_not_matched",
        "NURHAYATI",
        "Desil 2 but not yet matched with Dukcapil population data (DUKCAPIL_BELUM_PADAN): "
        "no programme until the data is corrected.",
        "Desil 2 tetapi data belum padan dengan Dukcapil (DUKCAPIL_BELUM_PADAN): belum "
        "dapat bantuan sampai data diperbaiki.",
    ),
    PersonaSpec(
        "eligible_not_designated",
        "AHMAD FAUZI",
        "Desil 3, meets the limits but is not designated for any programme: can file an "
        "usul (proposal).",
        "Desil 3, memenuhi syarat tetapi belum ditetapkan sebagai penerima: dapat mengajukan usul.",
    ),
    PersonaSpec(
        "pbi_only",
        "SUKARDI",
        "Desil 5: PBI-JK (health-insurance premium) only; above the desil 4 limit of PKH, "
        "Sembako and BLT.",
        "Desil 5: hanya PBI-JK (iuran BPJS Kesehatan dibayar pemerintah); di atas batas "
        "desil 4 untuk PKH, Sembako dan BLT.",
    ),
    PersonaSpec(
        "excluded_electricity",
        "I KETUT SUDARSANA",
        "Desil 4, excluded from PKH, Sembako and BLT for electricity above 1,300 VA; "
        "still receives PBI-JK.",
        "Desil 4, dikecualikan dari PKH, Sembako dan BLT karena daya listrik di atas "
        "1.300 VA; tetap menerima PBI-JK.",
    ),
    PersonaSpec(
        "old_papua_nik",
        "MARKUS MAHUZE",
        "Sembako recipient whose NIK was issued under an old Papua kecamatan code (910101) "
        "that is no longer in the tables (region unverified, not invalid); lives in a pilot "
        "kecamatan; tahap IV in process (SI).",
        "Penerima Sembako dengan NIK terbit di kode kecamatan Papua lama (910101) yang "
        "sudah tidak ada di tabel (wilayah belum terverifikasi, bukan tidak sah); tinggal "
        "di kecamatan percontohan; tahap IV sedang diproses (SI).",
    ),
)

OLD_PAPUA_DISTRICT = "910101"  # Kab. Merauke before the 2022 split (now 93.01)


def _ord(y: int, m: int, d: int) -> int:
    return date(y, m, d).toordinal()


def _persona_family(
    spec: PersonaSpec, index: int, codes: tuple[str, ...], alloc: SerialAllocator, today: date
) -> DemoFamily:
    d = codes[index % len(codes)]
    bank = "BSI" if d.startswith(ACEH) else None
    r = random.Random(f"persona:{spec.key}").random
    key = spec.key
    kw: dict = {
        "designated": True,
        "pbi_designated": True,
        "blt": False,
        "start_tahap": 1,
        "current_plans": {},
    }
    if key == "pkh_sembako_paid":
        desil, channel = 2, bank or "BRI"
        members = [
            Member(HEAD, False, _ord(1983, 5, 14), d, spec.name),
            Member(WIFE, True, _ord(1987, 8, 2), d, "SITI AMINAH"),
            Member(CHILD, False, _ord(2015, 2, 10), d, "RIZKY SAPUTRA"),
            Member(CHILD, True, _ord(2021, 6, 20), d, "NAYLA PUTRI"),
        ]
        kw["current_plans"] = {"PKH": full_plan(channel), "SEMBAKO": full_plan(channel)}
    elif key == "sembako_topup_failed":
        desil, channel = 1, bank or "BNI"
        members = [
            Member(HEAD, True, _ord(1964, 11, 3), d, spec.name),
            Member(CHILD, False, _ord(1996, 1, 25), d, "EKO PURNOMO"),
        ]
        plan = [(stage, "SUKSES", channel) for stage in STAGES[:5]]
        plan += [("TOPUP", "GAGAL", channel), ("TRANSAKSI", "PROSES", "POS")]
        kw["current_plans"] = {"SEMBAKO": plan}
    elif key == "desil_above_limit":
        desil, channel = 7, bank or "BRI"
        members = [
            Member(HEAD, False, _ord(1980, 9, 9), d, spec.name),
            Member(WIFE, True, _ord(1983, 4, 17), d, "ENDANG LESTARI"),
            Member(CHILD, False, _ord(2010, 7, 30), d, "GILANG RAMADHAN"),
        ]
    elif key == "excluded_asn":
        desil, channel = 3, bank or "MANDIRI"
        asn = ("ASN_TNI_POLRI",)
        members = [
            Member(HEAD, False, _ord(1978, 12, 1), d, spec.name, exclusions=asn),
            Member(WIFE, True, _ord(1982, 3, 8), d, "YULIANI", exclusions=asn),
            Member(CHILD, True, _ord(2017, 10, 5), d, "AULIA RAHMAWATI", exclusions=asn),
        ]
    elif key == "dukcapil_not_matched":
        desil, channel = 2, bank or "BRI"
        members = [
            Member(
                HEAD, True, _ord(1979, 6, 11), d, spec.name, exclusions=("DUKCAPIL_BELUM_PADAN",)
            ),
            Member(CHILD, False, _ord(2012, 8, 19), d, "DIMAS PRATAMA"),
        ]
    elif key == "eligible_not_designated":
        desil, channel = 3, bank or "BRI"
        members = [
            Member(HEAD, False, _ord(1990, 1, 15), d, spec.name),
            Member(WIFE, True, _ord(1993, 9, 23), d, "DEWI RAHAYU"),
            Member(CHILD, True, _ord(2022, 4, 2), d, "ZAHRA AULIA"),
        ]
        kw.update(designated=False, pbi_designated=False)
    elif key == "pbi_only":
        desil, channel = 5, bank or "BRI"
        members = [
            Member(HEAD, False, _ord(1975, 2, 27), d, spec.name),
            Member(WIFE, True, _ord(1977, 11, 12), d, "SUMIATI"),
            Member(CHILD, True, _ord(2005, 5, 5), d, "PUTRI WULANDARI"),
        ]
    elif key == "excluded_electricity":
        desil, channel = 4, bank or "BNI"
        listrik = ("LISTRIK_DI_ATAS_1300VA",)
        members = [
            Member(HEAD, False, _ord(1970, 8, 17), d, spec.name, exclusions=listrik),
            Member(WIFE, True, _ord(1974, 2, 14), d, "NI MADE SUARTINI", exclusions=listrik),
        ]
    elif key == "old_papua_nik":
        desil, channel = 3, bank or "MANDIRI"
        members = [
            Member(HEAD, False, _ord(1986, 7, 21), OLD_PAPUA_DISTRICT, spec.name),
            Member(WIFE, True, _ord(1988, 3, 30), d, "SUMARNI"),
        ]
        plan = [(stage, "SUKSES", channel) for stage in STAGES[:4]]
        plan.append(("SI", "PROSES", channel))
        kw["current_plans"] = {"SEMBAKO": plan}
    else:  # pragma: no cover - every spec is handled above
        raise AssertionError(key)
    return assemble_family(
        alloc,
        r,
        district=d,
        kode_wilayah=d,
        desil=desil,
        members=members,
        kk_ordinal=_ord(2023, 1, 16 + index),
        channel=channel,
        today=today,
        exact=True,
        **kw,
    )


def personas_in(codes: tuple[str, ...], alloc: SerialAllocator, today: date) -> list[Persona]:
    out = []
    for i, spec in enumerate(PERSONAS):
        family = _persona_family(spec, i, codes, alloc, today)
        out.append(
            Persona(spec.key, family.head.nik, spec.name, spec.shows_en, spec.shows_id, family)
        )
    return out


def demo_personas(district_codes: Sequence[str], *, today: date = DEMO_TODAY) -> list[Persona]:
    """The hand-designed personas, exactly as :func:`generate_population` puts them at the
    start of the population for the same ``district_codes`` (persona i lives in
    ``district_codes[i % len(district_codes)]``). Independent of the seed."""
    return personas_in(normalize_districts(district_codes), SerialAllocator(), today)
