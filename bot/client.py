"""A small typed client of the api, the bot's only way to the data (it never opens the database).

Every call carries the channel user (the Telegram chat) and the citizen's locale, so the api
answers in the citizen's language; a refusal comes back as :class:`ApiRefusal` with the
api's own sentence, ready to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bot.http import AiohttpTransport

#: The bot waits this long for the api; beyond it the citizen is told to try again.
TIMEOUT_SECONDS = 15.0


class ApiRefusal(Exception):
    """The api refused the request; ``message`` is the citizen-readable reason."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code, self.message, self.field = status, code, message, field


class ApiUnavailable(Exception):
    """The api could not be reached or failed; nothing is known to have happened."""


@dataclass(frozen=True)
class ComplaintLimits:
    """What the api accepts for a complaint (``GET /api/v1/complaint-limits``)."""

    description_max_chars: int
    #: The longest answer to a request for information.
    note_max_chars: int
    attachments_max_count: int
    attachment_max_bytes: int
    attachment_types: frozenset[str]


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    content_type: str | None


class ApiClient:
    def __init__(
        self, base_url: str, api_key: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"X-API-Key": api_key},
            timeout=TIMEOUT_SECONDS,
            transport=transport or AiohttpTransport(),
        )

    @property
    def base_url(self) -> str:
        """Where this client reaches the api (for log lines)."""
        return str(self._http.base_url).rstrip("/")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            raise ApiUnavailable(f"api answered {response.status_code}")
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                raise ApiUnavailable(f"api answered {response.status_code}") from None
            raise ApiRefusal(
                response.status_code, error["code"], error["message"], error.get("field")
            )
        return response.json()

    # -- the key itself ----------------------------------------------------------------

    async def own_channel(self) -> str:
        """The channel of this client's key: the api queues its notifications under it."""
        return (await self._call("GET", "/api/v1/channel"))["name"]

    # -- status checks -----------------------------------------------------------------

    async def check_nik_format(self, *, nik: str, locale: str) -> dict:
        """Format only: the api reads no registry for this, so it can be asked at once."""
        return await self._call("POST", "/api/v1/nik-checks", json={"nik": nik, "locale": locale})

    async def check_status(self, *, nik: str, name: str, user: str, locale: str) -> dict:
        return await self._call(
            "POST",
            "/api/v1/status-checks",
            json={"nik": nik, "name": name, "channel_user": user, "locale": locale},
        )

    async def subscribe(self, *, token: str, user: str, locale: str) -> dict:
        """ "Tell me when my aid moves", with the token of a status check that found the person."""
        return await self._call(
            "POST",
            "/api/v1/status-subscriptions",
            json={"token": token, "channel_user": user, "locale": locale},
        )

    # -- complaints --------------------------------------------------------------------

    async def complaint_limits(self) -> ComplaintLimits:
        answer = await self._call("GET", "/api/v1/complaint-limits")
        return ComplaintLimits(
            description_max_chars=answer["description_max_chars"],
            note_max_chars=answer["note_max_chars"],
            attachments_max_count=answer["attachments_max_count"],
            attachment_max_bytes=answer["attachment_max_bytes"],
            attachment_types=frozenset(answer["attachment_types"]),
        )

    async def categories(self, *, locale: str) -> list[dict]:
        return await self._call("GET", "/api/v1/complaint-categories", params={"locale": locale})

    async def file_complaint(
        self, *, user: str, locale: str, idempotency_key: str, **fields: Any
    ) -> dict:
        return await self._call(
            "POST",
            "/api/v1/complaints",
            json={"reporter": {"channel_user": user, "locale": locale}, **fields},
            headers={"Idempotency-Key": idempotency_key},
        )

    async def attach(self, *, tracking_id: str, user: str, locale: str, upload: Upload) -> dict:
        return await self._call(
            "POST",
            f"/api/v1/complaints/{tracking_id}/attachments",
            data={"channel_user": user, "locale": locale},
            files={"file": (upload.filename, upload.data, upload.content_type)},
        )

    async def my_complaints(self, *, user: str, locale: str, limit: int = 10) -> list[dict]:
        return await self._call(
            "GET",
            "/api/v1/complaints",
            params={"channel_user": user, "locale": locale, "limit": limit},
        )

    async def complaint(self, *, tracking_id: str, user: str, locale: str) -> dict:
        return await self._call(
            "GET",
            f"/api/v1/complaints/{tracking_id}",
            params={"channel_user": user, "locale": locale},
        )

    async def answer_request(
        self, *, tracking_id: str, user: str, locale: str, message: str
    ) -> dict:
        return await self._call(
            "POST",
            f"/api/v1/complaints/{tracking_id}/information",
            json={"channel_user": user, "locale": locale, "message": message},
        )

    async def rate(
        self, *, tracking_id: str, user: str, locale: str, rating: int, comment: str | None = None
    ) -> dict:
        return await self._call(
            "POST",
            f"/api/v1/complaints/{tracking_id}/rating",
            json={"channel_user": user, "locale": locale, "rating": rating, "comment": comment},
        )

    # -- regions -----------------------------------------------------------------------

    async def find_regencies(self, text: str) -> list[dict]:
        return await self._call("GET", "/api/v1/regions/regencies", params={"q": text})

    async def find_districts(self, regency_code: str, text: str | None = None) -> list[dict]:
        params = {"q": text} if text else {}
        return await self._call(
            "GET", f"/api/v1/regions/regencies/{regency_code}/districts", params=params
        )
