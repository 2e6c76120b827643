"""A local stand-in for the Telegram Bot API, to run the real python-telegram-bot against.

:class:`StandIn` holds the state of one bot and its private chats with citizens. ``app`` is a
Starlette ASGI app serving the Bot API's HTTP interface; :meth:`StandIn.serving` runs it with
uvicorn on 127.0.0.1 and yields the base URL to give python-telegram-bot::

    standin = StandIn(token=TOKEN)
    async with standin.serving() as base:
        application = (
            ApplicationBuilder().token(TOKEN)
            .base_url(f"{base}/bot").base_file_url(f"{base}/file/bot").build()
        )
        ...
        standin.send_command(1001, "/start")          # the citizen acts
        [reply] = await standin.wait_for_messages(1001, 1)

The driver methods (``send_text``, ``press_button``, ``block``, ``sent`` ...) are plain methods
meant to be called from the event loop that runs the server; the stand-in is not thread-safe.

Matches the Bot API (and the self-hosted telegram-bot-api server):

- ``{base}/bot{token}/{method}`` by GET or POST, parameters in the query string, a JSON body,
  a form-urlencoded body or multipart (files as parts or ``attach://name``); method names are
  case-insensitive; ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": ..., "parameters": {"retry_after": S}}`` with HTTP status N. Another token gets
  401 "Unauthorized", an unknown method 404 "Not Found". Files at
  ``{base}/file/bot{token}/{file_path}`` once getFile has given their path.
- getUpdates: offset confirms (and a negative offset keeps only the last updates), limit,
  long polling that waits up to ``timeout`` seconds and answers as soon as an update arrives,
  allowed_updates remembered from the last call that gave it (updates of other types are not
  kept), a second getUpdates ends the waiting one with 409, and while a webhook is set
  getUpdates answers 409.
- Webhooks: each update is POSTed as JSON, in order, with ``X-Telegram-Bot-Api-Secret-Token``
  when a secret_token was set; an update counts as delivered on a 2xx answer, otherwise it is
  retried and getWebhookInfo reports ``last_error_date``/``last_error_message``.
- Messages: text and captions after HTML parsing (see ``demo.telegram.limits``), their lengths,
  reply markups and callback_data, "message is not modified", edits without reply_markup
  removing the inline keyboard, message ids shared by both sides of a private chat, replies
  (reply_parameters / reply_to_message_id), deleting the citizen's messages too.
- Flood control (1 message per second per chat, 30 per second overall, switchable, see
  ``FloodControl``), 429 on demand, and 403 "Forbidden: bot was blocked by the user".

Simplified:

- only private chats (a chat id is the citizen's user id; other chat ids: "chat not found");
  by default a bot may write to any positive chat id (``known_chats_only=True`` refuses chats
  where the citizen never wrote);
- inline mode, groups, payments, media groups, polls and most send methods are not served
  (404 "Not Found" like any unknown method); edits by ``inline_message_id`` are refused;
- flood control counts sendMessage, sendPhoto and sendDocument (not edits or chat actions);
  blocking refuses those and sendChatAction only;
- a photo is one PhotoSize (Telegram makes several); a photo or document given as an HTTP URL
  is accepted without being fetched (its content is empty); a bot's uploaded photo must be an
  image Pillow can open ("IMAGE_PROCESS_FAILED" otherwise);
- webhooks: http URLs and any port are accepted (Telegram wants HTTPS on 443/80/88/8443), one
  delivery at a time whatever max_connections says, a reply in the webhook answer is ignored;
- callback queries never expire; answers are recorded, not shown anywhere;
- error texts for malformed parameters (as opposed to the cases above) are approximations.

:class:`StandIn` is assembled from rooms with one job each, which share the state its
``__init__`` creates: ``core`` (the shared state's operations), ``citizen`` (the driver
methods), ``inspection`` (reading back, waiting), ``http_interface`` (dispatch, parameter
decoding), ``updates`` (getMe, getUpdates), ``webhook``, ``messages`` (sends), ``editing``
(edits, deletions, callback answers), ``files`` and ``commands`` (command lists, menu button).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from demo.telegram.citizen import CitizenActions
from demo.telegram.commands import CommandMethods
from demo.telegram.core import StandInCore
from demo.telegram.editing import EditingMethods
from demo.telegram.files import FileMethods
from demo.telegram.flood import FloodControl
from demo.telegram.http_interface import HttpInterface
from demo.telegram.inspection import Inspection
from demo.telegram.limits import DEFAULT_LIMITS, Limits
from demo.telegram.messages import MessageMethods
from demo.telegram.params import Params
from demo.telegram.records import ApiCall, Chat, SentMessage, StoredFile, Webhook
from demo.telegram.serving import serve_asgi
from demo.telegram.updates import UpdatesMethods
from demo.telegram.webhook import WebhookMethods

DEFAULT_TOKEN = "123456789:STANDIN-TOKEN-for-tests-0123456789ab"


class StandIn(
    CitizenActions,
    Inspection,
    HttpInterface,
    UpdatesMethods,
    WebhookMethods,
    MessageMethods,
    EditingMethods,
    FileMethods,
    CommandMethods,
    StandInCore,
):
    """One bot's Telegram: its private chats, updates, files, commands and webhook.

    Args:
        token: the only token accepted; its numeric part before ':' is the bot's user id.
        per_chat_per_second, overall_per_second, rate_window_seconds: flood control, messages
            per window in one chat and over all chats (``self.flood`` can be changed later).
        enforce_rate_limits: whether flood control answers 429 (switchable at any time).
        limits: sizes (text, caption, callback_data, downloads, uploads).
        known_chats_only: refuse sends to chats where the citizen never wrote.
        webhook_retry_seconds: pause before delivering an update again after a failure.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        per_chat_per_second: int = 1,
        overall_per_second: int = 30,
        rate_window_seconds: float = 1.0,
        enforce_rate_limits: bool = True,
        limits: Limits = DEFAULT_LIMITS,
        bot_first_name: str = "Bansos",
        bot_username: str = "bansos_standin_bot",
        known_chats_only: bool = False,
        webhook_retry_seconds: float = 0.5,
        webhook_timeout_seconds: float = 10.0,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '<bot id digits>:<secret>'")
        self.token = token
        self.limits = limits
        self.flood = FloodControl(
            per_chat=per_chat_per_second,
            overall=overall_per_second,
            window_seconds=rate_window_seconds,
        )
        self.enforce_rate_limits = enforce_rate_limits
        self.known_chats_only = known_chats_only
        self.webhook_retry_seconds = webhook_retry_seconds
        self.webhook_timeout_seconds = webhook_timeout_seconds
        #: How many 429 answers were given (flood control and on demand).
        self.rate_limited_count = 0
        #: Set by :meth:`serving` while it runs.
        self.base_url: str | None = None
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }

        self._chats: dict[int, Chat] = {}
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._webhook: Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._callback_ids = itertools.count(4_600_000_000_000_000_001)
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._calls: list[ApiCall] = []
        self._fail_next = 0
        self._fail_retry_after = 1
        self._listeners: list[Callable[[str, SentMessage], None]] = []
        self._changed = asyncio.Event()
        self._closing = False

        handlers: dict[str, Callable[[Params], Any]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
        }
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle_method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._handle_file, methods=["GET"]),
            ],
            exception_handlers={HTTPException: self._handle_http_exception},
        )

    # --- running ------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def serving(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the Bot API with uvicorn on real sockets; yields ``http://host:port``."""
        async with serve_asgi(self.app, host=host, port=port) as base_url:
            self.base_url = base_url
            self._ensure_webhook_sender()
            try:
                yield base_url
            finally:
                # Long polls and the webhook sender end first, so uvicorn can stop at once.
                await self.aclose()
        self.base_url = None
        self._closing = False

    async def aclose(self) -> None:
        """End waiting getUpdates requests (with no updates) and stop webhook deliveries."""
        self._closing = True
        self._notify()
        await self._stop_webhook_sender()
