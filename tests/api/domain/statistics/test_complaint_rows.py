"""The complaint-level export's row: what each privacy level lets out, and the deadline tier."""

from __future__ import annotations

from datetime import UTC, datetime

from api.domain.statistics.complaint_rows import COLUMNS, DESCRIPTION, READ, columns, export_row

FILED = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def complaint(**changes) -> tuple:
    """A record as the query reads it, fields in :data:`READ`'s order."""
    fields = {
        "tracking_id": "BNS-7K2M9QX4",
        "created_at": FILED,
        "status": "RECEIVED",
        "category_code": "PUNGLI",
        "programme": None,
        "channel": "telegram",
        "office_code": "INSPEKTORAT-3510",
        "coordination_region_code": "WK4",
        "province_code": "35",
        "regency_code": "3510",
        "district_code": "351001",
        "privacy": "BIASA",
        "needs_field_check": False,
        "verify_due": FILED,
        "follow_up_due": FILED,
        "resolve_due": FILED,
        "verified_at": None,
        "followed_up_at": None,
        "answered_at": None,
        "closed_at": None,
        "escalation_level": 0,
        "breaches": "",
        "transfer_count": 0,
        "rating": None,
        "reopened": False,
        "description": "Diminta uang saat pencairan.",
    }
    given = {**fields, **changes}
    return tuple(given[name] for name in READ)


def written(record, *, with_description: bool = True) -> dict:
    row = export_row(record, tiers={"PUNGLI": "COORDINATION"}, with_description=with_description)
    return dict(zip(columns(with_description=with_description), row, strict=True))


def test_no_column_can_carry_a_reporter_a_nik_or_an_address():
    for forbidden in ("reporter", "contact", "nik", "subject", "address", "village", "latitude"):
        assert not any(forbidden in column for column in (*COLUMNS, DESCRIPTION))


def test_a_plain_complaint_keeps_its_kecamatan_and_its_words_when_asked():
    row = written(complaint())
    assert row["district"] == "351001"
    assert row["description"] == "Diminta uang saat pencairan."
    assert DESCRIPTION not in columns(with_description=False)
    assert len(export_row(complaint(), tiers={}, with_description=False)) == len(COLUMNS)


def test_a_confidential_complaint_stops_at_the_kab_kota_and_never_carries_its_words():
    row = written(complaint(privacy="RAHASIA"))
    assert (row["regency"], row["district"], row["description"]) == ("3510", None, None)


def test_an_anonymous_complaint_keeps_its_place():
    assert written(complaint(privacy="ANONIM"))["district"] == "351001"


def test_the_deadline_tier_is_the_categorys_unless_a_field_check_was_flagged():
    assert written(complaint())["deadline_tier"] == "COORDINATION"
    assert written(complaint(needs_field_check=True))["deadline_tier"] == "FIELD_CHECK"
    assert written(complaint(category_code="GONE"))["deadline_tier"] == "FIELD_CHECK"
    assert written(complaint(breaches=""))["breaches"] is None
    assert written(complaint(breaches="VERIFY"))["breaches"] == "VERIFY"
