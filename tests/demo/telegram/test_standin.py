"""The Telegram Bot API stand-in, proven with the real python-telegram-bot.

A real ``Application`` (polling and webhook mode) and a plain ``Bot`` talk HTTP to the stand-in
on a real port; the tests play the citizen through the stand-in's driver methods, and check
Telegram's limits with the exceptions python-telegram-bot raises for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import html
import json
import socket
from collections.abc import AsyncIterator
from io import BytesIO

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from demo.telegram import StandIn, TgUser, parse_html, serve_asgi
from demo.telegram.updates import CONFLICT_OTHER_POLL, CONFLICT_WEBHOOK

TOKEN = "123456789:TEST-standin-token-abcdefghijklmnopq"
CHAT = 1001
SITI = TgUser(CHAT, "Siti", last_name="Aminah", username="siti_a", language_code="id")


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    """A served stand-in without flood control (conversations reply faster than 1/s)."""
    standin = StandIn(TOKEN, enforce_rate_limits=False)
    async with standin.serving():
        yield standin


@contextlib.asynccontextmanager
async def plain_bot(base: str, token: str = TOKEN) -> AsyncIterator[Bot]:
    async with Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot") as bot:
        yield bot


@pytest.fixture
async def bot(standin: StandIn) -> AsyncIterator[Bot]:
    async with plain_bot(standin.base_url) as bot:
        yield bot


# --- a small bot, as the project's bot will be built ------------------------------------------

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Cek status", callback_data="status"),
            InlineKeyboardButton("Bantuan", callback_data="help"),
        ]
    ]
)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    name = html.escape(update.effective_user.first_name)
    await update.message.reply_html(f"Halo <b>{name}</b>! Pilih layanan:", reply_markup=KEYBOARD)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"Anda menulis: {update.message.text}")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Sedang diproses")
    await query.edit_message_text(f"Pilihan: {query.data}")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    file = await update.message.photo[-1].get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_text(f"Foto diterima: {len(data)} byte")


def build_application(base: str, errors: list[BaseException]) -> Application:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .get_updates_read_timeout(5)
        .build()
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(filters.PHOTO, on_photo))
    application.add_handler(CallbackQueryHandler(on_button))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    application.add_error_handler(on_error)
    return application


@contextlib.asynccontextmanager
async def polling(application: Application) -> AsyncIterator[Application]:
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


# --- the conversation -------------------------------------------------------------------------


async def test_a_conversation_in_polling_mode(standin: StandIn) -> None:
    errors: list[BaseException] = []
    async with polling(build_application(standin.base_url, errors)):
        standin.add_user(SITI)
        command = standin.send_command(CHAT, "/start")
        [greeting] = await standin.wait_for_messages(CHAT, 1)
        assert greeting.plain_text == "Halo Siti! Pilih layanan:"
        assert greeting.text == "Halo <b>Siti</b>! Pilih layanan:"
        assert greeting.parse_mode == "HTML"
        assert greeting.entities == [{"type": "bold", "offset": 5, "length": 4}]
        assert greeting.reply_markup == {
            "inline_keyboard": [
                [
                    {"text": "Cek status", "callback_data": "status"},
                    {"text": "Bantuan", "callback_data": "help"},
                ]
            ]
        }
        assert greeting.message_id == command.message_id + 1  # one id sequence per chat

        standin.send_text(CHAT, "halo bot")
        sent = await standin.wait_for_messages(CHAT, 2)
        assert sent[1].plain_text == "Anda menulis: halo bot"

        press = standin.press_button(CHAT, greeting.message_id, "status")
        await standin.wait_until(lambda: standin.sent(CHAT)[0].edited, what="edit")
        edited = standin.sent(CHAT)[0]
        assert edited.plain_text == "Pilihan: status"
        assert edited.history == ["Halo <b>Siti</b>! Pilih layanan:"]
        assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
        answer = standin.callback_answer(press.callback_query_id)
        assert answer is not None and answer["text"] == "Sedang diproses"
        with pytest.raises(ValueError, match="no button"):
            standin.press_button(CHAT, greeting.message_id, "help")

        photo = png_bytes()
        standin.send_photo(CHAT, photo, caption="KKS saya")
        sent = await standin.wait_for_messages(CHAT, 3)
        assert sent[2].plain_text == f"Foto diterima: {len(photo)} byte"
        await standin.wait_until_consumed()
    assert errors == []
    assert len(standin.sent(CHAT)) == 3
    assert [call.method for call in standin.calls("answerCallbackQuery")] == ["answerCallbackQuery"]


# --- Telegram's limits ------------------------------------------------------------------------


async def test_text_length_is_counted_after_entity_parsing(bot: Bot) -> None:
    await bot.send_message(CHAT, "x" * 4096)
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(CHAT, "😀" * 4096)  # characters, not UTF-16 code units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(CHAT, png_bytes(), caption="x" * 1025)


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, standin: StandIn) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Pilih", callback_data=data)]])

    await bot.send_message(CHAT, "64 byte", reply_markup=keyboard("x" * 64))
    await bot.send_message(CHAT, "32 é = 64 byte", reply_markup=keyboard("é" * 32))
    for data in ("x" * 65, "é" * 33):  # the second is 33 characters but 66 bytes
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(CHAT, "terlalu panjang", reply_markup=keyboard(data))
    assert len(standin.sent(CHAT)) == 2


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>tebal", 'can\'t find end tag corresponding to start tag "b"'),
        ("baris<br>baru", 'unsupported start tag "br" at byte offset 5'),
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("</b>", "unexpected end tag at byte offset 0"),
        ("<span>rahasia</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "unclosed start tag at byte offset 0"),
    ],
)
async def test_bad_html_is_refused(bot: Bot, text: str, error: str) -> None:
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(CHAT, text, parse_mode="HTML")
    assert refused.value.message.lower() == f"can't parse entities: {error}"


async def test_bad_entities_and_markups_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(
            CHAT, "pendek", entities=[{"type": "bold", "offset": 3, "length": 9}]
        )
    with pytest.raises(BadRequest, match="(?i)text buttons are unallowed"):
        await bot.send_message(
            CHAT, "tombol", reply_markup=json.dumps({"inline_keyboard": [[{"text": "x"}]]})
        )
    with pytest.raises(BadRequest, match="(?i)unsupported parse_mode"):
        await bot.send_message(CHAT, "x", parse_mode="BBCode")


def test_html_parsing_matches_telegram() -> None:
    text, entities = parse_html(
        "😀 <i>é</i> &lt;b&gt; &amp;amp; &nbsp;"
        '<pre><code class="language-python">x = 1</code></pre>'
        '<a href="https://bansos.go.id">portal</a> <a href="tg://user?id=42">Budi</a>'
        " <tg-spoiler>NIK</tg-spoiler> <blockquote expandable>kutipan</blockquote>"
    )
    assert text == "😀 é <b> &amp; &nbsp;x = 1portal Budi NIK kutipan"
    assert entities == [
        {"type": "italic", "offset": 3, "length": 1},  # the emoji is two UTF-16 code units
        {"type": "pre", "offset": 21, "length": 5, "language": "python"},
        {"type": "text_link", "offset": 26, "length": 6, "url": "https://bansos.go.id"},
        {
            "type": "text_mention",
            "offset": 33,
            "length": 4,
            "user": {"id": 42, "is_bot": False, "first_name": ""},
        },
        {"type": "spoiler", "offset": 38, "length": 3},
        {"type": "expandable_blockquote", "offset": 42, "length": 7},
    ]


async def test_429_on_demand(bot: Bot, standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    standin.fail_next_sends(2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(CHAT, "nanti")
        assert limited.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(CHAT, "sekarang")
    assert standin.rate_limited_count == 2
    assert [message.plain_text for message in standin.sent(CHAT)] == ["sekarang"]


async def test_one_message_per_second_per_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    standin = StandIn(TOKEN)  # flood control on, 1 per second per chat, 30 overall
    async with standin.serving() as base, plain_bot(base) as bot:
        await bot.send_message(CHAT, "pertama")
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(CHAT, "kedua, terlalu cepat")
        assert limited.value.retry_after == dtm.timedelta(seconds=1)
        await bot.send_message(CHAT + 1, "chat lain boleh")
        await asyncio.sleep(1.0)
        await bot.send_message(CHAT, "kedua, sesudah sedetik")
        standin.enforce_rate_limits = False
        await bot.send_message(CHAT, "tanpa batas")
    assert standin.rate_limited_count == 1
    assert len(standin.sent(CHAT)) == 3


async def test_overall_limit_over_all_chats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    standin = StandIn(TOKEN, overall_per_second=3)
    async with standin.serving() as base, plain_bot(base) as bot:
        for chat_id in (1, 2, 3):
            await bot.send_message(chat_id, "pengumuman")
        with pytest.raises(RetryAfter):
            await bot.send_message(4, "pengumuman")
    sent_at = [standin.sent(chat_id)[0].sent_at for chat_id in (1, 2, 3)]
    assert sent_at == sorted(sent_at)


async def test_a_blocked_chat_is_forbidden(bot: Bot, standin: StandIn) -> None:
    standin.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "halo")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(CHAT, "typing")
    standin.unblock(CHAT)
    await bot.send_message(CHAT, "halo lagi")
    assert [message.plain_text for message in standin.sent(CHAT)] == ["halo lagi"]


# --- webhooks ---------------------------------------------------------------------------------


async def test_webhook_mode_with_pythontelegrambots_own_server(standin: StandIn) -> None:
    errors: list[BaseException] = []
    application = build_application(standin.base_url, errors)
    port = free_port()
    async with application:
        await application.start()
        await application.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg-webhook",
            webhook_url=f"http://127.0.0.1:{port}/tg-webhook",
            secret_token="rahasia-bansos",
        )
        try:
            assert standin.webhook_url == f"http://127.0.0.1:{port}/tg-webhook"
            standin.send_text(CHAT, "lewat webhook")  # refused (403) without the secret header
            [reply] = await standin.wait_for_messages(CHAT, 1)
            assert reply.plain_text == "Anda menulis: lewat webhook"
            with pytest.raises(Conflict, match="webhook is active"):
                await application.bot.get_updates()
        finally:
            await application.updater.stop()
            await application.stop()
    assert errors == []


async def test_webhook_delivery_headers_and_retries() -> None:
    received: list[tuple[dict[str, str], dict]] = []

    async def receive(request: Request) -> Response:
        received.append((dict(request.headers), await request.json()))
        return Response(status_code=500 if len(received) == 1 else 200)

    receiver = Starlette(routes=[Route("/hook", receive, methods=["POST"])])
    standin = StandIn(TOKEN, webhook_retry_seconds=0.05)
    async with (
        standin.serving() as base,
        serve_asgi(receiver) as hook_base,
        httpx.AsyncClient(base_url=f"{base}/bot{TOKEN}") as client,
    ):
        answer = await client.post(
            "/setWebhook", json={"url": f"{hook_base}/hook", "secret_token": "rahasia-123"}
        )
        assert answer.json() == {"ok": True, "result": True, "description": "Webhook was set"}
        injected = standin.send_text(CHAT, "halo")
        await standin.wait_until_consumed()
        assert len(received) == 2  # the first answer was 500: delivered again
        headers, body = received[-1]
        assert headers["x-telegram-bot-api-secret-token"] == "rahasia-123"
        assert headers["content-type"] == "application/json"
        assert body == injected.update

        info = (await client.get("/getWebhookInfo")).json()["result"]
        assert info["url"] == f"{hook_base}/hook"
        assert info["pending_update_count"] == 0
        assert (
            info["last_error_message"]
            == "Wrong response from the webhook: 500 Internal Server Error"
        )

        conflict = await client.post("/getUpdates", json={"timeout": 0})
        assert conflict.status_code == 409
        assert conflict.json() == {"ok": False, "error_code": 409, "description": CONFLICT_WEBHOOK}

        deleted = (await client.post("/deleteWebhook")).json()
        assert deleted["description"] == "Webhook was deleted"
        standin.send_text(CHAT, "lagi")
        polled = (await client.post("/getUpdates", json={"timeout": 0})).json()
        assert [update["message"]["text"] for update in polled["result"]] == ["lagi"]


# --- getUpdates -------------------------------------------------------------------------------


async def test_long_polling_waits_and_answers_at_once(standin: StandIn) -> None:
    # Structural, not timed: the poll is still open once the stand-in has it, and it answers
    # with the update sent meanwhile before its own timeout (the client gives up sooner).
    async with httpx.AsyncClient(
        base_url=f"{standin.base_url}/bot{TOKEN}", timeout=httpx.Timeout(30, read=20)
    ) as client:
        empty = await client.post("/getUpdates", json={"timeout": 0})
        assert empty.json() == {"ok": True, "result": []}

        poll = asyncio.create_task(client.post("/getUpdates", data={"timeout": "60"}))
        for _ in range(2000):  # until the stand-in has received the poll
            if len(standin.calls("getUpdates")) == 2:
                break
            await asyncio.sleep(0.005)
        for _ in range(10):  # give a poll that does not wait every chance to answer early
            await asyncio.sleep(0)
        assert not poll.done()
        standin.send_text(CHAT, "satu")
        answer = await poll
        [first] = answer.json()["result"]
        assert first["message"]["text"] == "satu"
        assert first["message"]["from"]["id"] == CHAT
        assert first["message"]["chat"] == {
            "id": CHAT,
            "type": "private",
            "first_name": "Warga 1001",
        }

        standin.send_text(CHAT, "dua")
        standin.send_text(CHAT, "tiga")
        offset = first["update_id"] + 1
        page = await client.get("/getUpdates", params={"offset": offset, "limit": 1})
        assert [u["message"]["text"] for u in page.json()["result"]] == ["dua"]
        last = await client.get("/getUpdates", params={"offset": -1})
        [third] = last.json()["result"]
        assert third["message"]["text"] == "tiga"
        assert standin.pending_updates == 1  # "dua" was forgotten by the negative offset
        await client.get("/getUpdates", params={"offset": third["update_id"] + 1})
        assert standin.pending_updates == 0

        await client.post("/getUpdates", json={"allowed_updates": ["callback_query"]})
        standin.send_text(CHAT, "tidak diminta")
        assert standin.pending_updates == 0
        await client.post("/getUpdates", json={"allowed_updates": []})  # back to the default
        standin.send_text(CHAT, "diminta lagi")
        assert standin.pending_updates == 1

        [wanted] = (await client.get("/getUpdates")).json()["result"]
        await client.get("/getUpdates", params={"offset": wanted["update_id"] + 1})
        # A second getUpdates ends the one still waiting, as on Telegram.
        waiting = asyncio.create_task(client.post("/getUpdates", json={"timeout": 5}))
        await asyncio.sleep(0.2)
        await client.post("/getUpdates", json={"timeout": 0})
        ended = await waiting
        assert ended.status_code == 409
        assert ended.json()["description"] == CONFLICT_OTHER_POLL


# --- the HTTP interface -----------------------------------------------------------------------


async def test_parameters_in_every_encoding(standin: StandIn) -> None:
    async with httpx.AsyncClient(base_url=f"{standin.base_url}/bot{TOKEN}") as client:
        answers = [
            await client.get("/sendMessage", params={"chat_id": CHAT, "text": "GET"}),
            await client.post(
                "/sendMessage",
                json={
                    "chat_id": CHAT,
                    "text": "<i>JSON</i>",
                    "parse_mode": "HTML",
                    "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
                },
            ),
            await client.post(
                "/SENDMESSAGE",  # method names are case-insensitive
                data={
                    "chat_id": str(CHAT),
                    "text": "form",
                    "reply_markup": json.dumps({"keyboard": [["Ya", "Tidak"]]}),
                },
            ),
            await client.post(
                "/sendDocument",
                data={"chat_id": str(CHAT), "caption": "multipart"},
                files={"document": ("surat.pdf", b"%PDF-1.4 surat", "application/pdf")},
            ),
        ]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
        assert answers[1].json()["result"]["reply_markup"] == {
            "inline_keyboard": [[{"text": "A", "callback_data": "a"}]]
        }
        sent = standin.sent(CHAT)
        assert [message.plain_text for message in sent] == ["GET", "JSON", "form", "multipart"]
        assert standin.reply_keyboard(CHAT) == {"keyboard": [["Ya", "Tidak"]]}
        document = answers[3].json()["result"]["document"]
        assert document["file_name"] == "surat.pdf"
        assert document["mime_type"] == "application/pdf"
        assert standin.file_bytes(sent[3].file_id) == b"%PDF-1.4 surat"

        unknown = await client.post("/sendDice", json={"chat_id": CHAT})
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{standin.base_url}/bot999:wrong/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken):
        async with plain_bot(standin.base_url, token="999:wrong"):
            pass


async def test_every_citizen_action_makes_an_update_python_telegram_bot_reads(
    bot: Bot, standin: StandIn
) -> None:
    budi = TgUser(2002, "Budi", username="budi")
    standin.add_user(SITI)
    actions = [
        standin.send_text(CHAT, "teruskan", forward_from=budi),
        standin.send_sticker(CHAT, "🙏"),
        standin.send_voice(CHAT, b"OggS-suara", duration=4),
        standin.send_location(CHAT, -7.2575, 112.7521),
        standin.send_contact(CHAT, "+6281234567890"),
        standin.send_document(CHAT, b"%PDF", "kk.pdf", "application/pdf", caption="KK"),
    ]
    assert [action.message_id for action in actions] == [1, 2, 3, 4, 5, 6]
    forwarded, sticker, voice, location, contact, document = (
        Update.de_json(action.update, bot).message for action in actions
    )
    assert forwarded.forward_origin.sender_user.username == "budi"
    assert forwarded.from_user.full_name == "Siti Aminah"
    assert sticker.sticker.emoji == "🙏"
    assert voice.voice.file_size == len(b"OggS-suara")
    assert (location.location.latitude, location.location.longitude) == (-7.2575, 112.7521)
    assert (contact.contact.phone_number, contact.contact.user_id) == ("+6281234567890", CHAT)
    assert (document.document.file_name, document.caption) == ("kk.pdf", "KK")
    assert await (await document.document.get_file()).download_as_bytearray() == b"%PDF"
    polled = await bot.get_updates(timeout=0)
    assert [update.update_id for update in polled] == [a.update_id for a in actions]


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "bansos_standin_bot")
    assert me.can_join_groups is True


# --- files ------------------------------------------------------------------------------------


async def test_files_up_and_down(bot: Bot, standin: StandIn) -> None:
    message = await bot.send_document(CHAT, b"isi dokumen", filename="bukti.txt")
    assert message.document.file_name == "bukti.txt"
    file = await bot.get_file(message.document.file_id)
    assert file.file_path.endswith("/file/bot" + TOKEN + "/documents/file_1.txt")
    assert await file.download_as_bytearray() == bytearray(b"isi dokumen")

    photo = png_bytes(64, 48)
    sent_photo = await bot.send_photo(CHAT, photo, caption="<b>foto</b>", parse_mode="HTML")
    assert (sent_photo.photo[-1].width, sent_photo.photo[-1].height) == (64, 48)
    assert sent_photo.caption == "foto"
    again = await bot.send_photo(CHAT, sent_photo.photo[-1].file_id)  # by file_id
    assert again.photo[-1].file_id == sent_photo.photo[-1].file_id
    with pytest.raises(BadRequest, match="(?i)image_process_failed"):
        await bot.send_photo(CHAT, b"bukan gambar")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(CHAT, "tidak-ada")

    big = standin.send_document(CHAT, b"\0" * (20 * 1024 * 1024 + 1), "besar.bin")
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(big.file_id)
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("tidak-ada")
    async with httpx.AsyncClient() as client:
        missing = await client.get(f"{standin.base_url}/file/bot{TOKEN}/documents/nope.txt")
        assert missing.status_code == 404


# --- editing, deleting, commands, menu --------------------------------------------------------


async def test_edit_and_delete(bot: Bot, standin: StandIn) -> None:
    citizen = standin.send_text(CHAT, "NIK saya 3510014107900001")
    message = await bot.send_message(CHAT, "Terima kasih", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Terima kasih", CHAT, message.message_id, reply_markup=KEYBOARD)
    edited = await bot.edit_message_reply_markup(CHAT, message.message_id, reply_markup=None)
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", CHAT, citizen.message_id)
    with pytest.raises(BadRequest, match="(?i)inline keyboard expected"):
        await bot.edit_message_text(
            "x", CHAT, message.message_id, reply_markup=json.dumps({"remove_keyboard": True})
        )

    reply = await bot.send_message(
        CHAT, "NIK diterima", reply_parameters=ReplyParameters(citizen.message_id)
    )
    assert reply.reply_to_message.text == "NIK saya 3510014107900001"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(CHAT, "x", reply_parameters=ReplyParameters(999))

    assert await bot.delete_message(CHAT, citizen.message_id)  # the NIK leaves the chat
    assert await bot.delete_message(CHAT, message.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(CHAT, message.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, message.message_id)
    assert standin.deleted(CHAT) == [citizen.message_id, message.message_id]
    sent, replied = standin.sent(CHAT)
    assert sent.deleted and sent.edited
    assert replied.reply_to_message_id == citizen.message_id and not replied.deleted


async def test_commands_per_language_and_scope(bot: Bot, standin: StandIn) -> None:
    await bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("status", "Cek status")])
    await bot.set_my_commands([("start", "Start"), ("status", "Check status")], language_code="en")
    await bot.set_my_commands([("batal", "Batalkan")], scope=BotCommandScopeChat(CHAT))
    assert [c["command"] for c in standin.commands()] == ["start", "status"]
    assert standin.commands("en")[1] == {"command": "status", "description": "Check status"}
    assert standin.commands(scope={"type": "chat", "chat_id": CHAT}) == [
        {"command": "batal", "description": "Batalkan"}
    ]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == [
        "Start",
        "Check status",
    ]
    await bot.delete_my_commands(language_code="en")
    assert standin.commands("en") == []
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start!", "x")])

    assert await bot.set_chat_menu_button(CHAT)
    assert standin.menu_button(CHAT) == {"type": "commands"}
    assert await bot.send_chat_action(CHAT, "typing")
    assert standin.chat_actions(CHAT) == ["typing"]
    assert await bot.log_out()
