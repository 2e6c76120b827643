"""console speed: the tab counts' index-only indexes, the live bar's "changed since" indexes, the office a complaint left, the
triage desk's partial index and (PostgreSQL) a trigram index for searching descriptions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "previous_office_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )
        # The tab counts' indexes (see the model): status and due date first, then id.
        batch_op.drop_index("ix_complaint_office_status")
        batch_op.create_index(
            "ix_complaint_office_status", ["office_code", "status", "next_due", "id"]
        )
        batch_op.create_index(
            "ix_complaint_region_status",
            ["coordination_region_code", "status", "next_due", "id", "office_code"],
        )
        batch_op.drop_index("ix_complaint_category_code")
        batch_op.create_index(
            "ix_complaint_category_status", ["category_code", "status", "next_due", "id"]
        )
        batch_op.drop_index("ix_complaint_status")
        batch_op.create_index("ix_complaint_status_next_due", ["status", "next_due", "id"])
        batch_op.create_index("ix_complaint_office_updated", ["office_code", "updated_at"])
        batch_op.create_index(
            "ix_complaint_region_updated", ["coordination_region_code", "updated_at"]
        )
        batch_op.create_index("ix_complaint_updated", ["updated_at"])
        batch_op.create_index(
            "ix_complaint_previous_office_updated",
            ["previous_office_code", "updated_at"],
            postgresql_where=sa.text("previous_office_code IS NOT NULL"),
            sqlite_where=sa.text("previous_office_code IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_complaint_triage",
            ["created_at", "id"],
            postgresql_where=sa.text("in_triage"),
            sqlite_where=sa.text("in_triage"),
        )
    if op.get_bind().dialect.name == "postgresql":
        # "Search in the description" at an office of 100,000 complaints: without it every
        # description of the office is read. pg_trgm is a trusted extension (PostgreSQL 13+):
        # the database owner may create it. The index is not in the models (SQLite has no
        # such thing); tests/api/test_migrations.py knows it by name.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_complaint_description_trgm ON complaint"
            " USING gin (description gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_complaint_description_trgm")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_triage")
        batch_op.drop_index("ix_complaint_previous_office_updated")
        batch_op.drop_index("ix_complaint_updated")
        batch_op.drop_index("ix_complaint_region_updated")
        batch_op.drop_index("ix_complaint_office_updated")
        batch_op.drop_index("ix_complaint_status_next_due")
        batch_op.create_index("ix_complaint_status", ["status"])
        batch_op.drop_index("ix_complaint_category_status")
        batch_op.create_index("ix_complaint_category_code", ["category_code"])
        batch_op.drop_index("ix_complaint_region_status")
        batch_op.drop_index("ix_complaint_office_status")
        batch_op.create_index("ix_complaint_office_status", ["office_code", "status"])
        batch_op.drop_column("previous_office_code")
