"""statistics keys: an API key's kind (channel or statistics) and a statistics key's region

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every key made before this release is a channel's.
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="channel",
            )
        )
        batch_op.add_column(
            sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_api_key_region_code_coordination_region",
            "coordination_region",
            ["region_code"],
            ["code"],
        )


def downgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_constraint("fk_api_key_region_code_coordination_region", type_="foreignkey")
        batch_op.drop_column("region_code")
        batch_op.drop_column("kind")
