"""Following a complaint through the real bot: status and timeline, answering the office's
request for information, and rating the answer (a poor first rating reopens it)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from sqlalchemy import select
from telegram.ext import ConversationHandler

import messages
from api.domain.complaints.intake import ComplaintDraft, Reporter
from api.domain.complaints.tracking_id import check_symbol, display
from api.domain.complaints.working_days import last_day
from api.domain.vocabulary import Action
from api.models import Complaint
from bot.app import back_to_menu, build_application, expired_button, not_understood
from bot.handlers.tracking import add_tracking_handlers
from bot.rendering.complaint import render_complaint
from bot.rendering.fitting import visible_length
from demo.telegram import StandIn, TgUser
from tests.bot import conftest as bot_conftest
from tests.bot.conftest import CHAT, Citizen
from tests.complaints_support import PUNGLI_IN_BANYUWANGI, act, channel_of, file_directly
from tests.conftest import BOTH_REDIS
from tests.sample_files import PDF

ANOTHER_MATTER = ComplaintDraft(
    category="LAINNYA",
    description="Bantuan PKH tahap 3 belum saya terima sampai sekarang.",
    region_code="351001",
)
COORDINATION_REGION = "Desk Wilayah Koordinasi IV – Jawa Timur"


def with_tracking(application) -> None:
    """Wire the tracking conversation in before the catch-all handlers (once)."""
    group = application.handlers.get(0, [])
    if any(isinstance(h, ConversationHandler) and h.name == "tracking" for h in group):
        return
    catch_alls = [
        h
        for h in group
        if getattr(h, "callback", None) in (back_to_menu, expired_button, not_understood)
    ]
    for handler in catch_alls:
        application.remove_handler(handler)
    add_tracking_handlers(application)
    for handler in catch_alls:
        application.add_handler(handler)


def wire_tracking_into_the_test_bot(monkeypatch) -> None:
    def build(*args, **kwargs):
        application = build_application(*args, **kwargs)
        with_tracking(application)
        return application

    monkeypatch.setattr(bot_conftest, "build_application", build)


@pytest.fixture
async def citizen(services, api_key, monkeypatch) -> AsyncIterator[Citizen]:
    wire_tracking_into_the_test_bot(monkeypatch)
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(CHAT, "Siti", language_code="id"))
    async with bot_conftest.running_bot(standin, services, api_key):
        yield Citizen(standin)
    await standin.aclose()


async def file_for(services, api_key, draft=PUNGLI_IN_BANYUWANGI, *, user=f"tg:{CHAT}"):
    channel = await channel_of(services, api_key)
    return await file_directly(
        services, channel, draft, reporter=Reporter(channel_user=user, locale="id")
    )


async def stored(services, complaint_id: int):
    table = Complaint.__table__
    async with services.engine.connect() as conn:
        return (await conn.execute(select(table).where(table.c.id == complaint_id))).one()


async def ask_for_information(services, filed, question="Kirim foto buku tabungan Anda."):
    await act(services, filed.id, Action.VERIFY)
    await act(services, filed.id, Action.REQUEST_INFO, note=question)


async def resolve(services, filed):
    await act(services, filed.id, Action.VERIFY)
    await act(services, filed.id, Action.RESOLVE, note="Sudah cair tanggal 3 <lewat BRI>.")


def labels(message) -> list[str]:
    return [b["text"] for row in message.reply_markup["inline_keyboard"] for b in row]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


async def open_answer_step(citizen, filed):
    citizen.command(f"/lacak {display(filed.tracking_id)}")
    [detail] = await citizen.next_answers()
    citizen.press(detail, "Jawab permintaan informasi")
    [ask] = await citizen.next_answers()
    return ask


# -- tracking ------------------------------------------------------------------------------


async def test_tracking_by_id_shows_status_office_deadline_and_timeline(citizen, services, api_key):
    filed = await file_for(services, api_key)
    await act(services, filed.id, Action.VERIFY)
    await act(services, filed.id, Action.REPLY, note="Kami cek ke <pendamping> & bank.")

    citizen.command(f"/lacak {filed.tracking_id.lower()[:4]} {filed.tracking_id.lower()[4:]}")
    [detail] = await citizen.next_answers()

    text = detail.plain_text
    assert f"Pengaduan {display(filed.tracking_id)}" in text
    assert "Jenis: Pungli atau penyalahgunaan oleh petugas" in text
    assert "Status: Terverifikasi" in text
    due = messages.long_date("id", last_day(filed.resolve_due))
    assert f"Batas penyelesaian: {due}" in text
    assert text.index("Pengaduan diterima") < text.index("Pengaduan diverifikasi")
    assert text.index("Pengaduan diverifikasi") < text.index("Pesan dari petugas")
    assert "“Kami cek ke <pendamping> & bank.”" in text  # staff text shown as typed
    assert labels(detail) == ["📋 Pengaduan saya", "⬅️ Menu utama"]


async def test_tracking_speaks_english_after_the_citizen_chose_it(citizen, services, api_key):
    filed = await file_for(services, api_key)
    citizen.command("/start")
    *_, menu = await citizen.answers(3)
    citizen.press(menu, "Language")
    [languages] = await citizen.next_answers()
    citizen.press(languages, "English")
    await citizen.next_answers(2)

    citizen.command(f"/track {display(filed.tracking_id)}")
    [detail] = await citizen.next_answers()

    text = detail.plain_text
    assert f"Complaint {display(filed.tracking_id)}" in text
    assert "Type: Illegal levy or abuse by an official or agent" in text
    assert "Status: Received" in text
    assert f"To be resolved by: {messages.long_date('en', last_day(filed.resolve_due))}" in text
    assert "Complaint received and sent to" in text
    assert labels(detail) == ["📋 My complaints", "⬅️ Main menu"]


async def test_a_typo_in_the_id_is_explained_and_the_corrected_id_is_then_accepted(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    good = filed.tracking_id
    typo = good[:3] + ("X" if good[3] != "X" else "Y") + good[4:]

    citizen.command(f"/lacak {typo}")
    [explained] = await citizen.next_answers()
    citizen.say(display(good))
    [detail] = await citizen.next_answers()

    assert "salah ketik" in explained.plain_text
    assert f"Pengaduan {display(good)}" in detail.plain_text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7K3-M9Q", "terdiri dari 9 huruf dan angka"),
        ("7K3/M9Q?X", "hanya berisi angka dan huruf"),
        ("../../admin", "terdiri dari 9 huruf dan angka"),
        ("---", "Tulis nomor pengaduan Anda"),
    ],
)
async def test_a_malformed_id_gets_the_apis_precise_sentence(citizen, typed, expected):
    citizen.command(f"/lacak {typed}")
    [explained] = await citizen.next_answers()

    assert expected in explained.plain_text


async def test_someone_elses_id_gets_the_same_not_found_as_an_unknown_one(
    citizen, services, api_key
):
    theirs = await file_for(services, api_key, user="tg:5")
    unknown = "00000000" + check_symbol("00000000")

    citizen.command(f"/lacak {theirs.tracking_id}")
    [for_theirs] = await citizen.next_answers()
    citizen.command(f"/lacak {unknown}")
    [for_unknown] = await citizen.next_answers()

    assert "tidak ditemukan" in for_theirs.plain_text
    assert for_theirs.plain_text == for_unknown.plain_text


async def test_the_list_shows_only_the_citizens_own_complaints_and_a_button_opens_one(
    citizen, services, api_key
):
    first = await file_for(services, api_key)
    second = await file_for(services, api_key, ANOTHER_MATTER)
    theirs = await file_for(services, api_key, user="tg:5")

    citizen.command("/lacak")
    [listing] = await citizen.next_answers()
    citizen.press(listing, display(first.tracking_id))
    [detail] = await citizen.next_answers()

    buttons = labels(listing)
    assert any(display(first.tracking_id) in label for label in buttons)
    assert any(display(second.tracking_id) in label for label in buttons)
    assert display(theirs.tracking_id) not in listing.plain_text
    assert not any(display(theirs.tracking_id) in label for label in buttons)
    assert "Lainnya" in listing.plain_text and "Pungli" in listing.plain_text
    assert f"Pengaduan {display(first.tracking_id)}" in detail.plain_text


async def test_a_sticker_while_choosing_is_refused_and_a_typed_id_then_works(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    citizen.command("/lacak")
    await citizen.next_answers()

    citizen.standin.send_sticker(citizen.chat_id)
    [refused] = await citizen.next_answers()
    citizen.say(display(filed.tracking_id).lower())
    [detail] = await citizen.next_answers()

    assert "Mohon kirim dalam bentuk teks" in refused.plain_text
    assert f"Pengaduan {display(filed.tracking_id)}" in detail.plain_text


async def test_no_complaints_gets_a_kind_sentence_and_the_menu(citizen, services, api_key):
    await file_for(services, api_key, user="tg:5")

    citizen.command("/lacak")
    empty, menu = await citizen.next_answers(2)

    assert "Belum ada pengaduan" in empty.plain_text
    assert menu.plain_text == "Apa yang ingin Anda lakukan?"


async def test_a_long_timeline_keeps_the_newest_entries_within_one_message(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    await act(services, filed.id, Action.VERIFY)
    for number in range(1, 16):
        await act(services, filed.id, Action.REPLY, note=f"Kabar ke-{number}: " + "x" * 400)

    citizen.command(f"/lacak {filed.tracking_id}")
    [detail] = await citizen.next_answers()

    text = detail.plain_text
    assert len(text) <= 4096
    assert "Kabar ke-15:" in text and "Kabar ke-1:" not in text
    assert "catatan lebih lama tidak ditampilkan" in text


def test_a_single_huge_note_is_shortened_to_fit_one_message():
    at = "2026-11-03T07:05:00+00:00"
    complaint = {
        "tracking_id": "7K3M9QX2P",
        "tracking_id_display": "7K3-M9Q-X2P",
        "status": "IN_PROGRESS",
        "status_label": "Sedang ditindaklanjuti",
        "category_label": "Pungli",
        "office": {"code": "X", "name": "Inspektorat"},
        "description": "<" * 4000,
        "deadlines": {"resolve": "2026-12-01T17:00:00+00:00"},
        "rating": None,
        "timeline": [
            {
                "at": at,
                "kind": "received",
                "status_label": "Diterima",
                "office": None,
                "note": None,
            },
            {"at": at, "kind": "reply", "status_label": None, "office": None, "note": "&" * 4000},
        ],
        "citizen_actions": [],
    }

    text = render_complaint(complaint, "id")

    assert visible_length(text) <= 4096
    assert "&amp;" in text and "&&&" not in text.replace("&amp;", "")
    assert "…" in text


@pytest.mark.parametrize(
    ("zone", "locale", "shown"),
    [
        ("WIB", "id", "3 Nov 2026, 14.05 WIB"),
        ("WITA", "id", "3 Nov 2026, 15.05 WITA"),
        ("WIT", "en", "3 Nov 2026, 16:05 WIT"),
    ],
)
def test_each_time_is_the_offices_local_time_named_by_its_zone(zone, locale, shown):
    complaint = {
        "tracking_id": "7K3M9QX2P",
        "tracking_id_display": "7K3-M9Q-X2P",
        "status": "VERIFIED",
        "status_label": "Terverifikasi",
        "category_label": "Pungli",
        "office": {"code": "X", "name": "Inspektorat"},
        "time_zone": zone,
        "description": "Pendamping meminta Rp50.000.",
        "deadlines": {"resolve": "2026-12-01T17:00:00Z"},
        "rating": None,
        "timeline": [
            {
                "at": "2026-11-03T07:05:00Z",
                "kind": "received",
                "status_label": "Diterima",
                "office": None,
                "note": None,
            }
        ],
        "citizen_actions": [],
    }

    text = render_complaint(complaint, locale)

    assert shown in text
    assert set(re.findall(r"\b(WIB|WITA|WIT)\b", text)) == {zone}


# -- answering a request for information -----------------------------------------------------


async def test_answering_with_a_photo_and_text_resumes_the_complaint(citizen, services, api_key):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)

    ask = await open_answer_step(citizen, filed)
    citizen.standin.send_photo(citizen.chat_id, jpeg())
    [saved] = await citizen.next_answers()
    citizen.say("Ini foto buku tabungan saya.")
    finished, menu = await citizen.next_answers(2)

    assert "“Kirim foto buku tabungan Anda.”" in ask.plain_text
    assert "Lampiran 1 tersimpan" in saved.plain_text
    assert "Jawaban Anda dan 1 lampiran sudah diterima" in finished.plain_text
    assert menu.plain_text == "Apa yang ingin Anda lakukan?"
    row = await stored(services, filed.id)
    assert row.status == "VERIFIED"
    citizen.command(f"/lacak {filed.tracking_id}")
    [detail] = await citizen.next_answers()
    assert "Anda mengirim informasi" in detail.plain_text
    assert "“Ini foto buku tabungan saya.”" in detail.plain_text
    assert "Lampiran ditambahkan: foto.jpg" in detail.plain_text


async def test_answering_with_text_first_then_done(citizen, services, api_key):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed, "Kapan terakhir menerima bantuan?")

    await open_answer_step(citizen, filed)
    citizen.say("Terakhir bulan Mei.")
    [sent] = await citizen.next_answers()
    citizen.press(sent, "Selesai")
    finished, _ = await citizen.next_answers(2)

    assert "Jawaban Anda sudah terkirim" in sent.plain_text
    assert "Status pengaduan sekarang: Terverifikasi" in sent.plain_text
    assert "Terima kasih" in finished.plain_text and "lampiran" not in finished.plain_text
    assert (await stored(services, filed.id)).status == "VERIFIED"


async def test_a_pdf_and_a_captioned_photo_are_attached_and_the_caption_is_the_answer(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    await open_answer_step(citizen, filed)

    citizen.standin.send_document(citizen.chat_id, PDF, "surat keterangan.pdf", "application/pdf")
    [pdf_saved] = await citizen.next_answers()
    citizen.standin.send_photo(citizen.chat_id, jpeg(), caption="Foto buku tabungan terlampir.")
    [answered] = await citizen.next_answers()
    citizen.press(answered, "Selesai")
    finished, _ = await citizen.next_answers(2)

    assert "Lampiran 1 tersimpan: surat keterangan.pdf" in pdf_saved.plain_text
    assert "tulis jawaban Anda" in pdf_saved.plain_text and pdf_saved.reply_markup is None
    assert "Lampiran 2 tersimpan" in answered.plain_text
    assert "Jawaban Anda sudah terkirim" in answered.plain_text
    assert "Jawaban Anda dan 2 lampiran sudah diterima" in finished.plain_text
    row = await stored(services, filed.id)
    assert row.status == "VERIFIED"


async def test_a_refused_attachment_shows_the_apis_sentence_and_keeps_the_step(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    await open_answer_step(citizen, filed)

    citizen.standin.send_document(citizen.chat_id, PDF, "foto.jpg", "image/jpeg")
    [refused] = await citizen.next_answers()
    citizen.say("Fotonya menyusul.")
    [sent] = await citizen.next_answers()

    assert "Isi berkas tidak sesuai dengan jenisnya" in refused.plain_text
    assert "Jawaban Anda sudah terkirim" in sent.plain_text


async def test_done_before_any_written_answer_asks_for_one_and_keeps_the_step(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    await open_answer_step(citizen, filed)
    citizen.say("Jawaban pertama.")
    [sent] = await citizen.next_answers()
    # The office asks again; an old Done button of the new step must not finish it.
    await act(services, filed.id, Action.REQUEST_INFO, note="Sebutkan nama bank.")
    await open_answer_step(citizen, filed)

    citizen.press(sent, "Selesai")
    [needed] = await citizen.next_answers()
    citizen.say("Bank BRI.")
    [sent_again] = await citizen.next_answers()

    assert "memerlukan jawaban tertulis" in needed.plain_text
    assert "Jawaban Anda sudah terkirim" in sent_again.plain_text


async def test_a_5000_character_answer_is_refused_and_the_step_is_kept(citizen, services, api_key):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    await open_answer_step(citizen, filed)

    citizen.say("a" * 5000)
    [refused] = await citizen.next_answers()
    citizen.say("Jawaban yang lebih singkat.")
    [sent] = await citizen.next_answers()

    assert "paling banyak 4.000 karakter; tulisan Anda 5.000 karakter" in refused.plain_text
    assert "Jawaban Anda sudah terkirim" in sent.plain_text


async def test_the_answer_step_states_and_checks_the_apis_limit_not_a_copy(
    citizen, services, api_key, monkeypatch
):
    monkeypatch.setattr("api.domain.complaints.actions.MAX_NOTE", 1200)
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)

    ask = await open_answer_step(citizen, filed)
    citizen.say("a" * 1500)
    [refused] = await citizen.next_answers()

    assert "paling banyak 1.200 karakter)" in ask.plain_text
    assert "paling banyak 1.200 karakter; tulisan Anda 1.500 karakter" in refused.plain_text


@pytest.mark.parametrize(
    ("act_", "expected"),
    [
        (lambda c: c.standin.send_sticker(c.chat_id), "Stiker, pesan suara"),
        (lambda c: c.standin.send_voice(c.chat_id), "Stiker, pesan suara"),
        (lambda c: c.standin.send_location(c.chat_id, -6.2, 106.8), "Stiker, pesan suara"),
        (
            lambda c: c.standin.send_text(c.chat_id, "Ini", forward_from=TgUser(7, "Orang Lain")),
            "Pesan terusan",
        ),
    ],
)
async def test_a_sticker_or_a_forward_at_the_answer_step_is_refused_kindly(
    citizen, services, api_key, act_, expected
):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    await open_answer_step(citizen, filed)

    act_(citizen)
    [refused] = await citizen.next_answers()
    citizen.say("Jawaban saya.")
    [sent] = await citizen.next_answers()

    assert expected in refused.plain_text
    assert "Jawaban Anda sudah terkirim" in sent.plain_text


async def test_cancel_mid_answer_sends_nothing_and_leaves_the_request_open(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    await open_answer_step(citizen, filed)

    citizen.command("/batal")
    cancelled, _ = await citizen.next_answers(2)
    citizen.say("Jawaban yang terlambat.")
    [not_understood, _] = await citizen.next_answers(2)

    assert cancelled.plain_text == "Dibatalkan. Tidak ada yang dikirim."
    assert "belum mengerti" in not_understood.plain_text
    assert (await stored(services, filed.id)).status == "NEEDS_INFO"


@BOTH_REDIS
async def test_the_answer_step_survives_a_bot_restart(services, api_key, monkeypatch):
    wire_tracking_into_the_test_bot(monkeypatch)
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    standin = StandIn(enforce_rate_limits=False)
    standin.add_user(TgUser(CHAT, "Siti", language_code="id"))
    citizen = Citizen(standin)

    async with bot_conftest.running_bot(standin, services, api_key):
        await open_answer_step(citizen, filed)
    async with bot_conftest.running_bot(standin, services, api_key):
        citizen.say("Jawaban sesudah bot dimulai ulang.")
        [sent] = await citizen.next_answers()
    await standin.aclose()

    assert "Jawaban Anda sudah terkirim" in sent.plain_text
    assert (await stored(services, filed.id)).status == "VERIFIED"


async def test_the_answer_button_of_an_old_message_says_when_nothing_is_asked_any_more(
    citizen, services, api_key
):
    filed = await file_for(services, api_key)
    await ask_for_information(services, filed)
    citizen.command(f"/lacak {filed.tracking_id}")
    [old] = await citizen.next_answers()
    await open_answer_step(citizen, filed)
    citizen.say("Sudah saya jawab.")
    [sent] = await citizen.next_answers()
    citizen.press(sent, "Selesai")
    await citizen.next_answers(2)

    citizen.press(old, "Jawab permintaan informasi")
    not_waiting, detail = await citizen.next_answers(2)

    assert "sedang tidak menunggu informasi" in not_waiting.plain_text
    assert "Status: Terverifikasi" in detail.plain_text


# -- rating ------------------------------------------------------------------------------------


async def test_rating_5_closes_the_complaint(citizen, services, api_key):
    filed = await file_for(services, api_key, ANOTHER_MATTER)
    await resolve(services, filed)

    citizen.command(f"/lacak {filed.tracking_id}")
    [detail] = await citizen.next_answers()
    citizen.press(detail, "5 ⭐")
    [thanks] = await citizen.next_answers()

    assert "Sudah cair tanggal 3 <lewat BRI>." in detail.plain_text
    assert "Nilai 1 atau 2 berarti Anda belum puas" in detail.plain_text
    assert "Terima kasih atas penilaian Anda (5 ⭐)" in thanks.plain_text
    assert "ditutup" in thanks.plain_text
    row = await stored(services, filed.id)
    assert (row.status, row.rating) == ("CLOSED", 5)
    # The stars are gone from the rated message.
    rated = next(
        m for m in citizen.standin.sent(citizen.chat_id) if m.message_id == detail.message_id
    )
    assert rated.reply_markup is None or not rated.reply_markup.get("inline_keyboard")


async def test_rating_1_reopens_at_the_coordination_region_and_says_so(citizen, services, api_key):
    filed = await file_for(services, api_key, ANOTHER_MATTER)
    await resolve(services, filed)

    citizen.command(f"/lacak {filed.tracking_id}")
    [detail] = await citizen.next_answers()
    citizen.press(detail, "1 ⭐")
    [reopened] = await citizen.next_answers()

    text = reopened.plain_text
    assert "dibuka kembali" in text
    assert f"diteruskan ke {COORDINATION_REGION}, kantor koordinasi wilayah" in text
    assert "paling lambat" in text and f"/lacak {display(filed.tracking_id)}" in text
    row = await stored(services, filed.id)
    assert (row.status, row.office_code) == ("IN_PROGRESS", "WK4")


async def test_an_old_rating_button_after_rating_gets_the_apis_kind_refusal(
    citizen, services, api_key
):
    filed = await file_for(services, api_key, ANOTHER_MATTER)
    await resolve(services, filed)
    citizen.command(f"/lacak {filed.tracking_id}")
    [first] = await citizen.next_answers()
    citizen.command(f"/lacak {filed.tracking_id}")
    [second] = await citizen.next_answers()
    citizen.press(second, "4 ⭐")
    await citizen.next_answers()

    citizen.press(first, "2 ⭐")
    refused, menu = await citizen.next_answers(2)

    assert "tidak dapat dilakukan" in refused.plain_text and "Ditutup" in refused.plain_text
    assert menu.plain_text == "Apa yang ingin Anda lakukan?"
    assert (await stored(services, filed.id)).rating == 4
