"""administration audit: who changed routing, offices, accounts and keys, before and after

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "administration_audit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("actor_staff_id", sa.Integer(), nullable=True),
        sa.Column("change", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("before", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("after", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.ForeignKeyConstraint(["actor_staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("administration_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_administration_audit_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_administration_audit_actor_staff_id"), ["actor_staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_administration_audit_change"), ["change"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("administration_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_administration_audit_change"))
        batch_op.drop_index(batch_op.f("ix_administration_audit_actor_staff_id"))
        batch_op.drop_index(batch_op.f("ix_administration_audit_at"))
    op.drop_table("administration_audit")
