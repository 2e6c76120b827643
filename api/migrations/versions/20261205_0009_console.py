"""console: sessions with an idle timeout, forced password change, member language,
assignment, the queue's "nearest deadline" order, saved views and response templates

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The earliest deadline still to meet; the application keeps it up to date from now on.
_NEXT_DUE = """
UPDATE complaint SET next_due = CASE
    WHEN answered_at IS NOT NULL OR closed_at IS NOT NULL THEN NULL
    WHEN verified_at IS NULL THEN verify_due
    WHEN followed_up_at IS NULL THEN follow_up_due
    ELSE resolve_due
END
"""


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column(
                "locale",
                sqlmodel.sql.sqltypes.AutoString(length=5),
                nullable=False,
                server_default="id",
            )
        )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("console", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_staff_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            "fk_complaint_assigned_staff_id_staff", "staff", ["assigned_staff_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_assigned_staff_id"), ["assigned_staff_id"], unique=False
        )
        batch_op.create_index(
            "ix_complaint_office_next_due", ["office_code", "next_due", "id"], unique=False
        )
        batch_op.create_index(
            "ix_complaint_region_next_due",
            ["coordination_region_code", "next_due", "id"],
            unique=False,
        )
        batch_op.create_index("ix_complaint_next_due", ["next_due", "id"], unique=False)
    op.execute(_NEXT_DUE)

    op.create_table(
        "saved_view",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("query", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "name"),
    )
    op.create_index(op.f("ix_saved_view_staff_id"), "saved_view", ["staff_id"], unique=False)

    op.create_table(
        "response_template",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("category_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["category_code"], ["complaint_category.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_response_template_category_code"),
        "response_template",
        ["category_code"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_response_template_category_code"), table_name="response_template")
    op.drop_table("response_template")
    op.drop_index(op.f("ix_saved_view_staff_id"), table_name="saved_view")
    op.drop_table("saved_view")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_next_due")
        batch_op.drop_index("ix_complaint_region_next_due")
        batch_op.drop_index("ix_complaint_office_next_due")
        batch_op.drop_index(batch_op.f("ix_complaint_assigned_staff_id"))
        batch_op.drop_constraint("fk_complaint_assigned_staff_id_staff", type_="foreignkey")
        batch_op.drop_column("next_due")
        batch_op.drop_column("assigned_staff_id")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("console")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("locale")
        batch_op.drop_column("must_change_password")
