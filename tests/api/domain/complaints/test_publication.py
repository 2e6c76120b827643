"""Specification of what the public may read of a complaint (api.domain.complaints.publication)."""

from __future__ import annotations

import pytest

from api.domain.complaints.categories import load_categories
from api.domain.complaints.publication import (
    description_is_public,
    masked,
    public_area,
    public_text,
)

CATEGORIES = {category.code: category for category in load_categories()}
ABOUT_A_PERSON = ("USUL", "SANGGAH", "DATA_SALAH", "PUNGLI", "KARTU_REKENING")
ABOUT_THE_SERVICE = ("BANTUAN_TIDAK_DITERIMA", "NOMINAL_TIDAK_SESUAI", "LAINNYA")


@pytest.mark.parametrize("code", ABOUT_A_PERSON)
def test_no_description_is_public_for_a_category_about_a_person(code):
    assert not CATEGORIES[code].public_description
    assert not description_is_public(CATEGORIES[code], "BIASA")


@pytest.mark.parametrize("code", ABOUT_THE_SERVICE)
def test_a_description_about_the_service_is_public_unless_the_reporter_hid_it(code):
    category = CATEGORIES[code]

    assert description_is_public(category, "BIASA")
    assert not description_is_public(category, "ANONIM")
    assert not description_is_public(category, "RAHASIA")


def test_the_anonim_pungli_complaint_of_the_audit_publishes_nothing_of_its_words():
    text = "Saya Siti Aminah, HP 0812-3456-7890, dimintai Rp50.000 oleh pendamping."

    assert public_text(text, category=CATEGORIES["PUNGLI"], privacy="ANONIM") is None
    assert public_text(text, category=CATEGORIES["PUNGLI"], privacy="BIASA") is None


def test_an_unknown_category_publishes_nothing():
    assert public_text("Apa saja", category=None, privacy="BIASA") is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("HP 0812-3456-7890.", "HP [telepon]."),
        ("WA +62 812 3456 7890", "WA [telepon]"),
        ("hubungi 6281234567890", "hubungi [telepon]"),
        ("kantor (0333) 555-1234", "kantor [telepon]"),
        ("telp 021-5551234", "telp [telepon]"),
        ("siti.aminah+bansos@contoh.co.id menulis", "[email] menulis"),
        ("NIK 3510014107900001", "NIK [NIK]"),
        ("KK 3510.0120.0107.0003", "KK [NIK]"),
        ("anak 3510 0141 0790 0002", "anak [NIK]"),
    ],
)
def test_phones_emails_and_nik_or_kk_numbers_are_masked(text, shown):
    assert masked(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Diminta Rp50.000 oleh pendamping.",
        "Bantuan Rp 1.500.000 dipotong menjadi Rp 1.200.000.",
        "Tahap 3 tahun 2026, tanggal 12-11-2026.",
        "Dana Rp 62.000.000 untuk desa.",
    ],
)
def test_amounts_and_dates_stay_readable(text):
    assert masked(text) == text


def test_a_public_description_is_shown_masked():
    text = "Bantuan belum cair. HP saya 0812-3456-7890, email siti@contoh.id, NIK 3510014107900001."

    shown = public_text(text, category=CATEGORIES["LAINNYA"], privacy="BIASA")

    assert shown == "Bantuan belum cair. HP saya [telepon], email [email], NIK [NIK]."


def test_the_place_is_the_kecamatan_never_the_village():
    assert public_area("351001", "3510012001") == "351001"
    assert public_area(None, "3510012001") == "351001"
    assert public_area(None, None) is None
