"""A browser-like client of the console: it keeps cookies, reads forms and posts them back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from api.domain.staff import create_staff
from api.domain.vocabulary import Role

PASSWORD = "kata-sandi-yang-panjang"
ACCOUNTS = {
    "banyuwangi": (Role.HANDLER, "DINSOS-3510"),
    "metro": (Role.HANDLER, "DINSOS-1872"),
    "kemensos": (Role.MINISTRY, "NASIONAL"),
    "admin": (Role.ADMIN, None),
}


class ConsoleBrowser:
    """Cookies kept like a browser's; ``csrf`` is read from the last page, as a form sends it."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.last: httpx.Response | None = None

    async def get(self, path: str, **kwargs) -> httpx.Response:
        self.last = await self.http.get(path, **kwargs)
        return self.last

    def csrf(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.last.text)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)

    async def post(self, path: str, data: dict, *, csrf: bool = True, **kwargs) -> httpx.Response:
        if csrf:
            data = {"csrf_token": self.csrf(), **data}
        self.last = await self.http.post(path, data=data, **kwargs)
        return self.last

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/console/sign-in")
        return await self.post("/console/sign-in", {"username": username, "password": password})


@pytest.fixture
async def accounts(services) -> dict[str, int]:
    return {
        username: await create_staff(
            services.engine,
            username=username,
            display_name=username.title(),
            password=PASSWORD,
            role=role,
            office_code=office,
        )
        for username, (role, office) in ACCOUNTS.items()
    }


@pytest.fixture
async def browser(services, accounts) -> AsyncIterator[ConsoleBrowser]:
    app = create_app(services.settings, services=services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as http:
        yield ConsoleBrowser(http)


@pytest.fixture
async def coordinator(services) -> str:
    """The coordinator of WK4 (Jawa Timur: Banyuwangi's region, not Metro's); their username."""
    await create_staff(
        services.engine,
        username="koordinator-wk4",
        display_name="Koordinator WK4",
        password=PASSWORD,
        role=Role.COORDINATOR,
        office_code="WK4",
    )
    return "koordinator-wk4"
