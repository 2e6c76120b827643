"""complaint_category.public_description: whether a complaint's text may be published

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 11:30:00

False for every existing category until `bansos load-reference` sets it from
api/data/complaint_categories.yaml: publishing nothing is the safe state in between.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint_category", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_description", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint_category", schema=None) as batch_op:
        batch_op.drop_column("public_description")
