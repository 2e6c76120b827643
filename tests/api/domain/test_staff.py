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
