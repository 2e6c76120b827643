"""Who acts: a citizen through a channel's key, or a staff member (``StaffMember``)."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.api_keys import Channel
from api.domain.staff import StaffMember

__all__ = ["Citizen", "Operator", "StaffMember"]


@dataclass(frozen=True, slots=True)
class Citizen:
    """A citizen as a channel knows them: the channel's key and the channel's user id.

    The channel vouches for ``user`` (a Telegram chat, an Open311 account or e-mail); a
    complaint opens only for the same channel and user that filed it.
    """

    channel: Channel
    user: str


@dataclass(frozen=True, slots=True)
class Operator:
    """Whoever runs ``bansos`` on a server: the deployment's owner, trusted as such.

    The command line is how the first administrator and the channels' keys come to exist,
    before any staff account could; what an operator does is recorded under ``name``.
    """

    name: str = "operator"
