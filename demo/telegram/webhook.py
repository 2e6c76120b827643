"""Webhooks: setWebhook, deleteWebhook, getWebhookInfo, and the sender that POSTs each update
in order, retrying failures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any

import httpx

from demo.telegram.core import now
from demo.telegram.limits import ApiError
from demo.telegram.params import Params
from demo.telegram.records import Described, Webhook

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def _post_update(
    client: httpx.AsyncClient, hook: Webhook, update: dict[str, Any]
) -> str | None:
    """POST one update to the webhook: None when delivered, else Telegram's error text."""
    headers = {"Content-Type": "application/json"}
    if hook.secret_token:
        headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
    try:
        response = await client.post(hook.url, content=json.dumps(update), headers=headers)
    except httpx.TimeoutException:
        return "Read timeout expired"
    except httpx.ConnectError:
        return "Connection refused"
    except httpx.HTTPError as exc:
        return f"Connection failed: {exc}"
    if 200 <= response.status_code < 300:
        return None
    return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"


class WebhookMethods:
    """The webhook side of update delivery."""

    def _set_webhook(self, params: Params) -> Described:
        url = params.text("url") or ""
        if not url:
            return self._remove_webhook(params)
        if not url.lower().startswith(("http://", "https://")):
            raise ApiError.bad_request("bad webhook: HTTPS url must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise ApiError.bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise ApiError.bad_request("invalid max_connections specified")
        allowed = self._set_allowed_updates(params)
        if params.boolean("drop_pending_updates"):
            self._updates.clear()
        hook = Webhook(url, secret, max_connections, params.text("ip_address"), allowed)
        same = self._webhook is not None and (self._webhook.url, self._webhook.secret_token) == (
            url,
            secret,
        )
        self._webhook = hook
        self._notify()  # a waiting getUpdates ends with 409
        self._ensure_webhook_sender()
        return Described(True, "Webhook is already set" if same else "Webhook was set")

    def _delete_webhook(self, params: Params) -> Described:
        return self._remove_webhook(params)

    def _remove_webhook(self, params: Params) -> Described:
        if params.boolean("drop_pending_updates"):
            self._updates.clear()
        had = self._webhook is not None
        self._webhook = None
        self._notify()
        return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        hook = self._webhook
        if hook is not None:
            info.update(url=hook.url, max_connections=hook.max_connections)
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _send_to_webhook(self) -> None:
        """Deliver queued updates to the webhook one by one, in order, retrying failures."""
        async with httpx.AsyncClient(
            timeout=self.webhook_timeout_seconds, trust_env=False
        ) as client:
            while not self._closing and (hook := self._webhook) is not None:
                if not self._updates:
                    await self._wait_change(None)
                    continue
                update = self._updates[0]
                error = await _post_update(client, hook, update)
                if error is None:
                    if self._updates and self._updates[0] is update:
                        self._updates.popleft()
                    self._notify()
                    continue
                hook.last_error_date, hook.last_error_message = now(), error
                self._notify()
                await asyncio.sleep(self.webhook_retry_seconds)

    def _ensure_webhook_sender(self) -> None:
        if self._webhook is not None and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.get_running_loop().create_task(
                self._send_to_webhook(), name="standin-webhook"
            )

    async def _stop_webhook_sender(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
