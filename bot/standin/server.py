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
- Messages: text and captions after HTML parsing (see ``bot.standin.limits``), their lengths,
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
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import mimetypes
import re
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.standin.limits import (
    DEFAULT_LIMITS,
    ApiError,
    FloodControl,
    Limits,
    check_caption_length,
    check_reply_markup,
    check_text_length,
    format_text,
    inline_callback_data,
)

DEFAULT_TOKEN = "123456789:STANDIN-TOKEN-for-tests-0123456789ab"

#: Update types Telegram only sends when allowed_updates names them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
_SCOPE_TYPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat"}
    | {"chat_administrators", "chat_member"}
)
_COMMAND = re.compile(r"^[a-z0-9_]+$")
_LEADING_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass(frozen=True)
class TgUser:
    """A citizen on Telegram. In a private chat the chat id is this user's id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "id"

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if value := getattr(self, name):
                user[name] = value
        return user

    def private_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for name in ("last_name", "username"):
            if value := getattr(self, name):
                chat[name] = value
        return chat


@dataclass
class SentMessage:
    """A message the bot sent, as it stands now (``sent()`` hands out copies)."""

    chat_id: int
    message_id: int
    method: str  # sendMessage, sendPhoto, sendDocument
    #: The text (or the caption of a photo/document) as the bot sent it, markup included.
    text: str | None
    #: What the citizen reads: ``text`` after parse_mode.
    plain_text: str | None
    parse_mode: str | None
    entities: list[dict[str, Any]]
    #: Any reply_markup the bot sent (inline keyboard, reply keyboard, removal), as a dict.
    reply_markup: dict[str, Any] | None
    date: int
    #: ``time.monotonic()`` when the stand-in accepted it (for throughput measurements).
    sent_at: float
    file_id: str | None = None
    file_name: str | None = None
    reply_to_message_id: int | None = None
    edited: bool = False
    #: Earlier ``text`` values, oldest first, one per edit of the text or caption.
    history: list[str | None] = field(default_factory=list)
    deleted: bool = False


@dataclass(frozen=True)
class Injected:
    """What a citizen's action created: the update, and ids to refer to it later."""

    update_id: int
    update: dict[str, Any]
    message_id: int | None = None
    file_id: str | None = None
    callback_query_id: str | None = None


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made (parameters as received; uploaded files by part name)."""

    method: str
    params: dict[str, Any]
    files: tuple[str, ...]


@dataclass
class _Upload:
    data: bytes
    filename: str | None
    content_type: str | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    number: int
    data: bytes
    folder: str
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str | None = None


@dataclass
class _Chat:
    user: TgUser
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    from_bot: dict[int, SentMessage] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reply_keyboard: dict[str, Any] | None = None
    blocked: bool = False


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Described:
    """A result answered with a ``description`` next to it (setWebhook, deleteWebhook)."""

    value: Any
    description: str


class _Params:
    """A request's parameters: strings from forms, typed values from a JSON body."""

    def __init__(self, values: dict[str, Any], files: dict[str, _Upload]) -> None:
        self.values, self.files = values, files

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value is None or value == "" else value

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def integer(self, name: str, *, invalid: str | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise ApiError.bad_request(invalid or f"invalid {name} specified")

    def number(self, name: str) -> float | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError.bad_request(f"invalid {name} specified") from None

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1"}
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.raw(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError.bad_request(f"can't parse {name} JSON object") from None
        return value

    def upload(self, name: str) -> _Upload | str | None:
        """A file parameter: an uploaded part, or a string (file_id or URL)."""
        if name in self.files:
            return self.files[name]
        value = self.text(name)
        if value and value.startswith("attach://"):
            upload = self.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
            return upload
        return value


class StandIn:
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

        self._chats: dict[int, _Chat] = {}
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
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

        handlers: dict[str, Callable[[_Params], Any]] = {
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

    # --- the citizen's actions ----------------------------------------------------------------

    def add_user(self, user: TgUser) -> TgUser:
        """Register a citizen (name, username, language) before or between their actions."""
        self._user_chat(user.id, user)
        return user

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user: TgUser | None = None,
        forward_from: TgUser | None = None,
        reply_to: int | None = None,
    ) -> Injected:
        """The citizen sends ``text`` (a leading /command gets its bot_command entity)."""
        chat = self._user_chat(chat_id, user)
        content: dict[str, Any] = {"text": text}
        if command := _LEADING_COMMAND.match(text):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command.group(0))}
            ]
        if forward_from is not None:
            content["forward_origin"] = {
                "type": "user",
                "sender_user": forward_from.to_api(),
                "date": _now(),
            }
        if reply_to is not None:
            content["reply_to_message"] = _as_reply(self._live_message(chat, reply_to))
        return self._user_message(chat, content)

    def send_command(self, chat_id: int, command: str, *, user: TgUser | None = None) -> Injected:
        """The citizen sends a command such as ``/start`` or ``/start token``."""
        if not _LEADING_COMMAND.match(command):
            raise ValueError(f"not a bot command: {command!r}")
        return self.send_text(chat_id, command, user=user)

    def press_button(
        self, chat_id: int, message_id: int, callback_data: str, *, user: TgUser | None = None
    ) -> Injected:
        """The citizen presses an inline button of one of the bot's messages.

        Raises ValueError when that message (still) has no button with this callback_data,
        since a Telegram client could not press it either.
        """
        chat = self._user_chat(chat_id, user)
        message = self._live_message(chat, message_id)
        buttons = inline_callback_data(message.get("reply_markup"))
        if message_id not in chat.from_bot or callback_data not in buttons:
            raise ValueError(
                f"message {message_id} in chat {chat_id} has no button with callback_data "
                f"{callback_data!r} (its buttons: {buttons})"
            )
        query_id = str(next(self._callback_ids))
        self._callbacks[query_id] = {"chat_id": chat_id, "message_id": message_id, "answer": None}
        query = {
            "id": query_id,
            "from": chat.user.to_api(),
            "message": copy.deepcopy(message),
            "chat_instance": str(chat_id * 7919 + self.bot_user["id"]),
            "data": callback_data,
        }
        update = self._push_update("callback_query", query)
        return Injected(
            update["update_id"],
            copy.deepcopy(update),
            message_id=message_id,
            callback_query_id=query_id,
        )

    def send_photo(
        self,
        chat_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        user: TgUser | None = None,
    ) -> Injected:
        """The citizen sends a photo; ``Injected.file_id`` works with getFile and download."""
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(data, "photos", mime_type="image/jpeg")
        content: dict[str, Any] = {"photo": [_photo_size(stored)]}
        if caption:
            content["caption"] = caption
        return self._user_message(chat, content, file_id=stored.file_id)

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        user: TgUser | None = None,
    ) -> Injected:
        """The citizen sends a file as a document."""
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(data, "documents", file_name=file_name, mime_type=mime_type)
        content: dict[str, Any] = {"document": _document(stored)}
        if caption:
            content["caption"] = caption
        return self._user_message(chat, content, file_id=stored.file_id)

    def send_sticker(
        self, chat_id: int, emoji: str = "👍", *, user: TgUser | None = None
    ) -> Injected:
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(b"RIFF\x00\x00\x00\x00WEBP", "stickers", mime_type="image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._user_message(chat, {"sticker": sticker}, file_id=stored.file_id)

    def send_voice(
        self,
        chat_id: int,
        data: bytes = b"OggS",
        *,
        duration: int = 1,
        user: TgUser | None = None,
    ) -> Injected:
        chat = self._user_chat(chat_id, user)
        stored = self._store_file(data, "voice", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._user_message(chat, {"voice": voice}, file_id=stored.file_id)

    def send_location(
        self, chat_id: int, latitude: float, longitude: float, *, user: TgUser | None = None
    ) -> Injected:
        chat = self._user_chat(chat_id, user)
        return self._user_message(
            chat, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    def send_contact(
        self, chat_id: int, phone_number: str, *, user: TgUser | None = None
    ) -> Injected:
        """The citizen shares their own phone number (the "share contact" button)."""
        chat = self._user_chat(chat_id, user)
        contact = {
            "phone_number": phone_number,
            "first_name": chat.user.first_name,
            "user_id": chat.user.id,
        }
        return self._user_message(chat, {"contact": contact})

    def inject_update(self, kind: str, payload: dict[str, Any]) -> Injected:
        """Queue any other update as given (``kind`` such as "edited_message")."""
        update = self._push_update(kind, copy.deepcopy(payload))
        return Injected(update["update_id"], copy.deepcopy(update))

    def block(self, chat_id: int) -> None:
        """The citizen blocks the bot: sends answer 403 "Forbidden: bot was blocked by the user"."""
        self._user_chat(chat_id, None).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._user_chat(chat_id, None).blocked = False

    # --- test controls ------------------------------------------------------------------------

    def fail_next_sends(self, count: int, retry_after: int = 1) -> None:
        """Answer the next ``count`` sends with 429 "Too Many Requests: retry after N"."""
        self._fail_next, self._fail_retry_after = count, retry_after

    def add_listener(self, callback: Callable[[str, SentMessage], None]) -> None:
        """Call ``callback(event, message)`` on "sent", "edited" and "deleted" bot messages."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[str, SentMessage], None]) -> None:
        self._listeners.remove(callback)

    # --- inspection ---------------------------------------------------------------------------

    def sent(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to the chat, in order, as they stand now (copies)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.sent) if chat else []

    def deleted(self, chat_id: int) -> list[int]:
        """Ids of the messages the bot deleted in the chat (its own and the citizen's)."""
        chat = self._chats.get(chat_id)
        return list(chat.deleted) if chat else []

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The whole chat, both sides, as Bot API Message objects (deleted ones included)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(list(chat.messages.values())) if chat else []

    def chat_actions(self, chat_id: int) -> list[str]:
        chat = self._chats.get(chat_id)
        return list(chat.actions) if chat else []

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the citizen currently sees (until the bot removes it)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat else None

    def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """How the bot answered a button press (text, show_alert, url), None if not yet."""
        query = self._callbacks.get(callback_query_id)
        return copy.deepcopy(query["answer"]) if query else None

    def commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[dict[str, str]]:
        """The bot's command list for a scope (default scope) and language ("" = all)."""
        key = (_scope_key(scope), language_code)
        return copy.deepcopy(self._commands.get(key, []))

    def menu_button(self, chat_id: int | None = None) -> dict[str, Any]:
        return copy.deepcopy(self._menu_button_of(chat_id))

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """The requests the bot made, oldest first; only those of ``method`` if given."""
        if method is None:
            return list(self._calls)
        return [call for call in self._calls if call.method.lower() == method.lower()]

    @property
    def webhook_url(self) -> str | None:
        return self._webhook.url if self._webhook else None

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by getUpdates' offset nor delivered to the webhook."""
        return len(self._updates)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 (a deadline for a condition, not for I/O)
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` holds; it is checked after every change of state."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"stand-in: {what} not reached within {timeout}s")
            await self._wait_change(remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` messages to the chat; returns ``sent()``."""

        def enough() -> bool:
            chat = self._chats.get(chat_id)
            return chat is not None and len(chat.sent) >= count

        try:
            await self.wait_until(enough, timeout=timeout)
        except TimeoutError:
            texts = [message.plain_text for message in self.sent(chat_id)]
            raise TimeoutError(
                f"the bot sent {len(texts)} message(s) to chat {chat_id} within {timeout}s, "
                f"not {count}: {texts}"
            ) from None
        return self.sent(chat_id)

    async def wait_until_consumed(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was confirmed (polling) or delivered (webhook)."""
        await self.wait_until(
            lambda: not self._updates, timeout=timeout, what="all updates consumed"
        )

    # --- HTTP ---------------------------------------------------------------------------------

    async def _handle_method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        found = self._methods.get(request.path_params["method"].lower())
        if found is None:
            return _error_response(ApiError(404, "Not Found"))
        name, handler = found
        try:
            params = await self._read_params(request)
            self._calls.append(ApiCall(name, dict(params.values), tuple(sorted(params.files))))
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            if error.code == 429:
                self.rate_limited_count += 1
            return _error_response(error)
        if isinstance(result, _Described):
            return JSONResponse(
                {"ok": True, "result": result.value, "description": result.description}
            )
        return JSONResponse({"ok": True, "result": result})

    async def _read_params(self, request: Request) -> _Params:
        values: dict[str, Any] = dict(request.query_params)
        files: dict[str, _Upload] = {}
        if request.method != "POST":
            return _Params(values, files)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/json":
            body = await request.body()
            if body.strip():
                try:
                    decoded = json.loads(body)
                except ValueError:
                    decoded = None
                if not isinstance(decoded, dict):
                    raise ApiError.bad_request("can't parse JSON encoded request parameters")
                values.update(decoded)
        elif content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
            async with request.form() as form:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        data = await value.read()
                        if len(data) > self.limits.max_upload_bytes:
                            raise ApiError(413, "Request Entity Too Large")
                        files[key] = _Upload(data, value.filename, value.content_type)
                    else:
                        values[key] = value
        return _Params(values, files)

    async def _handle_file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self._files_by_path.get(request.path_params["file_path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return Response(stored.data, media_type=stored.mime_type or "application/octet-stream")

    async def _handle_http_exception(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return _error_response(ApiError(status, "Not Found" if status == 404 else str(exc)))

    # --- state helpers ------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake everything waiting for a change (long polls, webhook sender, wait_until)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float | None) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    def _user_chat(self, chat_id: int, user: TgUser | None) -> _Chat:
        if user is not None and user.id != chat_id:
            raise ValueError("in a private chat the chat id is the citizen's user id")
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(user or TgUser(chat_id, f"Warga {chat_id}"))
        elif user is not None:
            chat.user = user
        return chat

    def _live_message(self, chat: _Chat, message_id: int) -> dict[str, Any]:
        message = chat.messages.get(message_id)
        if message is None or message_id in chat.deleted:
            raise ValueError(f"chat {chat.user.id} has no message {message_id}")
        return message

    def _user_message(
        self, chat: _Chat, content: dict[str, Any], *, file_id: str | None = None
    ) -> Injected:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = {
            "message_id": message_id,
            "from": chat.user.to_api(),
            "chat": chat.user.private_chat(),
            "date": _now(),
            **content,
        }
        chat.messages[message_id] = message
        update = self._push_update("message", message)
        return Injected(
            update["update_id"], copy.deepcopy(update), message_id=message_id, file_id=file_id
        )

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        allowed = self._allowed_updates
        if (kind in allowed) if allowed is not None else (kind not in _OPT_IN_UPDATES):
            self._updates.append(update)
            self._notify()
        return update

    def _store_file(
        self,
        data: bytes,
        folder: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> _StoredFile:
        number = next(self._file_numbers)
        stored = _StoredFile(
            file_id=f"standin-{folder}-{number:06d}",
            file_unique_id=f"standin-u{number:06d}",
            number=number,
            data=bytes(data),
            folder=folder,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def _emit(self, event: str, sent: SentMessage) -> None:
        for listener in list(self._listeners):
            listener(event, copy.deepcopy(sent))
        self._notify()

    # --- methods: bot, updates, webhook -------------------------------------------------------

    def _true(self, params: _Params) -> bool:
        return True

    def _get_me(self, params: _Params) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_allowed_updates(self, params: _Params) -> list[str] | None:
        allowed = params.json("allowed_updates")
        if allowed is None:
            return None
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise ApiError.bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(allowed) if allowed else None
        return allowed

    async def _get_updates(self, params: _Params) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.number("timeout") or 0.0, 0.0)
        self._set_allowed_updates(params)
        self._confirm(offset)

        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # a getUpdates still waiting ends with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._wait_change(remaining)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_OTHER_POLL)
            if self._webhook is not None:
                raise ApiError(409, CONFLICT_WEBHOOK)
        return copy.deepcopy(list(itertools.islice(self._updates, limit)))

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        if len(self._updates) != before:
            self._notify()

    def _set_webhook(self, params: _Params) -> _Described:
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
        hook = _Webhook(url, secret, max_connections, params.text("ip_address"), allowed)
        same = self._webhook is not None and (self._webhook.url, self._webhook.secret_token) == (
            url,
            secret,
        )
        self._webhook = hook
        self._notify()  # a waiting getUpdates ends with 409
        self._ensure_webhook_sender()
        return _Described(True, "Webhook is already set" if same else "Webhook was set")

    def _delete_webhook(self, params: _Params) -> _Described:
        return self._remove_webhook(params)

    def _remove_webhook(self, params: _Params) -> _Described:
        if params.boolean("drop_pending_updates"):
            self._updates.clear()
        had = self._webhook is not None
        self._webhook = None
        self._notify()
        return _Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _get_webhook_info(self, params: _Params) -> dict[str, Any]:
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
                hook.last_error_date, hook.last_error_message = _now(), error
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

    # --- methods: messages --------------------------------------------------------------------

    def _target_chat(self, params: _Params) -> _Chat:
        """The chat a method addresses (chat_id); a bot may write to any private chat."""
        raw = params.raw("chat_id")
        if raw is None:
            raise ApiError.bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError.bad_request("chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id <= 0 or self.known_chats_only:
                raise ApiError.bad_request("chat not found")
            chat = self._user_chat(chat_id, None)
        return chat

    def _admit_send(self, chat: _Chat) -> None:
        """429 on demand, then 403 for a blocked chat, then flood control."""
        if self._fail_next > 0:
            self._fail_next -= 1
            raise ApiError.too_many_requests(self._fail_retry_after)
        if chat.blocked:
            raise ApiError(403, BLOCKED)
        if self.enforce_rate_limits:
            retry_after = self.flood.acquire(chat.user.id)
            if retry_after is not None:
                raise ApiError.too_many_requests(retry_after)

    def _reply_target(self, chat: _Chat, params: _Params) -> dict[str, Any] | None:
        reply = params.json("reply_parameters")
        if isinstance(reply, dict):
            message_id, lenient = reply.get("message_id"), reply.get("allow_sending_without_reply")
        else:
            message_id = params.integer("reply_to_message_id")
            lenient = params.boolean("allow_sending_without_reply")
        if message_id is None:
            return None
        message = chat.messages.get(int(message_id))
        if message is None or int(message_id) in chat.deleted:
            if lenient:
                return None
            raise ApiError.bad_request("message to be replied not found")
        return message

    def _caption(self, params: _Params) -> tuple[str | None, str | None, list[dict[str, Any]]]:
        caption = params.text("caption")
        if caption is None:
            return None, None, []
        plain, entities = format_text(
            caption, params.text("parse_mode"), params.json("caption_entities")
        )
        check_caption_length(plain, self.limits)
        return caption, plain, entities

    def _send_message(self, params: _Params) -> dict[str, Any]:
        chat = self._target_chat(params)
        text = params.text("text")
        if text is None:
            raise ApiError.bad_request("message text is empty")
        parse_mode = params.text("parse_mode")
        plain, entities = format_text(text, parse_mode, params.json("entities"))
        check_text_length(plain, self.limits)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits)
        reply_to = self._reply_target(chat, params)
        self._admit_send(chat)
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._bot_message(
            chat, "sendMessage", content, text, plain, parse_mode, entities, markup, reply_to
        )

    def _send_photo(self, params: _Params) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption, plain, entities = self._caption(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits)
        reply_to = self._reply_target(chat, params)
        source = params.upload("photo")
        if source is None:
            raise ApiError.bad_request("there is no photo in the request")
        size = _image_size(source.data) if isinstance(source, _Upload) else None
        if isinstance(source, _Upload) and size is None:
            raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
        reused = self._reused_file(source)
        self._admit_send(chat)
        if reused is not None:
            stored = reused
        elif isinstance(source, _Upload):
            stored = self._store_file(source.data, "photos", mime_type="image/jpeg")
        else:  # an HTTP URL, not fetched
            stored = self._store_file(b"", "photos", mime_type="image/jpeg")
        content: dict[str, Any] = {"photo": [_photo_size(stored, size)]}
        _add_caption(content, plain, entities)
        return self._bot_message(
            chat,
            "sendPhoto",
            content,
            caption,
            plain,
            params.text("parse_mode"),
            entities,
            markup,
            reply_to,
            file=stored,
        )

    def _send_document(self, params: _Params) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption, plain, entities = self._caption(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits)
        reply_to = self._reply_target(chat, params)
        source = params.upload("document")
        if source is None:
            raise ApiError.bad_request("there is no document in the request")
        reused = self._reused_file(source)
        self._admit_send(chat)
        if reused is not None:
            stored = reused
        elif isinstance(source, _Upload):
            name = source.filename or "document"
            mime = source.content_type or mimetypes.guess_type(name)[0]
            stored = self._store_file(source.data, "documents", file_name=name, mime_type=mime)
        else:
            stored = self._store_file(b"", "documents", file_name=source.rsplit("/", 1)[-1])
        content: dict[str, Any] = {"document": _document(stored)}
        _add_caption(content, plain, entities)
        return self._bot_message(
            chat,
            "sendDocument",
            content,
            caption,
            plain,
            params.text("parse_mode"),
            entities,
            markup,
            reply_to,
            file=stored,
        )

    def _reused_file(self, source: _Upload | str) -> _StoredFile | None:
        """A file sent again by file_id; an unknown identifier that is no URL is refused."""
        if isinstance(source, _Upload):
            if not source.data:
                raise ApiError.bad_request("file must be non-empty")
            return None
        if source in self._files:
            return self._files[source]
        if source.lower().startswith(("http://", "https://")):
            return None
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _bot_message(
        self,
        chat: _Chat,
        method: str,
        content: dict[str, Any],
        text: str | None,
        plain: str | None,
        parse_mode: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        reply_to: dict[str, Any] | None,
        *,
        file: _StoredFile | None = None,
    ) -> dict[str, Any]:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(self.bot_user),
            "chat": chat.user.private_chat(),
            "date": _now(),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = _as_reply(reply_to)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        elif markup and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        chat.messages[message_id] = message
        sent = SentMessage(
            chat_id=chat.user.id,
            message_id=message_id,
            method=method,
            text=text,
            plain_text=plain,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            date=message["date"],
            sent_at=time.monotonic(),
            file_id=file.file_id if file else None,
            file_name=file.file_name if file else None,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
        )
        chat.from_bot[message_id] = sent
        chat.sent.append(sent)
        self._emit("sent", sent)
        return message

    def _send_chat_action(self, params: _Params) -> bool:
        chat = self._target_chat(params)
        action = params.text("action")
        if action not in _CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        if chat.blocked:
            raise ApiError(403, BLOCKED)
        chat.actions.append(action)
        self._notify()
        return True

    def _editable(self, params: _Params) -> tuple[_Chat, dict[str, Any], SentMessage]:
        if params.raw("inline_message_id") is not None:
            raise ApiError.bad_request("inline messages are not served by the stand-in")
        chat = self._target_chat(params)
        message_id = params.integer("message_id", invalid="message to edit not found")
        if message_id is None:
            raise ApiError.bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message_id in chat.deleted:
            raise ApiError.bad_request("message to edit not found")
        if message_id not in chat.from_bot:
            raise ApiError.bad_request("message can't be edited")
        return chat, message, chat.from_bot[message_id]

    def _apply_edit(
        self,
        message: dict[str, Any],
        sent: SentMessage,
        *,
        text_field: str | None,
        raw: str | None,
        plain: str | None,
        parse_mode: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Edit text or caption (``text_field``; None: markup only), refusing a no-op edit."""
        entities_field = "entities" if text_field == "text" else "caption_entities"
        unchanged_markup = message.get("reply_markup") == markup
        unchanged_text = text_field is None or (
            message.get(text_field) == plain and message.get(entities_field, []) == entities
        )
        if unchanged_markup and unchanged_text:
            raise ApiError.bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if text_field is not None:
            sent.history.append(sent.text)
            sent.text, sent.plain_text, sent.parse_mode = raw, plain, parse_mode
            sent.entities = entities
            for key, value in ((text_field, plain), (entities_field, entities)):
                if value:
                    message[key] = value
                else:
                    message.pop(key, None)
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        sent.reply_markup = markup
        sent.edited = True
        message["edit_date"] = _now()
        self._emit("edited", sent)
        return message

    def _edit_message_text(self, params: _Params) -> dict[str, Any]:
        chat, message, sent = self._editable(params)
        if "text" not in message:
            raise ApiError.bad_request("there is no text in the message to edit")
        text = params.text("text")
        if text is None:
            raise ApiError.bad_request("message text is empty")
        parse_mode = params.text("parse_mode")
        plain, entities = format_text(text, parse_mode, params.json("entities"))
        check_text_length(plain, self.limits)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits, inline_only=True)
        return self._apply_edit(
            message,
            sent,
            text_field="text",
            raw=text,
            plain=plain,
            parse_mode=parse_mode,
            entities=entities,
            markup=markup,
        )

    def _edit_message_caption(self, params: _Params) -> dict[str, Any]:
        chat, message, sent = self._editable(params)
        if "text" in message:
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, plain, entities = self._caption(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits, inline_only=True)
        return self._apply_edit(
            message,
            sent,
            text_field="caption",
            raw=caption,
            plain=plain,
            parse_mode=params.text("parse_mode"),
            entities=entities,
            markup=markup,
        )

    def _edit_message_reply_markup(self, params: _Params) -> dict[str, Any]:
        chat, message, sent = self._editable(params)
        markup = check_reply_markup(params.raw("reply_markup"), self.limits, inline_only=True)
        return self._apply_edit(
            message,
            sent,
            text_field=None,
            raw=None,
            plain=None,
            parse_mode=None,
            entities=[],
            markup=markup,
        )

    def _delete_message(self, params: _Params) -> bool:
        chat = self._target_chat(params)
        message_id = params.integer("message_id", invalid="message to delete not found")
        if message_id is None:
            raise ApiError.bad_request("message identifier is not specified")
        if message_id not in chat.messages or message_id in chat.deleted:
            raise ApiError.bad_request("message to delete not found")
        chat.deleted.append(message_id)
        sent = chat.from_bot.get(message_id)
        if sent is not None:
            sent.deleted = True
            self._emit("deleted", sent)
        else:
            self._notify()
        return True

    def _answer_callback_query(self, params: _Params) -> bool:
        query = self._callbacks.get(params.text("callback_query_id") or "")
        if query is None or query["answer"] is not None:
            raise ApiError.bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.text("text")
        if text is not None and len(text) > self.limits.max_callback_answer_length:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        query["answer"] = {
            "text": text,
            "show_alert": params.boolean("show_alert"),
            "url": params.text("url"),
            "cache_time": params.integer("cache_time") or 0,
        }
        self._notify()
        return True

    # --- methods: files, commands, menu button ------------------------------------------------

    def _get_file(self, params: _Params) -> dict[str, Any]:
        stored = self._files.get(params.text("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if len(stored.data) > self.limits.max_download_bytes:
            raise ApiError.bad_request("file is too big")
        if stored.file_path is None:
            extension = _extension(stored)
            stored.file_path = f"{stored.folder}/file_{stored.number}{extension}"
            self._files_by_path[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _scope_and_language(self, params: _Params) -> tuple[str, str]:
        scope = params.json("scope")
        if scope is not None and (
            not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES
        ):
            raise ApiError.bad_request("unsupported bot command scope specified")
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError.bad_request("invalid language code specified")
        return _scope_key(scope), language

    def _set_my_commands(self, params: _Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise ApiError.bad_request("can't parse commands JSON object")
        if len(commands) > self.limits.max_commands:
            raise ApiError.bad_request("too many commands specified")
        checked = []
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError.bad_request("can't parse BotCommand: object expected")
            name, description = command.get("command"), command.get("description")
            if (
                not isinstance(name, str)
                or not 1 <= len(name) <= self.limits.max_command_length
                or not _COMMAND.match(name)
            ):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if (
                not isinstance(description, str)
                or not 1 <= len(description) <= self.limits.max_command_description_length
            ):
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        key = self._scope_and_language(params)
        if checked:
            self._commands[key] = checked
        else:
            self._commands.pop(key, None)
        self._notify()
        return True

    def _get_my_commands(self, params: _Params) -> list[dict[str, str]]:
        return copy.deepcopy(self._commands.get(self._scope_and_language(params), []))

    def _delete_my_commands(self, params: _Params) -> bool:
        self._commands.pop(self._scope_and_language(params), None)
        self._notify()
        return True

    def _menu_button_of(self, chat_id: int | None) -> dict[str, Any]:
        if chat_id is not None and chat_id in self._menu_buttons:
            return self._menu_buttons[chat_id]
        return self._menu_buttons.get(None, {"type": "commands"})

    def _set_chat_menu_button(self, params: _Params) -> bool:
        chat_id = params.integer("chat_id", invalid="chat not found")
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in {
            "commands",
            "web_app",
            "default",
        }:
            raise ApiError.bad_request("can't parse menu button: unsupported type")
        if button["type"] == "default":
            self._menu_buttons.pop(chat_id, None)
        else:
            self._menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: _Params) -> dict[str, Any]:
        return copy.deepcopy(
            self._menu_button_of(params.integer("chat_id", invalid="chat not found"))
        )


# --- serving an ASGI app ----------------------------------------------------------------------


class _Server(uvicorn.Server):
    """uvicorn, minus its signal handlers: Ctrl-C stays with the program embedding it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve_asgi(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Run an ASGI app with uvicorn in this event loop; yields ``http://host:port``.

    ``port=0`` takes a free port. Also handy for small webhook receivers in tests.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="standin-uvicorn")
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


# --- small helpers ----------------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


def _error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.payload(), status_code=error.code)


def _as_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A message as ``reply_to_message``: Telegram does not nest replies further."""
    reply = copy.deepcopy(message)
    reply.pop("reply_to_message", None)
    return reply


def _add_caption(content: dict[str, Any], plain: str | None, entities: list[Any]) -> None:
    if plain:
        content["caption"] = plain
    if entities:
        content["caption_entities"] = entities


def _image_size(data: bytes) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def _photo_size(stored: _StoredFile, size: tuple[int, int] | None = None) -> dict[str, Any]:
    width, height = size or _image_size(stored.data) or (0, 0)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "width": width,
        "height": height,
    }


def _document(stored: _StoredFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def _extension(stored: _StoredFile) -> str:
    if stored.file_name and "." in stored.file_name:
        return "." + stored.file_name.rsplit(".", 1)[1]
    guessed = mimetypes.guess_extension(stored.mime_type or "") if stored.mime_type else None
    return {".jpe": ".jpg", ".jpeg": ".jpg"}.get(guessed or "", guessed or "")


def _scope_key(scope: dict[str, Any] | None) -> str:
    scope = dict(scope or {"type": "default"})
    if "chat_id" in scope:
        with contextlib.suppress(TypeError, ValueError):
            scope["chat_id"] = int(scope["chat_id"])
    return json.dumps(scope, sort_keys=True)


async def _post_update(
    client: httpx.AsyncClient, hook: _Webhook, update: dict[str, Any]
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
