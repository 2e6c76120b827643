"""Importing the registry: good rows land, bad rows are reported by line, re-runs are no-ops."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from api.domain.registry_import import (
    ImportFormatError,
    import_beneficiaries,
    import_disbursements,
    importer,
)
from api.models import Beneficiary, Disbursement
from tests.registry_support import (
    BENEFICIARY_HEADER,
    DISBURSEMENT_HEADER,
    KK,
    SITI,
    importer_args,
    write_csv,
)

BUDI = "3510011203850002"
TODAY = date(2026, 11, 23)


async def count(services, model) -> int:
    async with services.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def person(services, nik):
    async with services.sessions() as session:
        return (
            await session.execute(
                select(Beneficiary).where(Beneficiary.nik_hash == services.protector.nik_hash(nik))
            )
        ).scalar_one()


async def test_good_rows_land_and_each_bad_row_is_reported_by_line_and_reason(services, tmp_path):
    path = write_csv(
        tmp_path / "b.csv",
        BENEFICIARY_HEADER,
        f"{SITI},{KK},Siti Aminah,35.10.01,3,PKH;SEMBAKO,",
        f"{SITI[:15]},{KK},Short Nik,351001,3,,",
        f"{BUDI},{KK},Budi Santoso,351001,11,,",
        f"3510011203850003,{KK},Wrong Region,999999,3,,",
        f"3510011203850004,{KK},Bad Programme,351001,3,PKH;ZAKAT,",
        f"3510011203850005,{KK},Bad Code,351001,3,,PNS",
    )
    report = await import_beneficiaries(services.engine, path, **importer_args(services))
    assert (report.inserted, report.rejected) == (1, 5)
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "nik"),
        (4, "desil"),
        (5, "kode_wilayah"),
        (6, "program"),
        (7, "keterangan"),
    ]
    assert "16 digits" in report.errors[0].message and "15" in report.errors[0].message
    assert "ZAKAT" in report.errors[3].message
    assert await count(services, Beneficiary) == 1


async def test_rejection_messages_never_repeat_the_nik_or_the_name(services, tmp_path):
    bad = "3510013202850002"  # day 32
    path = write_csv(
        tmp_path / "b.csv", BENEFICIARY_HEADER, f"{bad},{KK},Rahasia Sekali,351001,3,,"
    )
    report = await import_beneficiaries(services.engine, path, **importer_args(services))
    assert report.rejected == 1
    assert bad not in str(report.errors[0]) and "Rahasia" not in str(report.errors[0])


async def test_reimporting_the_same_file_changes_nothing(services, tmp_path):
    path = write_csv(
        tmp_path / "b.csv",
        BENEFICIARY_HEADER,
        f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
        f"{BUDI},{KK},Budi Santoso,351001,7,,",
    )
    await import_beneficiaries(services.engine, path, **importer_args(services))
    before = await person(services, SITI)
    again = await import_beneficiaries(services.engine, path, **importer_args(services))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    after = await person(services, SITI)
    assert after.updated_at == before.updated_at
    assert after.identity_encrypted == before.identity_encrypted


async def test_a_changed_row_updates_the_person_in_place(services, tmp_path):
    await import_beneficiaries(
        services.engine,
        write_csv(tmp_path / "1.csv", BENEFICIARY_HEADER, f"{SITI},{KK},Siti Aminah,351001,3,PKH,"),
        **importer_args(services),
    )
    report = await import_beneficiaries(
        services.engine,
        write_csv(
            tmp_path / "2.csv", BENEFICIARY_HEADER, f"{SITI},{KK},Siti Aminah,351001,6,,GAJI_BPJS"
        ),
        **importer_args(services),
    )
    assert (report.inserted, report.updated) == (0, 1)
    updated = await person(services, SITI)
    assert (updated.desil, updated.programmes, updated.exclusions) == (6, "", "GAJI_BPJS")
    assert await count(services, Beneficiary) == 1


async def test_within_one_file_the_later_line_wins(services, tmp_path):
    path = write_csv(
        tmp_path / "b.csv",
        BENEFICIARY_HEADER,
        f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
        f"{SITI},{KK},Siti Aminah,351001,4,SEMBAKO,",
    )
    await import_beneficiaries(services.engine, path, **importer_args(services))
    assert (await person(services, SITI)).programmes == "SEMBAKO"


async def test_no_column_holds_a_nik_or_a_name_in_the_clear(services, tmp_path):
    path = write_csv(
        tmp_path / "b.csv", BENEFICIARY_HEADER, f"{SITI},{KK},Siti Aminah,3510012001,3,PKH,"
    )
    await import_beneficiaries(services.engine, path, **importer_args(services))
    row = await person(services, SITI)
    stored = b"".join(
        v if isinstance(v, bytes) else str(v).encode() for v in row.model_dump().values()
    )
    assert SITI.encode() not in stored and KK.encode() not in stored and b"SITI" not in stored
    assert row.village_code == "3510012001" and row.district_code == "351001"
    identity = services.protector.decrypt_identity(row.identity_encrypted)
    assert (identity.nik, identity.name, identity.no_kk) == (SITI, "SITI AMINAH", KK)


@pytest.mark.parametrize(
    "header, problem",
    [
        ("nik,no_kk,nama,desil,program,keterangan", "missing column(s): kode_wilayah"),
        (
            "nik,no_kk,name,kode_wilayah,desil,program,keterangan",
            "missing column(s): nama; unexpected column(s): name",
        ),
    ],
)
async def test_a_missing_or_renamed_column_stops_the_import_before_it_writes(
    services, tmp_path, header, problem
):
    path = write_csv(tmp_path / "b.csv", header, f"{SITI},{KK},Siti,351001,3,PKH,")
    with pytest.raises(ImportFormatError) as raised:
        await import_beneficiaries(services.engine, path, **importer_args(services))
    assert problem in str(raised.value)
    assert await count(services, Beneficiary) == 0


async def test_columns_may_come_in_any_order(services, tmp_path):
    path = write_csv(
        tmp_path / "b.csv",
        "nama,nik,no_kk,kode_wilayah,desil,program,keterangan",
        f"Siti Aminah,{SITI},{KK},351001,3,PKH,",
    )
    report = await import_beneficiaries(services.engine, path, **importer_args(services))
    assert report.inserted == 1


async def test_a_file_that_is_not_utf8_is_refused(services, tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(
        (BENEFICIARY_HEADER + "\n").encode() + f"{SITI},{KK},S\xe9ti,351001,3,,\n".encode("latin-1")
    )
    with pytest.raises(ImportFormatError, match="UTF-8"):
        await import_beneficiaries(services.engine, path, **importer_args(services))


async def _with_people(services, tmp_path):
    await import_beneficiaries(
        services.engine,
        write_csv(
            tmp_path / "people.csv",
            BENEFICIARY_HEADER,
            f"{SITI},{KK},Siti Aminah,351001,3,PKH;SEMBAKO,",
        ),
        **importer_args(services),
    )


async def test_disbursement_stages_land_and_a_newer_report_updates_the_stage(services, tmp_path):
    await _with_people(services, tmp_path)
    first = write_csv(
        tmp_path / "d1.csv",
        DISBURSEMENT_HEADER,
        f"{SITI},SEMBAKO,2026,4,TOPUP,PROSES,BRI,600000,2026-10-20",
    )
    second = write_csv(
        tmp_path / "d2.csv",
        DISBURSEMENT_HEADER,
        f"{SITI},SEMBAKO,2026,4,TOPUP,SUKSES,BRI,600000,2026-10-22",
    )
    assert (
        await import_disbursements(services.engine, first, **importer_args(services), today=TODAY)
    ).inserted == 1
    report = await import_disbursements(
        services.engine, second, **importer_args(services), today=TODAY
    )
    assert (report.inserted, report.updated) == (0, 1)
    async with services.sessions() as session:
        stage = (await session.execute(select(Disbursement))).scalar_one()
    assert (stage.status, stage.occurred_on) == ("SUKSES", date(2026, 10, 22))


async def test_an_older_report_imported_late_does_not_move_a_stage_backwards(services, tmp_path):
    await _with_people(services, tmp_path)
    newer = write_csv(
        tmp_path / "new.csv",
        DISBURSEMENT_HEADER,
        f"{SITI},SEMBAKO,2026,4,TOPUP,SUKSES,BRI,600000,2026-10-22",
    )
    older = write_csv(
        tmp_path / "old.csv",
        DISBURSEMENT_HEADER,
        f"{SITI},SEMBAKO,2026,4,TOPUP,PROSES,BRI,600000,2026-10-20",
    )
    await import_disbursements(services.engine, newer, **importer_args(services), today=TODAY)
    report = await import_disbursements(
        services.engine, older, **importer_args(services), today=TODAY
    )
    assert (report.updated, report.unchanged) == (0, 1)
    async with services.sessions() as session:
        assert (await session.execute(select(Disbursement.status))).scalar_one() == "SUKSES"


async def test_reimporting_disbursements_changes_nothing(services, tmp_path):
    await _with_people(services, tmp_path)
    path = write_csv(
        tmp_path / "d.csv",
        DISBURSEMENT_HEADER,
        f"{SITI},SEMBAKO,2026,4,BUREKOL,SUKSES,BRI,0,2026-10-01",
        f"{SITI},SEMBAKO,2026,4,TOPUP,GAGAL,BRI,600000,2026-10-20",
        f"{SITI},SEMBAKO,2026,4,TOPUP,PROSES,POS,600000,2026-10-28",
    )
    assert (
        await import_disbursements(services.engine, path, **importer_args(services), today=TODAY)
    ).inserted == 3
    again = await import_disbursements(
        services.engine, path, **importer_args(services), today=TODAY
    )
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


async def test_disbursement_rows_with_bad_values_or_unknown_people_are_reported(services, tmp_path):
    await _with_people(services, tmp_path)
    path = write_csv(
        tmp_path / "d.csv",
        DISBURSEMENT_HEADER,
        f"{SITI},SEMBAKO,2026,4,TOPUP,SUKSES,BRI,600000,2026-10-22",
        f"{SITI},PBI_JK,2026,4,TOPUP,SUKSES,BRI,42000,2026-10-22",
        f"{SITI},SEMBAKO,2026,5,TOPUP,SUKSES,BRI,600000,2026-10-22",
        f"{SITI},SEMBAKO,2026,4,CAIR,SUKSES,BRI,600000,2026-10-22",
        f"{SITI},SEMBAKO,2026,4,TOPUP,SUKSES,BCA,600000,2026-10-22",
        f"{SITI},SEMBAKO,2026,4,TOPUP,SUKSES,BRI,600.000,2026-10-22",
        f"{SITI},SEMBAKO,2026,4,TOPUP,SUKSES,BRI,600000,22/10/2026",
        f"{SITI},SEMBAKO,2026,4,TOPUP,SUKSES,BRI,600000,2026-12-01",
        f"{BUDI},SEMBAKO,2026,4,TOPUP,SUKSES,BRI,600000,2026-10-22",
    )
    report = await import_disbursements(
        services.engine, path, **importer_args(services), today=TODAY
    )
    assert report.inserted == 1
    assert sorted((e.line, e.column) for e in report.errors) == [
        (3, "program"),
        (4, "tahap"),
        (5, "tahapan"),
        (6, "penyalur"),
        (7, "nominal"),
        (8, "tanggal"),
        (9, "tanggal"),
        (10, "nik"),
    ]
    assert "registry" in next(e.message for e in report.errors if e.line == 10)


# -- checking in worker processes, and PostgreSQL's COPY of new people -----------------


# A NIK for each of many people: kecamatan 351001, born 1 January 1990, serial i.
def nik_of(i: int) -> str:
    return f"351001010190{i:04d}"


def mixed_file(tmp_path, name="mixed.csv"):
    """Good rows, bad rows, and a NIK that comes back in later chunks (the last line wins)."""
    return write_csv(
        tmp_path / name,
        BENEFICIARY_HEADER,
        f"{nik_of(1)},{KK},Satu,351001,1,PKH,",
        f"{nik_of(2)},{KK},Dua,351001,2,,",
        f"{nik_of(3)[:15]},{KK},Short Nik,351001,3,,",
        "",
        f"{nik_of(4)},{KK},Empat,351001,4,,",
        f"{nik_of(1)},{KK},Satu,351001,5,SEMBAKO,",
        f"{nik_of(5)},{KK},Lima,999999,5,,",
        f"{nik_of(6)},{KK},Enam,351001,6,,",
        f"{nik_of(1)},{KK},Satu,351001,7,BLT,",
    )


@pytest.mark.parametrize("processes", [0, 1, 2])
async def test_rows_checked_in_worker_processes_land_exactly_as_when_checked_here(
    services, tmp_path, monkeypatch, processes
):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)  # 5 chunks, every one its own transaction
    seen: list[tuple[int, str]] = []
    report = await import_beneficiaries(
        services.engine,
        mixed_file(tmp_path),
        **importer_args(services),
        on_error=lambda e: seen.append((e.line, e.column)),
        processes=processes,
    )
    assert (report.rows, report.rejected) == (8, 2)
    assert (report.inserted, report.updated, report.unchanged) == (4, 2, 0)
    assert seen == [(4, "nik"), (8, "kode_wilayah")]
    assert await count(services, Beneficiary) == 4
    satu = await person(services, nik_of(1))
    assert (satu.desil, satu.programmes) == (7, "BLT")


@pytest.mark.parametrize("processes", [0, 2])
async def test_importing_a_file_again_over_the_people_it_added_changes_nothing(
    services, tmp_path, monkeypatch, processes
):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)
    path = write_csv(
        tmp_path / "b.csv",
        BENEFICIARY_HEADER,
        *(f"{nik_of(i)},{KK},Orang {i},351001,3,," for i in range(1, 8)),
    )
    first = await import_beneficiaries(
        services.engine, path, **importer_args(services), processes=processes
    )
    before = await person(services, nik_of(4))
    again = await import_beneficiaries(
        services.engine, path, **importer_args(services), processes=processes
    )
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (7, 0, 0, 7)
    after = await person(services, nik_of(4))
    assert (after.updated_at, after.identity_encrypted) == (
        before.updated_at,
        before.identity_encrypted,
    )


async def test_a_chunk_of_new_and_known_people_adds_the_new_and_updates_the_known(
    services, tmp_path, monkeypatch
):
    await import_beneficiaries(
        services.engine,
        write_csv(tmp_path / "1.csv", BENEFICIARY_HEADER, f"{nik_of(2)},{KK},Dua,351001,2,,"),
        **importer_args(services),
    )
    monkeypatch.setattr(importer, "CHUNK_ROWS", 10)
    rows = [f"{nik_of(i)},{KK},Orang {i},351001,3,," for i in (1, 2, 3)]
    report = await import_beneficiaries(
        services.engine,
        write_csv(tmp_path / "2.csv", BENEFICIARY_HEADER, *rows),
        **importer_args(services),
    )
    assert (report.inserted, report.updated) == (2, 1)
    assert (await person(services, nik_of(2))).desil == 3
    assert await count(services, Beneficiary) == 3


async def test_a_row_whose_kecamatan_the_database_has_not_loaded_is_rejected_by_line(
    services, tmp_path
):
    from sqlalchemy import text

    async with services.engine.begin() as conn:
        saved = (await conn.execute(text("SELECT * FROM district WHERE code = '351002'"))).one()
        await conn.execute(text("DELETE FROM district WHERE code = '351002'"))
    try:
        report = await import_beneficiaries(
            services.engine,
            write_csv(
                tmp_path / "b.csv",
                BENEFICIARY_HEADER,
                f"{nik_of(1)},{KK},Satu,351001,1,,",
                f"{nik_of(2)},{KK},Dua,351002,1,,",
            ),
            **importer_args(services),
        )
    finally:
        async with services.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO district (code, regency_code, name) VALUES (:c, :r, :n)"),
                {"c": saved.code, "r": saved.regency_code, "n": saved.name},
            )
    assert (report.inserted, report.rejected) == (1, 1)
    assert (report.errors[0].line, report.errors[0].column) == (3, "kode_wilayah")
    assert "load-reference" in report.errors[0].message


async def test_a_file_that_stops_being_utf8_midway_stops_the_import_in_worker_processes(
    services, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)
    path = tmp_path / "b.csv"
    path.write_bytes(
        (BENEFICIARY_HEADER + "\n").encode()
        + f"{nik_of(1)},{KK},Satu,351001,1,,\n".encode()
        + f"{nik_of(2)},{KK},S\xe9ti,351001,1,,\n".encode("latin-1")
    )
    with pytest.raises(ImportFormatError, match="UTF-8"):
        await import_beneficiaries(services.engine, path, **importer_args(services), processes=2)
