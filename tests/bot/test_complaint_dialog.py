"""Filing a complaint in the chat: category, NIK, domicile, story, photo, privacy, confirm."""

from __future__ import annotations

import asyncio
import io

from PIL import Image
from sqlalchemy import select

from api.domain.complaints.outbox import relay_once, stream_for
from api.models import Complaint, ComplaintAttachment, OutboxMessage
from bot.notifications import delivered_marker
from tests.registry_support import SITI


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, format="JPEG")
    return buffer.getvalue()


async def stored(services):
    async with services.engine.connect() as conn:
        complaints = (await conn.execute(select(Complaint.__table__))).all()
        attachments = (await conn.execute(select(ComplaintAttachment.__table__))).all()
    return complaints, attachments


async def choose(citizen, label: str):
    [message] = await citizen.next_answers()
    citizen.press(message, label)
    return message


async def _file_through_the_chat(citizen, *, privacy: str = "Biasa") -> list:
    citizen.command("/adu")
    await choose(citizen, "Bantuan belum diterima")
    [_ask_nik] = await citizen.next_answers()
    nik_message = citizen.say(SITI)
    kept, domicile = await citizen.next_answers(2)
    citizen.press(domicile, "Pilih kabupaten/kota")
    [_ask_regency] = await citizen.next_answers()
    citizen.say("banyuwa")
    await choose(citizen, "Kabupaten Banyuwangi")
    await choose(citizen, "Pesanggaran")
    [_ask_story] = await citizen.next_answers()
    citizen.say("Bantuan PKH tahap 3 belum masuk ke rekening saya <b>sejak Agustus</b>.")
    [evidence] = await citizen.next_answers()
    citizen.standin.send_photo(citizen.chat_id, photo(), caption="buku tabungan")
    [received] = await citizen.next_answers()
    citizen.press(received, "Lanjut")
    await choose(citizen, privacy)
    [summary] = await citizen.next_answers()
    citizen.press(summary, "Kirim")
    sending, filed, menu = await citizen.next_answers(3)
    return [nik_message, kept, evidence, received, summary, filed]


async def test_the_whole_dialog_files_the_complaint_with_its_photo(citizen, services, registry):
    nik_message, kept, evidence, received, summary, filed = await _file_through_the_chat(citizen)

    complaints, attachments = await stored(services)
    assert nik_message.message_id in citizen.standin.deleted(citizen.chat_id)
    assert "3510********0001" in kept.plain_text
    assert "Lampiran 1 dari 5" in received.plain_text
    assert "<b>sejak Agustus</b>" in summary.plain_text  # the citizen's text, shown as typed
    # Said before sending: this kind's story, filed Biasa, is public (masked).
    assert "cerita Anda tampil untuk umum" in summary.plain_text
    [complaint] = complaints
    assert (complaint.category_code, complaint.office_code) == (
        "BANTUAN_TIDAK_DITERIMA",
        "DINSOS-3510",
    )
    assert complaint.description.endswith("<b>sejak Agustus</b>.")
    assert len(attachments) == 1 and attachments[0].content_type == "image/jpeg"
    tracking = complaint.tracking_id
    assert f"{tracking[:3]}-{tracking[3:6]}-{tracking[6:]}" in filed.plain_text
    assert "Dinas Sosial Kabupaten Banyuwangi" in filed.plain_text


async def test_the_summary_names_the_kecamatan_with_its_kab_kota(citizen, services, registry):
    *_, summary, _filed = await _file_through_the_chat(citizen)

    # "Pesanggaran" alone could be anywhere; the citizen checks it is the right one.
    assert "Wilayah: Kecamatan Pesanggaran, Kabupaten Banyuwangi" in summary.plain_text


async def test_the_complaint_is_confirmed_once_not_again_by_the_notification(
    citizen, services, registry
):
    *_, filed = await _file_through_the_chat(citizen)
    async with services.engine.connect() as conn:
        [(outbox_id, kind)] = (
            await conn.execute(select(OutboxMessage.id, OutboxMessage.kind))
        ).all()
    # The api's worker relays the "received" notification; the bot's sender handles it.
    while (await relay_once(engine=services.engine, redis=services.redis)).relayed:
        pass
    handled = delivered_marker(stream_for("telegram-bot"), outbox_id)
    for _ in range(100):
        if await services.redis.exists(handled):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the notification was never handled")

    [complaint], _ = await stored(services)
    tracking = complaint.tracking_id
    shown = f"{tracking[:3]}-{tracking[3:6]}-{tracking[6:]}"
    confirmations = [m for m in citizen.standin.sent(citizen.chat_id) if shown in m.plain_text]
    assert kind == "complaint.received"
    assert confirmations == [filed]


async def test_an_anonymous_complaint_is_filed_as_such(citizen, services, registry):
    *_, summary, _filed = await _file_through_the_chat(citizen, privacy="Anonim")

    [complaint], _ = await stored(services)
    assert complaint.privacy == "ANONIM"
    assert "cerita, alamat, dan identitas Anda tidak" in summary.plain_text


async def test_a_complaint_without_a_nik_chooses_kab_kota_then_kecamatan_by_name(citizen, services):
    citizen.command("/adu")
    await choose(citizen, "Pungli")
    [_ask_regency] = await citizen.next_answers()
    citizen.say("banyuwa")
    regencies = await choose(citizen, "Kabupaten Banyuwangi")
    [districts] = await citizen.next_answers()
    citizen.say("pesang")
    await choose(citizen, "Pesanggaran")
    [_ask_story] = await citizen.next_answers()
    citizen.say("Agen meminta Rp20.000 setiap pencairan.")
    [evidence] = await citizen.next_answers()
    citizen.press(evidence, "Lanjut")
    await choose(citizen, "Rahasia")
    [summary] = await citizen.next_answers()
    citizen.press(summary, "Kirim")
    await citizen.next_answers(3)

    [complaint], _ = await stored(services)
    assert "tidak tampil sama sekali" in summary.plain_text
    assert "Jawa Timur" in str(regencies.reply_markup)
    assert "Ketik sebagian nama" in districts.plain_text
    assert (complaint.district_code, complaint.office_code, complaint.privacy) == (
        "351001",
        "INSPEKTORAT-3510",
        "RAHASIA",
    )


async def _file_without_a_domicile(citizen, nik: str) -> tuple:
    citizen.command("/adu")
    await choose(citizen, "Bantuan belum diterima")
    await citizen.next_answers()
    citizen.say(nik)
    _, domicile = await citizen.next_answers(2)
    citizen.press(domicile, "Tidak tahu")
    await citizen.next_answers()
    citizen.say("Belum menerima bantuan.")
    [evidence] = await citizen.next_answers()
    citizen.press(evidence, "Lanjut")
    await choose(citizen, "Biasa")
    [summary] = await citizen.next_answers()
    citizen.press(summary, "Kirim")
    _sending, filed, _menu = await citizen.next_answers(3)
    return summary, filed


async def test_a_citizen_who_does_not_know_the_domicile_is_filed_for_triage(
    citizen, services, registry
):
    # Siti is registered in Banyuwangi; the chat must not say so, nor send it there.
    summary, filed = await _file_without_a_domicile(citizen, SITI)

    [complaint], _ = await stored(services)
    assert "ditentukan petugas" in summary.plain_text
    assert (complaint.office_code, complaint.in_triage) == ("NASIONAL", True)
    assert "Desk Pengaduan Bansos Nasional" in filed.plain_text
    assert "Banyuwangi" not in filed.plain_text


async def test_an_unregistered_nik_is_filed_for_triage_like_a_registered_one(citizen, services):
    _, filed = await _file_without_a_domicile(citizen, "3510014107900002")

    [complaint], _ = await stored(services)
    assert (complaint.office_code, complaint.in_triage) == ("NASIONAL", True)
    assert "Desk Pengaduan Bansos Nasional" in filed.plain_text


async def test_a_too_long_story_is_refused_and_the_draft_kept(citizen, services):
    citizen.command("/adu")
    await choose(citizen, "Pungli")
    await citizen.next_answers()
    citizen.say("banyuwa")
    await choose(citizen, "Kabupaten Banyuwangi")
    await choose(citizen, "Pesanggaran")
    await citizen.next_answers()
    citizen.say("x" * 5000)
    [refused] = await citizen.next_answers()
    citizen.say("Cerita yang pendek.")
    [evidence] = await citizen.next_answers()

    assert "terlalu panjang" in refused.plain_text
    assert "foto atau PDF" in evidence.plain_text


async def _to_the_story_step(citizen):
    """A complaint without a NIK, in Metro Pusat, up to the question for the story."""
    citizen.command("/adu")
    await choose(citizen, "Pungli")
    await citizen.next_answers()
    citizen.say("metro")
    await choose(citizen, "Kota Metro")
    await choose(citizen, "Metro Pusat")
    [ask_story] = await citizen.next_answers()
    return ask_story


async def test_the_bot_states_and_checks_the_apis_limits_not_copies(citizen, services, monkeypatch):
    monkeypatch.setattr("api.domain.complaints.intake.MAX_DESCRIPTION", 50)
    monkeypatch.setattr("api.domain.complaints.attachments.MAX_ATTACHMENTS", 1)
    ask_story = await _to_the_story_step(citizen)
    citizen.say("x" * 51)
    [refused] = await citizen.next_answers()
    citizen.say("Diminta uang.")
    [evidence] = await citizen.next_answers()
    citizen.standin.send_photo(citizen.chat_id, photo())
    [kept] = await citizen.next_answers()
    citizen.standin.send_photo(citizen.chat_id, photo())
    [limit] = await citizen.next_answers()

    assert "paling banyak 50 karakter" in ask_story.plain_text
    assert "paling banyak 50 karakter" in refused.plain_text
    assert "paling banyak 1)" in evidence.plain_text
    assert "Lampiran 1 dari 1 diterima" in kept.plain_text
    assert "Sudah 1 lampiran" in limit.plain_text


async def test_a_document_of_a_type_the_api_refuses_is_refused_at_once(citizen, services):
    await _to_the_story_step(citizen)
    citizen.say("Diminta uang.")
    await citizen.next_answers()
    citizen.standin.send_document(
        citizen.chat_id, b"GIF89a", file_name="bukti.gif", mime_type="image/gif"
    )
    [refused] = await citizen.next_answers()

    assert "Hanya foto atau berkas PDF" in refused.plain_text


async def test_a_file_that_is_not_what_it_claims_is_refused_when_it_arrives(citizen, services):
    # Called a PDF by its sender, a GIF in fact: the api would refuse it after sending.
    await _to_the_story_step(citizen)
    citizen.say("Diminta uang.")
    await citizen.next_answers()
    citizen.standin.send_document(
        citizen.chat_id, b"GIF89a" + bytes(64), file_name="bukti.pdf", mime_type="application/pdf"
    )
    [refused] = await citizen.next_answers()
    citizen.standin.send_photo(citizen.chat_id, photo())
    [kept] = await citizen.next_answers()
    citizen.press(kept, "Lanjut")
    await choose(citizen, "Biasa")
    [summary] = await citizen.next_answers()

    assert "diterima" not in refused.plain_text
    assert "bukan foto (JPEG, PNG, WebP) atau PDF" in refused.plain_text
    assert "Lampiran 1 dari 5 diterima" in kept.plain_text  # the refused file never counted
    assert "Lampiran: 1" in summary.plain_text


async def test_a_sticker_at_the_evidence_step_is_refused_kindly(citizen, services):
    citizen.command("/adu")
    await choose(citizen, "Pungli")
    await citizen.next_answers()
    citizen.say("metro")
    await choose(citizen, "Kota Metro")
    await choose(citizen, "Metro Pusat")
    await citizen.next_answers()
    citizen.say("Diminta uang.")
    await citizen.next_answers()
    citizen.standin.send_sticker(citizen.chat_id)
    [refused] = await citizen.next_answers()

    assert "Hanya foto atau berkas PDF" in refused.plain_text


async def test_cancel_drops_the_draft(citizen, services):
    citizen.command("/adu")
    await choose(citizen, "Pungli")
    await citizen.next_answers()
    citizen.command("/batal")
    cancelled, _menu = await citizen.next_answers(2)

    assert cancelled.plain_text == "Dibatalkan. Tidak ada yang dikirim."
    complaints, _ = await stored(services)
    assert complaints == []
