"""How often one channel user may file, one API key over all its users, and anyone about
one NIK.

Like the status check's limits: intake reads nothing of the registry for its answer, but a
flood of complaints about one person, or from one account, is abuse all the same (and the
counters keep the cost of probing high should an answer ever leak again). Keys carry keyed
hashes only: a channel user may be an e-mail address, and a NIK is never stored in clear.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.api_keys import Channel
from api.domain.nik import NikError, parse_nik
from api.domain.protection import Protector
from api.domain.rate_limit import Limit, limit_key
from api.domain.regions import RegionCodes


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    per_user: int
    per_key: int  # over all the key's channel users: renaming the user does not reset it
    per_nik: int
    window_seconds: int


def intake_limits(
    limits: IntakeLimits,
    *,
    protector: Protector,
    regions: RegionCodes,
    channel: Channel,
    channel_user: str,
    subject_nik: str | None,
) -> list[Limit]:
    """The counters one filing bumps: its channel user's, its API key's, and its subject
    NIK's when the draft carries a well-formed one (a malformed one is refused by intake)."""
    user = protector.reporter_hash(channel.name, channel_user.strip())
    counters = [
        Limit(
            limit_key("intake", "user", channel.api_key_id, user[:16].hex()),
            limits.per_user,
            limits.window_seconds,
        ),
        Limit(
            limit_key("intake", "key", channel.api_key_id), limits.per_key, limits.window_seconds
        ),
    ]
    if subject_nik and subject_nik.strip():
        try:
            nik = parse_nik(subject_nik, regions=regions)
        except NikError:
            return counters
        counters.append(
            Limit(
                limit_key("intake", "nik", protector.nik_hash(nik.value)[:16].hex()),
                limits.per_nik,
                limits.window_seconds,
            )
        )
    return counters
