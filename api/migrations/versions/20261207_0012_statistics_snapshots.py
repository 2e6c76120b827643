"""statistics snapshots: the open backlog, beneficiaries per kecamatan, and when each was taken

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False)


def upgrade() -> None:
    # No new index on complaint: the refresh's GROUP BY reads the open complaints through
    # ix_complaint_status_next_due (status first), a small share of the table.
    op.create_table(
        "stat_backlog",
        sa.Column("filed_day", sa.Date(), nullable=False),
        _text("office_code", 32),
        _text("coordination_region_code", 16),
        _text("province_code", 2),
        _text("regency_code", 4),
        _text("district_code", 6),
        _text("category_code", 32),
        _text("programme", 16),
        _text("channel", 64),
        _text("status", 16),
        _flag("verify_pending"),
        _flag("follow_up_pending"),
        _flag("verify_overdue"),
        _flag("follow_up_overdue"),
        _flag("resolve_overdue"),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "filed_day",
            "office_code",
            "coordination_region_code",
            "province_code",
            "regency_code",
            "district_code",
            "category_code",
            "programme",
            "channel",
            "status",
            "verify_pending",
            "follow_up_pending",
            "verify_overdue",
            "follow_up_overdue",
            "resolve_overdue",
        ),
    )
    op.create_table(
        "stat_beneficiaries",
        _text("district_code", 6),
        _text("regency_code", 4),
        _text("province_code", 2),
        sa.Column("beneficiaries", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("district_code"),
    )
    op.create_index(
        "ix_stat_beneficiaries_regency_code", "stat_beneficiaries", ["regency_code"], unique=False
    )
    op.create_table(
        "stat_snapshot",
        _text("name", 32),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("stat_snapshot")
    op.drop_index("ix_stat_beneficiaries_regency_code", table_name="stat_beneficiaries")
    op.drop_table("stat_beneficiaries")
    op.drop_table("stat_backlog")
