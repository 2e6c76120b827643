"""complaint triage: a complaint may be filed without a known domicile, marked for triage

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The domicile is unknown until a desk officer sets it; ``in_triage`` marks the wait.
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_triage", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        for name, length in (("district_code", 6), ("regency_code", 4), ("province_code", 2)):
            batch_op.alter_column(
                name,
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=length),
                nullable=True,
            )


def downgrade() -> None:
    # Fails while a complaint is still in triage (it has no domicile): set it first.
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        for name, length in (("district_code", 6), ("regency_code", 4), ("province_code", 2)):
            batch_op.alter_column(
                name,
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=length),
                nullable=False,
            )
        batch_op.drop_column("in_triage")
