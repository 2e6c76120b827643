"""Filling a response template's placeholders."""

from __future__ import annotations

from api.domain.response_templates import fill

VALUES = {"tracking_id": "BSX-7K2M-9QPA", "office": "Dinas Sosial Banyuwangi", "category": "Pungli"}


def test_each_known_placeholder_is_replaced_wherever_it_appears():
    body = "Pengaduan {tracking_id} ({category}) ditangani {office}. Kode: {tracking_id}."

    assert fill(body, VALUES) == (
        "Pengaduan BSX-7K2M-9QPA (Pungli) ditangani Dinas Sosial Banyuwangi. Kode: BSX-7K2M-9QPA."
    )


def test_an_unknown_placeholder_is_left_as_written():
    assert fill("Halo {nama} {0} {tracking_id.__class__}", VALUES) == (
        "Halo {nama} {0} {tracking_id.__class__}"
    )
