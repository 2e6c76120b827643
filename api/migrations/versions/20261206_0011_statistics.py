"""statistics: the rollup of complaint events (stat_count), its watermark, and the rating
on a rating event

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _dimension(name: str, length: int) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False)


def upgrade() -> None:
    op.create_table(
        "stat_count",
        sa.Column("day", sa.Date(), nullable=False),
        _dimension("metric", 24),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        _dimension("office_code", 32),
        _dimension("coordination_region_code", 16),
        _dimension("province_code", 2),
        _dimension("regency_code", 4),
        _dimension("district_code", 6),
        _dimension("category_code", 32),
        _dimension("programme", 16),
        _dimension("channel", 64),
        sa.Column("filed_month", sa.Date(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "metric",
            "value",
            "office_code",
            "coordination_region_code",
            "province_code",
            "regency_code",
            "district_code",
            "category_code",
            "programme",
            "channel",
            "filed_month",
        ),
    )
    op.create_index("ix_stat_count_metric_day", "stat_count", ["metric", "day"], unique=False)
    op.create_table(
        "stat_watermark",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("blocked_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating", sa.SmallInteger(), nullable=True))
    # Ratings given before this revision: a closing "rate" event's rating is the
    # complaint's (a closed complaint is rated no more); a poor first rating that reopened
    # one was overwritten by the next and is lost.
    op.execute(
        "UPDATE complaint_event SET rating ="
        " (SELECT complaint.rating FROM complaint WHERE complaint.id = complaint_event.complaint_id)"
        " WHERE kind = 'rate'"
    )


def downgrade() -> None:
    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.drop_column("rating")
    op.drop_table("stat_watermark")
    op.drop_index("ix_stat_count_metric_day", table_name="stat_count")
    op.drop_table("stat_count")
