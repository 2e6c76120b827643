"""statistics rollups: stat_count summed per span (day, week, month, filing month) over all
but a few dimensions (the nation, the coordination region, the place, the office, the
category mix), derived from stat_count as it stands

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of api.models.statistics as of this revision (a migration never follows the
# model's later changes).
_LENGTHS = {
    "office_code": 32,
    "coordination_region_code": 16,
    "province_code": 2,
    "regency_code": 4,
    "category_code": 32,
    "programme": 16,
    "channel": 64,
}
_ROLLUPS = {
    "stat_rollup_nation": (),
    "stat_rollup_region": ("coordination_region_code",),
    "stat_rollup_place": ("coordination_region_code", "province_code", "regency_code"),
    "stat_rollup_office": ("office_code", "coordination_region_code"),
    "stat_rollup_mix": ("coordination_region_code", "category_code", "programme", "channel"),
}
_SPAN_START = {
    "postgresql": {
        "day": "day",
        "week": "CAST(date_trunc('week', day) AS date)",
        "month": "CAST(date_trunc('month', day) AS date)",
        "cohort": "filed_month",
    },
    "sqlite": {
        "day": "day",
        "week": "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')",
        "month": "date(day, 'start of month')",
        "cohort": "filed_month",
    },
}


def upgrade() -> None:
    for name, dimensions in _ROLLUPS.items():
        op.create_table(
            name,
            sa.Column("span", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
            sa.Column("start", sa.Date(), nullable=False),
            sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
            sa.Column("value", sa.SmallInteger(), nullable=False),
            *(
                sa.Column(d, sqlmodel.sql.sqltypes.AutoString(length=_LENGTHS[d]), nullable=False)
                for d in dimensions
            ),
            sa.Column("count", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("span", "start", "metric", "value", *dimensions),
        )
    starts = _SPAN_START[op.get_bind().dialect.name]
    for name, dimensions in _ROLLUPS.items():
        columns = "".join(f", {d}" for d in dimensions)
        for span, start in starts.items():
            op.execute(
                f"INSERT INTO {name} (span, start, metric, value{columns}, count) "
                f"SELECT '{span}', {start}, metric, value{columns}, sum(count) "
                f"FROM stat_count GROUP BY {start}, metric, value{columns}"
            )


def downgrade() -> None:
    for name in reversed(_ROLLUPS):
        op.drop_table(name)
