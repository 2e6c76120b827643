"""The one way the JSON API writes an instant: UTC, whole seconds, ``Z`` — ``2026-12-09T17:00:00Z``.

A deadline was once written ``2026-12-10T00:00:00+07:00`` when a complaint was filed and
``2026-12-09T17:00:00Z`` when it was read back: the same instant, two spellings, and a
client comparing strings saw two. Every instant a JSON answer carries is typed
:data:`UtcInstant`, which writes it this way whatever zone it was computed in. A person
never reads this form: each surface shows local time with its zone's name (WIB, WITA, WIT;
:mod:`api.domain.time_zones`). Open311 keeps the form of its own specification.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

#: What every instant of a JSON answer matches (the OpenAPI states it, so clients can check).
INSTANT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
EXAMPLE = "2026-12-09T17:00:00Z"


def utc_text(moment: datetime) -> str:
    """``moment`` as ``2026-12-09T17:00:00Z`` (a naive value is taken to be UTC already)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: A datetime that a JSON answer writes as :func:`utc_text` does.
UtcInstant = Annotated[
    datetime,
    PlainSerializer(utc_text, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": INSTANT_PATTERN,
            "examples": [EXAMPLE],
        },
        mode="serialization",
    ),
]
