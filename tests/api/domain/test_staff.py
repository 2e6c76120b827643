"""Staff accounts: passwords are checked in a thread pool, never on the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from api.domain import staff
from api.domain.vocabulary import Role


async def test_the_event_loop_keeps_serving_other_requests_while_a_password_is_hashed(
    services, monkeypatch
):
    await staff.create_staff(
        services.engine,
        username="budi",
        display_name="Budi",
        password="kata-sandi-yang-panjang",
        role=Role.MINISTRY,
        office_code="NASIONAL",
    )
    hashing, other_request_ran = threading.Event(), threading.Event()
    loop_was_free: list[bool] = []

    def verify_until_the_loop_answers(password: str, stored: str) -> bool:
        # Were this on the event loop, the other request could not run until it returned:
        # the wait would run out (a guard against hanging, not a measure of time).
        hashing.set()
        loop_was_free.append(other_request_ran.wait(timeout=10))
        return False

    async def another_request() -> None:
        await asyncio.to_thread(hashing.wait, 10)  # the sign-in has reached its hash
        other_request_ran.set()

    monkeypatch.setattr(staff, "verify_password", verify_until_the_loop_answers)
    with pytest.raises(staff.StaffError):
        await asyncio.gather(
            staff.log_in(services.engine, username="budi", password="salah"), another_request()
        )
    assert loop_was_free == [True]


async def _account(services, **overrides) -> None:
    await staff.create_staff(
        services.engine,
        username=overrides.pop("username", "sari"),
        display_name="Sari",
        password=overrides.pop("password", "kata-sandi-yang-panjang"),
        role=Role.HANDLER,
        office_code="DINSOS-3510",
        **overrides,
    )


async def _stored_hash(services, username: str) -> str:
    from sqlalchemy import select

    from api.models import Staff

    async with services.engine.connect() as conn:
        return await conn.scalar(select(Staff.password_hash).where(Staff.username == username))


async def test_a_scrypt_hash_of_an_earlier_release_is_replaced_by_argon2id_at_sign_in(services):
    from sqlalchemy import update

    from api.domain.passwords import legacy_scrypt_hash
    from api.models import Staff

    await _account(services)
    async with services.engine.begin() as conn:
        await conn.execute(
            update(Staff.__table__).values(password_hash=legacy_scrypt_hash("kata-sandi-lama-1"))
        )
    await staff.log_in(services.engine, username="sari", password="kata-sandi-lama-1")
    assert (await _stored_hash(services, "sari")).startswith("$argon2id$")
    # The same password keeps working under the new hash.
    await staff.log_in(services.engine, username="sari", password="kata-sandi-lama-1")


async def test_a_console_session_ends_after_thirty_idle_minutes_but_an_api_token_does_not(
    services,
):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from api.models import StaffSession

    await _account(services)
    console, _ = await staff.log_in(
        services.engine, username="sari", password="kata-sandi-yang-panjang", console=True
    )
    bearer, _ = await staff.log_in(
        services.engine, username="sari", password="kata-sandi-yang-panjang"
    )
    assert await staff.staff_for_token(services.engine, console, console=True) is not None
    # A bearer token is not a console session: the cookie cannot carry an API token.
    assert await staff.staff_for_token(services.engine, bearer, console=True) is None

    long_ago = datetime.now(UTC) - timedelta(minutes=staff.CONSOLE_IDLE_MINUTES, seconds=5)
    async with services.engine.begin() as conn:
        await conn.execute(update(StaffSession.__table__).values(last_seen_at=long_ago))
    assert await staff.staff_for_token(services.engine, console, console=True) is None
    assert await staff.staff_for_token(services.engine, bearer) is not None


async def test_changing_the_password_clears_the_forced_change_and_ends_other_sessions(services):
    await _account(services, temporary=True)
    here, _ = await staff.log_in(
        services.engine, username="sari", password="kata-sandi-yang-panjang", console=True
    )
    elsewhere, _ = await staff.log_in(
        services.engine, username="sari", password="kata-sandi-yang-panjang"
    )
    member = await staff.staff_for_token(services.engine, here, console=True)
    assert member.must_change_password

    with pytest.raises(staff.StaffError, match="current_password_wrong"):
        await staff.change_password(
            services.engine, member, current="salah", new="kata-sandi-baru-sekali", keep_token=here
        )
    with pytest.raises(staff.StaffError, match="at least 12"):
        await staff.change_password(
            services.engine,
            member,
            current="kata-sandi-yang-panjang",
            new="pendek",
            keep_token=here,
        )
    await staff.change_password(
        services.engine,
        member,
        current="kata-sandi-yang-panjang",
        new="kata-sandi-baru-sekali",
        keep_token=here,
    )
    after = await staff.staff_for_token(services.engine, here, console=True)
    assert after is not None and not after.must_change_password
    assert await staff.staff_for_token(services.engine, elsewhere) is None
    with pytest.raises(staff.StaffError):
        await staff.log_in(services.engine, username="sari", password="kata-sandi-yang-panjang")
