"""Checked beneficiaries in PostgreSQL's binary ``COPY`` format.

Encoding happens where the rows are checked, often another process (``workers.py``), so
what travels to the process that writes is one ``bytes`` object per chunk, which pickles at
the speed of a memory copy, rather than 50,000 tuples that pickle at several microseconds
each. The writer sends it unchanged, either straight into ``beneficiary`` or into the
staging table, whose columns are the same (``staging.py``).

Format: https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.4
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from api.domain.registry_import.rows import BeneficiaryRecord

# The order of the fields in every encoded row; the staging table has exactly these.
BENEFICIARY_COPY_COLUMNS = (
    "nik_hash",
    "name_hash",
    "kk_hash",
    "identity_encrypted",
    "district_code",
    "village_code",
    "desil",
    "programmes",
    "exclusions",
    "fingerprint",
    "created_at",
    "updated_at",
)

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)  # signature, flags, no extension
_TRAILER = struct.pack(">h", -1)
_int32 = struct.Struct(">i").pack
_NULL = _int32(-1)
# Field count and the length of the first field (nik_hash is always 32 bytes).
_ROW_START = struct.pack(">hi", len(BENEFICIARY_COPY_COLUMNS), 32)
_HASH_LENGTH = _int32(32)
_FINGERPRINT_LENGTH = _int32(16)
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BeneficiaryCopy:
    """One chunk's people, encoded; ``people`` rows (a NIK repeated in the chunk once)."""

    payload: bytes
    people: int


def _text(value: str) -> bytes:
    encoded = value.encode()
    return _int32(len(encoded)) + encoded


def _timestamp(moment: datetime) -> bytes:
    delta = moment - _POSTGRES_EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return struct.pack(">iq", 8, micros)


class BeneficiaryEncoder:
    """Encodes checked records as COPY rows; ``chunk()`` starts the collector of one chunk.

    The region, desil and code-list fields repeat a few thousand values over millions of
    rows, so each is encoded once per distinct value, for the whole file (the region, and
    the desil with both code lists).
    """

    def __init__(self) -> None:
        self._regions: dict[tuple[str, str | None], bytes] = {}
        # desil, programmes and exclusions together: a few hundred combinations at most.
        self._standings: dict[tuple[int | None, str, str], bytes] = {}

    def chunk(self) -> ChunkEncoding:
        return ChunkEncoding(self)

    @staticmethod
    def _remember(cache: dict, key, piece: bytes) -> bytes:
        if len(cache) < 100_000:  # adversarial files cannot grow it without bound
            cache[key] = piece
        return piece

    @staticmethod
    def _region(district: str, village: str | None) -> bytes:
        return _text(district) + (_NULL if village is None else _text(village))

    @staticmethod
    def _standing(desil: int | None, programmes: str, exclusions: str) -> bytes:
        return (
            (_NULL if desil is None else struct.pack(">ih", 2, desil))
            + _text(programmes)
            + _text(exclusions)
        )

    def row(self, record: BeneficiaryRecord, timestamps: bytes) -> bytes:
        (_, nik_hash, name_hash, kk_hash, identity, district, village, desil, programmes,
         exclusions, fingerprint) = record  # fmt: skip
        region = self._regions.get((district, village))
        if region is None:
            region = self._remember(
                self._regions, (district, village), self._region(district, village)
            )
        standing = self._standings.get((desil, programmes, exclusions))
        if standing is None:
            standing = self._remember(
                self._standings,
                (desil, programmes, exclusions),
                self._standing(desil, programmes, exclusions),
            )
        return b"".join(
            (
                _ROW_START,
                nik_hash,
                _HASH_LENGTH,
                name_hash,
                _HASH_LENGTH,
                kk_hash,
                _int32(len(identity)),
                identity,
                region,
                standing,
                _FINGERPRINT_LENGTH,
                fingerprint,
                timestamps,
            )
        )


class ChunkEncoding:
    """One chunk's rows, encoded as they are accepted (``append``), then ``batch()``.

    Encoding at once keeps only the row's bytes, not the record: a chunk in a worker costs
    about half the memory.
    """

    __slots__ = ("_rows", "_row", "_timestamps")

    def __init__(self, encoder: BeneficiaryEncoder) -> None:
        self._rows: dict[bytes, bytes] = {}
        self._row = encoder.row
        self._timestamps = _timestamp(datetime.now(UTC)) * 2  # created_at, updated_at

    def append(self, record: BeneficiaryRecord) -> None:
        # Within one file the later line wins (see rows.latest_per_person).
        self._rows[record.nik_hash] = self._row(record, self._timestamps)

    def batch(self) -> BeneficiaryCopy:
        rows = self._rows
        return BeneficiaryCopy(
            payload=b"".join((_HEADER, *rows.values(), _TRAILER)), people=len(rows)
        )
