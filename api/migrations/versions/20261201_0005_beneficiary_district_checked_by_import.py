"""beneficiary.district_code checked by the import: no foreign key, no index

The import checks every row's kecamatan against the Kemendagri tables and against the
district rows the database holds (read once at its start), and it is the only writer of
beneficiaries; district rows are never deleted. The foreign key's per-row trigger was the
largest single cost of writing a beneficiary on PostgreSQL (~7 µs of ~19 µs per row in a
COPY of 1,000,000), and no query looks beneficiaries up by district, so its index went too
(~1.6 µs per row).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL named the unnamed key of migration 0001 itself; SQLite keeps no name, so batch
# mode is given a naming convention under which it can be found.
_POSTGRES_NAME = "beneficiary_district_code_fkey"
_SQLITE_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_SQLITE_NAME = "fk_beneficiary_district_code_district"


def _name() -> str:
    return _SQLITE_NAME if op.get_bind().dialect.name == "sqlite" else _POSTGRES_NAME


def upgrade() -> None:
    with op.batch_alter_table("beneficiary", naming_convention=_SQLITE_NAMING) as batch_op:
        batch_op.drop_index("ix_beneficiary_district_code")
        batch_op.drop_constraint(_name(), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("beneficiary", naming_convention=_SQLITE_NAMING) as batch_op:
        batch_op.create_foreign_key(_name(), "district", ["district_code"], ["code"])
        batch_op.create_index("ix_beneficiary_district_code", ["district_code"], unique=False)
