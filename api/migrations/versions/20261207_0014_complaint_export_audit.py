"""complaint_export_audit: who exported complaints row by row, under which filter, with or
without descriptions, and how many rows

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_export_audit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("filter", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("descriptions", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_complaint_export_audit_at", "complaint_export_audit", ["at"], unique=False)
    op.create_index(
        "ix_complaint_export_audit_staff_id", "complaint_export_audit", ["staff_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_export_audit_staff_id", table_name="complaint_export_audit")
    op.drop_index("ix_complaint_export_audit_at", table_name="complaint_export_audit")
    op.drop_table("complaint_export_audit")
