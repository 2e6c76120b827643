"""The beneficiary registry and disbursements.

No column holds a NIK, a name or a family card number in the clear: see
``api.domain.protection``. ``programmes`` and ``exclusions`` are ``;``-joined codes in a
canonical (sorted) order, which keeps one row per person and makes an import a single upsert.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, SmallInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models._types import BigIntId, bigint_id_field, bytes_field, timestamp_field


class Beneficiary(SQLModel, table=True):
    id: int | None = bigint_id_field()
    nik_hash: bytes = bytes_field(length=32, unique=True)
    name_hash: bytes = bytes_field(length=32)
    kk_hash: bytes = bytes_field(length=32, index=True)
    # NIK, name and family card number in one AES-256-GCM ciphertext (Protector.identity).
    identity_encrypted: bytes = bytes_field()
    # A kecamatan of the district table, checked by the import (the only writer) against the
    # table it reads at its start, rather than by a foreign key: on PostgreSQL the key's
    # per-row trigger cost more than all the rest of writing a row (migration 0005).
    # District rows are only ever added or renamed (load-reference), never deleted.
    district_code: str = Field(max_length=6)
    # The desa/kelurahan when the registry knows it (10 digits); its first 6 are the district.
    village_code: str | None = Field(default=None, max_length=10)
    desil: int | None = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    programmes: str = ""
    exclusions: str = ""
    # Keyed digest of the imported row: re-importing the same row changes nothing.
    fingerprint: bytes = bytes_field(length=16)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Disbursement(SQLModel, table=True):
    """One stage of one tahap of one programme for one person via one channel, as last reported."""

    __table_args__ = (
        # The channel is part of the key: when the bank route fails and PT Pos takes over,
        # both attempts stay on record.
        UniqueConstraint(
            "beneficiary_id",
            "programme",
            "year",
            "tahap",
            "stage",
            "channel",
            name="uq_disbursement_stage",
        ),
        Index("ix_disbursement_person_programme", "beneficiary_id", "programme", "year"),
    )

    id: int | None = bigint_id_field()
    beneficiary_id: int = Field(
        sa_column=Column(BigIntId, ForeignKey("beneficiary.id", ondelete="CASCADE"), nullable=False)
    )
    programme: str = Field(max_length=8)
    year: int = Field(sa_column=Column(SmallInteger, nullable=False))
    tahap: int = Field(sa_column=Column(SmallInteger, nullable=False))
    stage: str = Field(max_length=16)
    status: str = Field(max_length=8)
    channel: str = Field(max_length=8)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    occurred_on: date
    updated_at: datetime = timestamp_field()
