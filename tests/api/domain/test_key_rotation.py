"""Moving the personal data to new keys (``bansos rotate-keys``): what the service answers
before, during and after, and that a pass stopped anywhere resumes without redoing a row."""

from __future__ import annotations

import base64
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from api.domain import key_rotation
from api.domain.complaints.intake import ComplaintDraft, Reporter
from api.domain.subscriptions import subscribe
from api.models import Beneficiary, Complaint, DisbursementSubscription, LookupAudit
from api.services import Services
from tests.complaints_support import channel_of, file_directly
from tests.conftest import make_settings
from tests.registry_support import KK, SITI, RegistryRows, import_people

OLD_DATA_KEY = "dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1leGFjdGx5ISE="  # the fixtures' key
NEW_DATA_KEY = base64.b64encode(b"n" * 32).decode()
OLD_HASH_KEY = "test-nik-hash-key-0123456789abcdef"  # the fixtures' key
NEW_HASH_KEY = "a-brand-new-nik-hash-key-for-2027"
ANAK = "3510016504150002"  # Siti's daughter, same family card
PEOPLE = (f"{SITI},{KK},Siti Aminah,351001,3,PKH,", f"{ANAK},{KK},Dewi Aminah,351001,3,PBI_JK,")
WRONG_DATA = ComplaintDraft(
    category="DATA_SALAH",
    description="Nama saya salah tulis di data.",
    subject_nik=SITI,
    region_code="351001",
)


@pytest.fixture
def registry_rows() -> RegistryRows:
    return RegistryRows(beneficiaries=PEOPLE)


@asynccontextmanager
async def service_with(services: Services, **keys):
    """The same database and Redis, the api as a process started with ``keys`` sees it."""
    other = Services.build(
        make_settings(services.settings.database_url, **keys), redis=services.redis
    )
    try:
        yield other
    finally:
        await other.audit.drain()
        if other.pool is not None:
            await other.pool.close()
        await other.engine.dispose()


async def found_by_status_check(services: Services, api_key: str) -> str | None:
    """The masked name a status check of Siti answers with (None: not found)."""
    app = create_app(services.settings, services=services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api.test",
        headers={"X-API-Key": api_key},
    ) as http:
        response = await http.post(
            "/api/v1/status-checks",
            json={"nik": SITI, "name": "Siti Aminah", "channel_user": "tg:1001"},
        )
    assert response.status_code == 200
    person = response.json()["person"]
    return person and person["name_masked"]


async def own_complaints(services: Services, api_key: str) -> list[str]:
    app = create_app(services.settings, services=services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api.test",
        headers={"X-API-Key": api_key},
    ) as http:
        response = await http.get("/api/v1/complaints", params={"channel_user": "tg:5"})
    assert response.status_code == 200
    return [item["tracking_id"] for item in response.json()]


@pytest.fixture
async def data_under_old_keys(services, registry, api_key):
    """Two people, a status check (audited), a subscription, a complaint about Siti."""
    assert await found_by_status_check(services, api_key) == "S**I A****H"
    async with services.engine.connect() as conn:
        siti = await conn.scalar(
            select(Beneficiary.id).where(Beneficiary.nik_hash == services.protector.nik_hash(SITI))
        )
    await subscribe(
        services.engine,
        beneficiary_id=siti,
        channel="telegram-bot",
        channel_user="tg:1001",
        locale="id",
    )
    channel = await channel_of(services, api_key)
    filed = await file_directly(
        services, channel, WRONG_DATA, reporter=Reporter(channel_user="tg:5", locale="id")
    )
    return filed.tracking_id


async def test_re_encryption_keeps_the_service_answering_before_during_and_after(
    services, data_under_old_keys, api_key
):
    async with service_with(services, DATA_ENCRYPTION_KEY=NEW_DATA_KEY) as without_old_key:
        # The new key alone cannot read yesterday's rows: that is what the rotation fixes.
        report = await key_rotation.reencrypt(without_old_key.engine, without_old_key.protector)
        assert (report.rewritten, report.unreadable) == (0, 4)
    async with service_with(
        services, DATA_ENCRYPTION_KEY=NEW_DATA_KEY, DATA_ENCRYPTION_KEY_PREVIOUS=OLD_DATA_KEY
    ) as during:
        assert await found_by_status_check(during, api_key) == "S**I A****H"
        report = await key_rotation.reencrypt(during.engine, during.protector, batch_size=1)
        # Two identities, one reporter, one subject.
        assert report.rewritten == 4 and report.unreadable == 0
        again = await key_rotation.reencrypt(during.engine, during.protector, batch_size=1)
        assert again.rewritten == 0
    async with service_with(services, DATA_ENCRYPTION_KEY=NEW_DATA_KEY) as after:
        assert await found_by_status_check(after, api_key) == "S**I A****H"
        assert await own_complaints(after, api_key) == [data_under_old_keys]
    # And the old key alone reads nothing any more.
    async with service_with(services) as old_only:
        report = await key_rotation.reencrypt(old_only.engine, old_only.protector)
        assert report.unreadable == 4


async def test_an_interrupted_re_encryption_resumes_without_redoing_a_row(
    services, data_under_old_keys
):
    class Stop(Exception):
        pass

    def stop_after_first_batch(report):
        raise Stop

    async with service_with(
        services, DATA_ENCRYPTION_KEY=NEW_DATA_KEY, DATA_ENCRYPTION_KEY_PREVIOUS=OLD_DATA_KEY
    ) as during:
        with pytest.raises(Stop):
            await key_rotation.reencrypt(
                during.engine, during.protector, batch_size=1, progress=stop_after_first_batch
            )
        # The batch the interruption cut short had committed: one row moved, three remain.
        rest = await key_rotation.reencrypt(during.engine, during.protector, batch_size=1)
        assert rest.rewritten == 3


async def test_re_hashing_finds_people_complaints_audit_and_subscriptions_under_the_new_key(
    services, data_under_old_keys, api_key, tmp_path
):
    old = services.protector
    async with service_with(
        services, NIK_HASH_KEY=NEW_HASH_KEY, NIK_HASH_KEY_PREVIOUS=OLD_HASH_KEY
    ) as rotated:
        new = rotated.protector
        # Before the pass a new-key process finds nobody: the api stays stopped meanwhile.
        assert await found_by_status_check(rotated, api_key) is None
        audited_before = await _count(rotated, LookupAudit.nik_hash == old.nik_hash(SITI))

        old_protector = key_rotation_protector(rotated, OLD_HASH_KEY)
        report = await key_rotation.rehash(rotated.engine, old_protector, new, batch_size=1)
        assert [(p.name, p.rewritten, p.unreadable) for p in report.passes] == [
            ("beneficiary", 2, 0),
            ("complaint", 1, 0),
        ]
        assert await found_by_status_check(rotated, api_key) == "S**I A****H"
        assert await own_complaints(rotated, api_key) == [data_under_old_keys]
        # The audit of the earlier check follows Siti to the new key (beside the two checks
        # made with the new key), and so does the family's subscription.
        assert await _count(rotated, LookupAudit.nik_hash == old.nik_hash(SITI)) == 0
        moved = await _count(rotated, LookupAudit.nik_hash == new.nik_hash(SITI))
        assert moved == audited_before + 2
        assert await _count(rotated, DisbursementSubscription.kk_hash == new.kk_hash(KK)) == 1
        assert await _count(rotated, Complaint.subject_nik_hash == new.nik_hash(SITI)) == 1
        # The row fingerprints are the import's: re-importing the same file changes nothing.
        again = await import_people(rotated, tmp_path / "again", *PEOPLE)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
        # A second run (or a resumed one) has nothing left to do.
        assert (await key_rotation.rehash(rotated.engine, old_protector, new)).rewritten == 0


async def test_rows_under_a_third_hash_key_are_reported_and_left_alone(
    services, data_under_old_keys
):
    async with service_with(services, NIK_HASH_KEY=NEW_HASH_KEY) as rotated:
        stranger = key_rotation_protector(rotated, "some-other-key-nobody-configured")
        report = await key_rotation.rehash(rotated.engine, stranger, rotated.protector)
        assert report.rewritten == 0 and report.unreadable == 3
    assert await _count(services, Beneficiary.nik_hash == services.protector.nik_hash(SITI)) == 1


def key_rotation_protector(services: Services, hash_key: str):
    from api.domain.protection import Protector

    return Protector(hash_key=hash_key.encode(), data_key=services.settings.data_key_bytes)


async def _count(services: Services, condition) -> int:
    from sqlalchemy import func

    table = condition.left.table
    async with services.engine.connect() as conn:
        return await conn.scalar(select(func.count()).select_from(table).where(condition))
