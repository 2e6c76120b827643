"""The access matrix: who may view, act on and see the reporter of which complaint.

Every role × every place a complaint can be × escalation level × privacy mode, written out
as a table and checked against :mod:`api.domain.access` by ``test_access.py`` (the Python
rule) and ``test_access_sql.py`` (the listing's SQL, on SQLite and PostgreSQL). A new place
(say a triage office type) or a new staff member is one more row; a new role fails
``test_every_role_has_a_column`` until the table has its column.

Triage: a complaint whose domicile is unknown waits in a triage queue at the national desk
or at a coordination region's desk, without a regency and marked ``in_triage``; whoever may
view it there sets its domicile (``DOMICILE_SETTERS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.staff import StaffMember
from api.domain.vocabulary import Privacy, Role

LEVELS = (0, 1, 2)  # at the office, escalated to the coordination region, to the ministry


@dataclass(frozen=True)
class Place:
    """Where a complaint is: the office holding it and the domicile it was filed from."""

    office_code: str
    regency_code: str | None  # None: domicile unknown (triage)
    coordination_region_code: str | None  # set when the domicile is in the pilot

    @property
    def in_triage(self) -> bool:
        return self.regency_code is None


# Banyuwangi (3510) and Kota Malang (3573) are pilots in WK4, Kota Metro (1872) in WK1;
# Kabupaten Bojonegoro (3525) is in Jawa Timur outside the pilot (api/data/pilot.yaml).
PLACES: dict[str, Place] = {
    "own office": Place("DINSOS-3510", "3510", "WK4"),
    # Forwarded ("no wrong door") from Kota Metro: the office is WK4's, the domicile WK1's.
    "own office, from another region": Place("DINSOS-3510", "1872", "WK1"),
    "same region, other office": Place("DINSOS-3573", "3573", "WK4"),
    "other region": Place("DINSOS-1872", "1872", "WK1"),
    "region desk": Place("WK4", "3510", "WK4"),
    "region desk, from another region": Place("WK4", "1872", "WK1"),
    "other region's desk": Place("WK1", "1872", "WK1"),
    "province desk": Place("DINSOS-PROV-35", "3525", None),
    "national desk": Place("NASIONAL", "3525", None),
    "region triage": Place("WK4", None, "WK4"),
    "national triage": Place("NASIONAL", None, None),
}


def _member(id_: int, role: Role, office: str | None, region: str | None) -> StaffMember:
    return StaffMember(id_, f"staff-{id_}", f"Staff {id_}", role, office, region)


# The members are named for where they sit; "own office" above is the first handler's.
CAST: dict[str, StaffMember] = {
    "handler": _member(1, Role.HANDLER, "DINSOS-3510", "WK4"),
    "handler outside the pilot": _member(2, Role.HANDLER, "DINSOS-PROV-35", None),
    "coordinator": _member(3, Role.COORDINATOR, "WK4", "WK4"),
    # A coordinator account at an office of no coordination region: its missing region must
    # not match every complaint from outside the pilot, whose region is missing too.
    "coordinator without a region": _member(4, Role.COORDINATOR, "DINSOS-PROV-35", None),
    "ministry": _member(5, Role.MINISTRY, "NASIONAL", None),
    "administrator": _member(6, Role.ADMIN, None, None),
}


@dataclass(frozen=True)
class Allowed:
    view: bool
    act_at: str = ""  # the escalation levels at which the member may act, e.g. "12"


NO = Allowed(view=False)
ALL = Allowed(view=True, act_at="012")
ESCALATED = Allowed(view=True, act_at="12")  # to the region or beyond
TO_MINISTRY = Allowed(view=True, act_at="2")

_COLUMNS = (
    "handler",
    "handler outside the pilot",
    "coordinator",
    "coordinator without a region",
    "ministry",
    "administrator",
)
# fmt: off
_TABLE: dict[str, tuple[Allowed, ...]] = {
    # place                      handler  outside  coord.     coord. w/o  ministry     admin
    "own office":                (ALL,    NO,      ESCALATED, NO,         TO_MINISTRY, NO),
    # A coordinator's region is the domicile's, not the office's.
    "own office, from another region":
                                 (ALL,    NO,      NO,        NO,         TO_MINISTRY, NO),
    "same region, other office": (NO,     NO,      ESCALATED, NO,         TO_MINISTRY, NO),
    "other region":              (NO,     NO,      NO,        NO,         TO_MINISTRY, NO),
    "region desk":               (NO,     NO,      ALL,       NO,         TO_MINISTRY, NO),
    "region desk, from another region":
                                 (NO,     NO,      ALL,       NO,         TO_MINISTRY, NO),
    "other region's desk":       (NO,     NO,      NO,        NO,         TO_MINISTRY, NO),
    "province desk":             (NO,     ALL,     NO,        ALL,        TO_MINISTRY, NO),
    "national desk":             (NO,     NO,      NO,        NO,         ALL,         NO),
    "region triage":             (NO,     NO,      ALL,       NO,         TO_MINISTRY, NO),
    "national triage":           (NO,     NO,      NO,        NO,         ALL,         NO),
}
# fmt: on

EXPECTED: dict[tuple[str, str], Allowed] = {
    (member, place): row[column]
    for place, row in _TABLE.items()
    for column, member in enumerate(_COLUMNS)
}


#: Who may set the domicile of a complaint at each place; nobody, anywhere else.
DOMICILE_SETTERS: dict[str, set[str]] = {
    "region triage": {"coordinator", "ministry"},
    "national triage": {"ministry"},
}


def reporter_shown(allowed: Allowed, privacy: Privacy) -> bool:
    """Whoever may view a complaint sees its reporter, unless the reporter chose ANONIM."""
    return allowed.view and privacy is not Privacy.ANONIM
