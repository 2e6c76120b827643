"""Citizens who asked to be told when their aid moves (a new or changed disbursement stage)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models._types import BigIntId, bigint_id_field, bytes_field, timestamp_field


class DisbursementSubscription(SQLModel, table=True):
    __tablename__ = "disbursement_subscription"
    __table_args__ = (UniqueConstraint("beneficiary_id", "channel", "channel_user"),)

    id: int | None = bigint_id_field()
    beneficiary_id: int = Field(
        sa_column=Column(BigIntId, ForeignKey("beneficiary.id"), nullable=False, index=True)
    )
    # The family card (by keyed hash): stages of the family programmes sit on one member and
    # concern every member, so a subscriber hears of those too.
    kk_hash: bytes = bytes_field(length=32, index=True)
    channel: str = Field(max_length=64)
    # Where to write (a Telegram chat id): the outbox needs it as is, like every notification.
    channel_user: str = Field(max_length=128)
    locale: str = Field(max_length=5)
    created_at: datetime = timestamp_field()
