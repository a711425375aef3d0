"""resident id numbers, township and village, relatives on person records

Revision ID: 0008
Revises: 0006 (the lead re-chains it onto 0007 when merging)
Create Date: 2026-12-07

The number as written, its normalised form, why it is invalid (empty when valid), and
the birth date, sex and county read from a valid number, marked as derived by their
names; township, village and relatives as written. Appended and empty, the columns
leave every older row's hash as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("township", sa.Text()),
    ("village", sa.Text()),
    ("id_number", sa.Text()),
    ("id_number_norm", sa.String(length=20)),
    ("id_number_problem", sa.Text()),
    ("id_number_birth_date", sa.String(length=10)),
    ("id_number_sex", sa.String(length=10)),
    ("id_number_region", sa.String(length=6)),
    ("relatives", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
