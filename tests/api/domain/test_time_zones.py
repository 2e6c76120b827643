"""Which of Indonesia's three time zones an office keeps."""

from api.domain.time_zones import WIB, WIT, WITA, zone_of_province


def test_each_part_of_the_country_keeps_its_own_zone():
    assert zone_of_province("11") is WIB  # Aceh
    assert zone_of_province("35") is WIB  # Jawa Timur
    assert zone_of_province("61") is WIB  # Kalimantan Barat
    assert zone_of_province("64") is WITA  # Kalimantan Timur
    assert zone_of_province("51") is WITA  # Bali
    assert zone_of_province("73") is WITA  # Sulawesi Selatan
    assert zone_of_province("81") is WIT  # Maluku
    assert zone_of_province("91") is WIT  # Papua


def test_a_national_desk_without_a_province_keeps_jakarta_time():
    assert zone_of_province(None) is WIB
