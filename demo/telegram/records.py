"""The stand-in's records: the citizens, what the bot sent, what a citizen's action
created, the calls the bot made, and the internal state of chats, files and the webhook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    number: int
    data: bytes
    folder: str
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str | None = None


@dataclass
class Chat:
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
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class Described:
    """A result answered with a ``description`` next to it (setWebhook, deleteWebhook)."""

    value: Any
    description: str
