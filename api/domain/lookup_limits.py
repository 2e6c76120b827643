"""Which rate limits a status check counts, so that strangers cannot lock an owner out.

A check counts per channel user, and per API key over all its users (a renamed channel user
stays inside it). A check of a well-formed NIK also counts per NIK through one API key (name
guessing on a NIK stays as slow as one user's) and per NIK over every key, with a far higher
threshold (a stranger on one channel cannot lock the NIK on another).

The two per-NIK limits refuse whatever the name, since a refusal that depended on it would
tell the name. So strangers guessing names can keep them full: a channel user who has
already checked this NIK with the right name carries an *owner mark* and is spared them
(see docs/security.md, "rate limits", for the trade-offs).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from api.domain.rate_limit import Limit, limit_key

# How long a channel user keeps the owner mark of a NIK after checking it with the right name.
OWNER_MARK_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class LookupLimits:
    """Attempts per window: per channel user, per API key, per NIK through one key, per NIK."""

    per_user: int
    per_key: int
    per_nik_per_key: int
    per_nik: int
    window_seconds: int

    def of_caller(self, api_key_id: int, channel_user: str) -> list[Limit]:
        """What every attempt counts against, a malformed NIK's too."""
        window = self.window_seconds
        return [
            Limit(limit_key("lookup", "user", api_key_id, channel_user), self.per_user, window),
            Limit(limit_key("lookup", "key", api_key_id), self.per_key, window),
        ]

    def of_nik(self, api_key_id: int, channel_user: str, nik_hash: bytes) -> list[Limit]:
        """What a check of this NIK counts against; the owner mark spares its NIK limits."""
        nik, window = nik_hash[:16].hex(), self.window_seconds
        mark = owner_mark(nik_hash, api_key_id, channel_user)
        return [
            *self.of_caller(api_key_id, channel_user),
            Limit(limit_key("lookup", "nik", api_key_id, nik), self.per_nik_per_key, window, mark),
            Limit(limit_key("lookup", "nik", nik), self.per_nik, window, mark),
        ]


def owner_mark(nik_hash: bytes, api_key_id: int, channel_user: str) -> str:
    """The Redis key marking this channel user as one who checked this NIK right. Keyed by
    the NIK's keyed hash: without the NIK hash key nobody can tell from Redis which NIK a
    mark is for, nor forge one."""
    digest = hmac.new(nik_hash, f"{api_key_id}:{channel_user}".encode(), "sha256")
    return limit_key("lookup", "owner", digest.hexdigest()[:32])
