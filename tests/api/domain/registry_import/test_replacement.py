"""Replacing the whole registry (PostgreSQL): loaded beside the live one, swapped in at once.

Each test runs on PostgreSQL only (SQLite refuses a replacement: its own test below says so),
so none is reported as skipped on SQLite.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlmodel import SQLModel

from api.domain.registry_import import (
    ReplacementUnavailable,
    import_beneficiaries,
    importer,
    replace_beneficiaries,
    replacement,
)
from api.models import Beneficiary, Disbursement, DisbursementSubscription
from tests.conftest import POSTGRES_ONLY, SQLITE_ONLY
from tests.registry_support import (
    BENEFICIARY_HEADER,
    KK,
    SITI,
    import_payments,
    import_people,
    importer_args,
    write_csv,
)

BUDI = "3510011203850002"
RINI = "3510015508920003"
KK2 = "3510010101100002"
STATUS = "/api/v1/status-checks"


async def replace(services, tmp_path, *rows: str, name="new.csv", **extra):
    path = write_csv(tmp_path / name, BENEFICIARY_HEADER, *rows)
    return await replace_beneficiaries(services.engine, path, **importer_args(services), **extra)


async def people(services) -> dict[bytes, Beneficiary]:
    async with services.sessions() as session:
        rows = (await session.execute(select(Beneficiary))).scalars().all()
    return {row.nik_hash: row for row in rows}


async def check(client, nik: str, name: str, user: str = "tg:1") -> dict:
    answer = await client.post(STATUS, json={"nik": nik, "name": name, "channel_user": user})
    assert answer.status_code == 200
    return answer.json()


@SQLITE_ONLY
async def test_sqlite_refuses_a_replacement_and_keeps_its_registry(services, tmp_path):
    await import_people(services, tmp_path, f"{SITI},{KK},Siti Aminah,351001,3,PKH,")
    with pytest.raises(ReplacementUnavailable):
        await replace(services, tmp_path, f"{BUDI},{KK},Budi Santoso,351001,7,,")
    assert list(await people(services)) == [services.protector.nik_hash(SITI)]


@POSTGRES_ONLY
async def test_the_registry_holds_exactly_the_new_file_and_the_report_says_what_changed(
    services, tmp_path
):
    await import_people(
        services,
        tmp_path,
        f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
        f"{BUDI},{KK},Budi Santoso,351001,7,,",
        f"{RINI},{KK2},Rini Lestari,351001,5,,",
    )
    report = await replace(
        services,
        tmp_path,
        f"{SITI},{KK},Siti Aminah,351001,6,,GAJI_BPJS",  # changed
        f"{RINI},{KK2},Rini Lestari,351001,5,,",  # the same
        f"3510015508920004,{KK2},Ayu Lestari,351001,5,SEMBAKO,",  # new
    )  # Budi is gone
    assert (report.inserted, report.updated, report.unchanged, report.removed) == (1, 1, 1, 1)
    now = await people(services)
    assert set(now) == {
        services.protector.nik_hash(nik) for nik in (SITI, RINI, "3510015508920004")
    }
    siti = now[services.protector.nik_hash(SITI)]
    assert (siti.desil, siti.programmes, siti.exclusions) == (6, "", "GAJI_BPJS")


@POSTGRES_ONLY
async def test_rows_are_protected_and_fingerprinted_exactly_as_an_incremental_import_does(
    services, tmp_path
):
    rows = (f"{SITI},{KK},Siti Aminah,351001,3,PKH,", f"{BUDI},{KK},Budi Santoso,351001,7,,")
    await import_people(services, tmp_path, *rows)
    before = await people(services)
    report = await replace(services, tmp_path, *rows)
    after = await people(services)
    assert (report.inserted, report.updated, report.unchanged, report.removed) == (0, 0, 2, 0)
    for key, old in before.items():
        new = after[key]
        assert (new.name_hash, new.kk_hash, new.fingerprint) == (
            old.name_hash,
            old.kk_hash,
            old.fingerprint,
        )
        assert services.protector.decrypt_identity(
            new.identity_encrypted
        ) == services.protector.decrypt_identity(old.identity_encrypted)
        assert new.id > max(o.id for o in before.values())  # no id is ever reused


@POSTGRES_ONLY
async def test_bad_rows_are_reported_by_line_and_reason_as_the_incremental_import_does(
    services, tmp_path
):
    rows = (
        f"{SITI},{KK},Siti Aminah,35.10.01,3,PKH;SEMBAKO,",
        f"{SITI[:15]},{KK},Short Nik,351001,3,,",
        f"{BUDI},{KK},Budi Santoso,351001,11,,",
        f"3510011203850003,{KK},Wrong Region,999999,3,,",
        f"3510011203850004,{KK},Bad Programme,351001,3,PKH;ZAKAT,",
    )
    replaced = await replace(services, tmp_path, *rows)
    path = write_csv(tmp_path / "again.csv", BENEFICIARY_HEADER, *rows)
    incremental = await import_beneficiaries(services.engine, path, **importer_args(services))
    assert replaced.rejected == incremental.rejected == 4
    assert [str(e) for e in replaced.errors] == [str(e) for e in incremental.errors]
    assert len(await people(services)) == 1


@POSTGRES_ONLY
async def test_a_nik_repeated_across_chunks_keeps_its_later_line(services, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)
    report = await replace(
        services,
        tmp_path,
        f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
        f"{BUDI},{KK},Budi Santoso,351001,7,,",
        f"{SITI},{KK},Siti Aminah,351001,4,SEMBAKO,",
    )
    now = await people(services)
    assert len(now) == 2
    siti = now[services.protector.nik_hash(SITI)]
    assert (siti.desil, siti.programmes) == (4, "SEMBAKO")
    assert (report.inserted, report.unchanged, report.rejected) == (2, 1, 0)


@POSTGRES_ONLY
async def test_disbursements_stay_with_the_people_who_stay(services, tmp_path):
    await import_people(
        services,
        tmp_path,
        f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
        f"{BUDI},{KK},Budi Santoso,351001,7,PKH,",
    )
    await import_payments(
        services,
        tmp_path,
        f"{SITI},PKH,2026,3,SI,SUKSES,BRI,750000,2026-08-01",
        f"{BUDI},PKH,2026,3,SI,SUKSES,BRI,750000,2026-08-02",
    )
    await replace(services, tmp_path, f"{SITI},{KK},Siti Aminah,351001,3,PKH,")
    siti = (await people(services))[services.protector.nik_hash(SITI)]
    async with services.sessions() as session:
        stages = (await session.execute(select(Disbursement))).scalars().all()
    assert [(s.beneficiary_id, s.tahap, s.amount) for s in stages] == [(siti.id, 3, 750000)]


@POSTGRES_ONLY
async def test_a_subscription_follows_its_person_and_ends_when_they_leave(
    services, client, tmp_path
):
    await import_people(
        services,
        tmp_path,
        f"{SITI},{KK},Siti Aminah,351001,3,PKH,",
        f"{BUDI},{KK},Budi Santoso,351001,7,PKH,",
    )
    for user, nik, name in (("tg:1", SITI, "Siti Aminah"), ("tg:2", BUDI, "Budi Santoso")):
        token = (await check(client, nik, name, user))["subscription_token"]
        subscribed = await client.post(
            "/api/v1/status-subscriptions", json={"token": token, "channel_user": user}
        )
        assert subscribed.status_code < 300
    # Siti moves to another family card; Budi leaves the registry.
    await replace(services, tmp_path, f"{SITI},{KK2},Siti Aminah,351001,3,PKH,")

    await import_payments(services, tmp_path, f"{SITI},PKH,2026,3,SI,SUKSES,BRI,750000,2026-08-01")
    async with services.sessions() as session:
        subscriptions = (await session.execute(select(DisbursementSubscription))).scalars().all()
        outbox = (
            await session.execute(
                text("SELECT channel_user, payload FROM outbox_message ORDER BY id")
            )
        ).all()
    siti = (await people(services))[services.protector.nik_hash(SITI)]
    assert [(s.channel_user, s.beneficiary_id, s.kk_hash) for s in subscriptions] == [
        ("tg:1", siti.id, services.protector.kk_hash(KK2))
    ]
    assert [(user, json.loads(payload)["tahap"]) for user, payload in outbox] == [("tg:1", 3)]


@POSTGRES_ONLY
async def test_status_checks_answer_from_the_previous_registry_until_the_swap(
    services, client, tmp_path, monkeypatch
):
    await import_people(services, tmp_path, f"{SITI},{KK},Siti Aminah,351001,3,PKH,")
    loaded, go_on = asyncio.Event(), asyncio.Event()
    swap = replacement._swap

    async def swap_when_told(conn):
        loaded.set()
        await go_on.wait()
        await swap(conn)

    monkeypatch.setattr(replacement, "_swap", swap_when_told)
    replacing = asyncio.create_task(
        replace(services, tmp_path, f"{BUDI},{KK},Budi Santoso,351001,7,PKH,")
    )
    await asyncio.wait_for(loaded.wait(), 30)
    # The new registry is loaded and indexed, not yet committed: the old one answers.
    during = await check(client, SITI, "Siti Aminah")
    newcomer = await check(client, BUDI, "Budi Santoso", "tg:2")
    assert (during["found"], newcomer["found"]) == (True, False)
    assert during["person"]["name_masked"] == "S**I A****H"

    go_on.set()
    await asyncio.wait_for(replacing, 30)
    after, gone = (
        await check(client, BUDI, "Budi Santoso", "tg:2"),
        await check(client, SITI, "Siti Aminah"),
    )
    assert (after["found"], gone["found"]) == (True, False)
    assert after["person"]["name_masked"] == "B**I S*****O"


@POSTGRES_ONLY
async def test_an_interrupted_replacement_leaves_the_previous_registry_intact(
    services, client, tmp_path, monkeypatch
):
    await import_people(services, tmp_path, f"{SITI},{KK},Siti Aminah,351001,3,PKH,")
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)

    def stop_after_the_first_chunk(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await replace(
            services,
            tmp_path,
            f"{BUDI},{KK},Budi Santoso,351001,7,PKH,",
            f"{RINI},{KK2},Rini Lestari,351001,5,,",
            on_progress=stop_after_the_first_chunk,
        )
    assert (await check(client, SITI, "Siti Aminah"))["found"] is True
    assert list(await people(services)) == [services.protector.nik_hash(SITI)]
    async with services.engine.connect() as conn:
        leftovers = (
            await conn.execute(text("SELECT to_regclass('beneficiary_next') IS NOT NULL"))
        ).scalar_one()
    assert leftovers is False
    # Nothing stands in the way of the next one.
    report = await replace(services, tmp_path, f"{BUDI},{KK},Budi Santoso,351001,7,PKH,")
    assert (report.inserted, report.removed) == (1, 1)


_CATALOG = text("""
SELECT c.relname, i.relname, pg_get_indexdef(i.oid) FROM pg_index x
JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
WHERE c.relname IN ('beneficiary', 'disbursement', 'disbursement_subscription')
UNION ALL
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid::regclass::text IN ('beneficiary', 'disbursement', 'disbursement_subscription')
UNION ALL
SELECT 'sequence', c.relname, pg_get_serial_sequence(c.relname, 'id') FROM pg_class c
WHERE c.relname IN ('beneficiary', 'disbursement')
ORDER BY 1, 2
""")


@POSTGRES_ONLY
async def test_after_a_replacement_the_tables_are_exactly_what_the_migrations_made(
    services, tmp_path
):
    async def catalog():
        async with services.engine.connect() as conn:
            rows = (await conn.execute(_CATALOG)).all()
            differences = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
        return rows, [d for d in differences if d[0] != "remove_index"]

    await import_people(services, tmp_path, f"{SITI},{KK},Siti Aminah,351001,3,PKH,")
    before, _ = await catalog()
    await replace(services, tmp_path, f"{BUDI},{KK},Budi Santoso,351001,7,PKH,")
    after, differences = await catalog()
    assert after == before
    assert differences == []
    assert any(name == "ix_beneficiary_kk_hash" for _, name, _ in after)


@POSTGRES_ONLY
async def test_a_subscription_token_made_before_a_replacement_asks_for_a_new_check(
    services, client, tmp_path
):
    await import_people(services, tmp_path, f"{SITI},{KK},Siti Aminah,351001,3,PKH,")
    token = (await check(client, SITI, "Siti Aminah"))["subscription_token"]
    await replace(services, tmp_path, f"{SITI},{KK},Siti Aminah,351001,3,PKH,")

    stale = await client.post(
        "/api/v1/status-subscriptions", json={"token": token, "channel_user": "tg:1"}
    )
    assert stale.status_code == 422
    assert stale.json()["error"]["code"] == "subscription_token_invalid"
    fresh = (await check(client, SITI, "Siti Aminah"))["subscription_token"]
    again = await client.post(
        "/api/v1/status-subscriptions", json={"token": fresh, "channel_user": "tg:1"}
    )
    assert again.status_code < 300
