"""What browser tests share besides fixtures: the seeded accounts, the running server, and
the steps a person takes on a page (``sign_in``) or a reviewer wants kept (``screenshot``).

The server is a real ``bansos serve`` process (tests/console/browser/conftest.py starts it);
everything here talks to it the way its users do: over HTTP, through Chromium.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.async_api import Page

ROOT = Path(__file__).resolve().parents[3]
#: Debian's Chromium (``apt-get install chromium``); Playwright's own download cannot reach
#: its host from here, so the tests drive the system browser.
CHROMIUM = Path(os.environ.get("BANSOS_CHROMIUM", "/usr/bin/chromium"))
#: Committed pictures of the console (docs/console.md shows them).
SCREENSHOTS_DIR = ROOT / "docs" / "console"
#: Screenshots are written only when asked for, so an ordinary run leaves the tree clean
#: and a refreshed picture in a commit is a deliberate one (docs/testing.md).
SCREENSHOTS_WANTED = os.environ.get("BANSOS_SCREENSHOTS") == "1"

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

#: Every staff account shares this password; the tests that need a wrong one type another.
PASSWORD = "browser-tests-2026"


@dataclass(frozen=True, slots=True)
class StaffAccount:
    username: str
    role: str
    office_code: str | None
    password: str = PASSWORD


#: Dinas Sosial Kabupaten Banyuwangi: LAINNYA complaints from 351001 land here.
HANDLER = StaffAccount("dinsos-banyuwangi", "HANDLER", "DINSOS-3510")
#: Another office (Kota Metro): must see none of Banyuwangi's complaints.
OTHER_HANDLER = StaffAccount("dinsos-metro", "HANDLER", "DINSOS-1872")
#: The coordination region of Banyuwangi (Jawa Timur).
COORDINATOR = StaffAccount("koordinator-wk4", "COORDINATOR", "WK4")
MINISTRY = StaffAccount("kemensos", "MINISTRY", "NASIONAL")
ADMIN = StaffAccount("admin", "ADMIN", None)
STAFF = (HANDLER, OTHER_HANDLER, COORDINATOR, MINISTRY, ADMIN)


@dataclass
class ConsoleServer:
    """A running api: its address, its backend and a channel's API key to file with."""

    base_url: str
    backend: str  # "sqlite" or "postgres"
    api_key: str
    log_file: Path
    #: The server's own database, for a test that must move time (an idle session's clock).
    database_url: str

    async def file_complaint(
        self,
        *,
        category: str = "LAINNYA",
        description: str = "Bantuan sembako bulan ini belum dibagikan di kelurahan kami.",
        region_code: str | None = "351001",
        privacy: str = "BIASA",
        channel_user: str | None = None,
        locale: str = "id",
        **fields: object,
    ) -> str:
        """File a complaint through the channel API, as the Telegram bot would; its
        tracking id (canonical form). By default it lands at ``HANDLER``'s office.

        Each call is a new citizen unless ``channel_user`` says otherwise, so the per-user
        intake limit never decides a test.
        """
        reporter = {"channel_user": channel_user or f"tg:{uuid.uuid4().hex[:12]}", "locale": locale}
        body = {
            "reporter": reporter,
            "category": category,
            "description": description,
            "region_code": region_code,
            "privacy": privacy,
            **fields,
        }
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as http:
            response = await http.post(
                "/api/v1/complaints", json=body, headers={"X-API-Key": self.api_key}
            )
        assert response.status_code == 201, f"{response.text}\nserver log:\n{self.log()[-4000:]}"
        return response.json()["tracking_id"]

    def log(self) -> str:
        """What the server printed so far (for a failing test's message)."""
        return self.log_file.read_text(errors="replace")


async def sign_in(page: Page, username: str | StaffAccount, password: str | None = None) -> None:
    """Open the sign-in page, fill the form and submit it, as a person would."""
    if isinstance(username, StaffAccount):
        password = username.password if password is None else password
        username = username.username
    assert password is not None, "a username alone needs a password"
    await page.goto("/console/sign-in")
    await page.locator("input[name=username]").fill(username)
    await page.locator("input[name=password]").fill(password)
    # The form's one button submits it (a <button> is a submit button unless it says not).
    async with page.expect_navigation():
        await page.locator("form:has(input[name=password]) button").click()


_taken: set[str] = set()


async def screenshot(page: Page, name: str) -> Path | None:
    """Save the whole page as docs/console/<name>.png when BANSOS_SCREENSHOTS=1.

    The first backend to reach a name takes the picture (both render the same page), so a
    refresh writes each file once. Returns the file written, or None.
    """
    if not SCREENSHOTS_WANTED or name in _taken:
        return None
    _taken.add(name)
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


# Elements whose right edge passes the screen's: what a person would have to scroll to (or,
# under ``overflow-x: hidden``, could never see). Measured against the width the context was
# given, not ``innerWidth``: a mobile browser widens its layout to fit a too-wide page. A box
# inside a region that scrolls on its own (``overflow-x: auto``, a wide table's wrapper) is
# that region's business, not the page's.
_WIDER_THAN_THE_SCREEN = """
(width) => {
  const scrollsOnItsOwn = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  return Array.from(document.body.querySelectorAll("*"))
    .filter((e) => e.getBoundingClientRect().right > width + 0.5)
    .filter((e) => !scrollsOnItsOwn(e))
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}`
      + `${e.className && typeof e.className === "string" ? "." + e.className : ""}`
      + ` (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
}
"""


async def wider_than_the_screen(page: Page) -> list[str]:
    """The elements that reach past the screen's right edge (empty when the page fits)."""
    return await page.evaluate(_WIDER_THAN_THE_SCREEN, page.viewport_size["width"])
