"""The domicile a reporter states, and the pilot kab/kota an address names (pure)."""

from __future__ import annotations

import pytest

from api.domain.complaints.intake.domicile import (
    StatedDomicile,
    check_region_code,
    regency_named_in,
)
from api.domain.complaints.intake.problems import IntakeError, IntakeProblem
from api.domain.regions import region_codes

REGIONS = region_codes()
PILOTS = ("3510", "3573", "3507", "1872")  # Banyuwangi, Kota and Kabupaten Malang, Kota Metro


@pytest.mark.parametrize(
    ("typed", "stated"),
    [
        ("35.10.01", StatedDomicile("351001")),
        ("3510012001", StatedDomicile("351001", "3510012001")),
        ("351099", StatedDomicile(regency_code="3510")),  # a kecamatan nobody has
        ("35 10", StatedDomicile(regency_code="3510")),  # a kab/kota only
        ("35", StatedDomicile()),
    ],
)
def test_a_region_code_states_a_kecamatan_or_else_only_what_it_names(typed, stated):
    assert check_region_code(typed, regions=REGIONS) == stated


@pytest.mark.parametrize("typed", ["35-10-01", "351", "kecamatan"])
def test_what_is_no_region_code_at_all_is_refused(typed):
    with pytest.raises(IntakeError) as refused:
        check_region_code(typed, regions=REGIONS)

    assert refused.value.problem == IntakeProblem.DOMICILE_INVALID


@pytest.mark.parametrize(
    ("address", "regency"),
    [
        ("Jl. Ijen 5, Kota Malang", "3573"),
        ("Desa Sumberagung, Kab. Banyuwangi", "3510"),
        ("Kabupaten Malang", "3507"),
        ("dekat pasar, METRO", "1872"),
        ("Jl. Malang Raya 3, Surabaya", None),  # "Malang" alone: Kota or Kabupaten?
        ("Jl. Merdeka 5, Jakarta", None),
        ("Jl. Metropolitan 1", None),  # a word that contains a name is not the name
    ],
)
def test_an_address_names_a_pilot_kab_kota_only_unambiguously(address, regency):
    assert regency_named_in(address, regions=REGIONS, among=PILOTS) == regency
