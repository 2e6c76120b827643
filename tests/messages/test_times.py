"""A time a person reads is local, named by its zone (WIB, WITA, WIT), never UTC."""

from pathlib import Path

import messages

CATALOGUES = sorted(Path(messages.__file__).parent.glob("*/*.j2"))


def test_no_sentence_tells_a_person_a_time_in_utc():
    in_utc = [str(path) for path in CATALOGUES if "UTC" in path.read_text(encoding="utf-8")]

    assert CATALOGUES and in_utc == []


def test_a_sign_in_lock_names_the_time_on_the_national_clock():
    for locale, clock in (("id", "pukul 15.05 WIB"), ("en", "at 15:05 WIB")):
        said = messages.render_text(
            locale, "staff.sign_in_locked", seconds=900, minutes=15, time="15:05"
        )
        assert clock in said
