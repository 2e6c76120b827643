"""`bansos chat`: talk to the real bot in a terminal, with no Telegram account or network.

The real bot (the same ``build_application``) polls a local stand-in of the Bot API in this
process and calls the running api; this module plays the citizen's Telegram app: it prints
what the bot sends (buttons numbered) and turns what you type into messages or button
presses. ``/foto PATH`` sends a photo, ``/berkas PATH`` a document, ``/keluar`` quits.

Given the Redis the api relays its notifications into (``bansos demo`` serves one), the bot's
notifier runs too, and a status change made by staff shows up here like any other message.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from redis.asyncio import Redis

from bot.app import attach_notifier, build_application
from bot.client import ApiClient
from bot.settings import BotSettings
from demo.telegram import SentMessage, StandIn, TgUser

CHAT_ID = 1001
QUIT = {"/keluar", "/quit", "/exit"}


class Terminal:
    """Shows the bot's messages and remembers the buttons of the latest one that had any."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self.buttons: list[tuple[int, str]] = []  # (message_id, callback_data) by number

    def show(self, event: str, message: SentMessage) -> None:
        if event == "deleted":
            return
        marker = "(diubah) " if event == "edited" else ""
        lines = [f"🤖 {marker}{message.plain_text or message.file_name or ''}"]
        keyboard = (message.reply_markup or {}).get("inline_keyboard")
        if keyboard:
            self.buttons = []
            for row in keyboard:
                for button in row:
                    self.buttons.append((message.message_id, button["callback_data"]))
                    lines.append(f"   [{len(self.buttons)}] {button['text']}")
        self.write("\n".join(lines) + "\n")


def act(standin: StandIn, terminal: Terminal, line: str) -> None:
    """One line typed by the citizen: a button number, a file, or a message."""
    line = line.rstrip("\n")
    if line.isdigit() and 1 <= int(line) <= len(terminal.buttons):
        message_id, data = terminal.buttons[int(line) - 1]
        try:
            standin.press_button(CHAT_ID, message_id, data)
        except ValueError:
            terminal.write("(tombol itu sudah tidak ada / that button is gone)\n")
        return
    command, _, argument = line.partition(" ")
    if command in ("/foto", "/photo", "/berkas", "/file"):
        path = Path(argument.strip()).expanduser()
        if not path.is_file():
            terminal.write(f"(berkas tidak ditemukan / no such file: {path})\n")
            return
        if command in ("/foto", "/photo"):
            standin.send_photo(CHAT_ID, path.read_bytes())
        else:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            standin.send_document(CHAT_ID, path.read_bytes(), path.name, mime)
        return
    if line.startswith("/"):
        standin.send_command(CHAT_ID, line)
    elif line:
        standin.send_text(CHAT_ID, line)


async def run_chat(
    *,
    api: ApiClient,
    redis: Redis,
    lines: AsyncIterator[str],
    write: Callable[[str], None],
    language: str = "id",
    notifications: Redis | None = None,
) -> None:
    """Run the bot against an in-process stand-in until ``lines`` ends or /keluar.

    ``redis`` holds the conversations; ``notifications``, when given, is the api's Redis,
    whose ``notifications:<channel>`` stream the bot's notifier delivers into this chat.
    """
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(CHAT_ID, "Warga", language_code=language))
    terminal = Terminal(write)
    standin.add_listener(terminal.show)
    async with standin.serving() as base_url:
        settings = BotSettings(TELEGRAM_BOT_TOKEN=standin.token, TELEGRAM_API_BASE_URL=base_url)
        application = build_application(settings, api=api, redis=redis, notifications=False)
        if notifications is not None:
            attach_notifier(application, notifications, settings, api=api)
        async with application:
            await application.post_init(application)
            await application.start()
            await application.updater.start_polling(poll_interval=0, timeout=1)
            try:
                act(standin, terminal, "/start")
                async for line in lines:
                    if line.strip() in QUIT:
                        break
                    act(standin, terminal, line)
                    # Let the bot answer before the next line is read.
                    await standin.wait_until_consumed(timeout=30)
                    await asyncio.sleep(0.2)
            finally:
                await application.updater.stop()
                await application.stop()
                if application.post_stop is not None:  # the notifier's stop, as run_polling
                    await application.post_stop(application)
    await standin.aclose()
