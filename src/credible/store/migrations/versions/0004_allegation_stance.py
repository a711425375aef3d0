"""allegation stance

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

``allegations.stance``: supports (the default, also when empty) or contradicts, for
denials and rebuttals. Appended and empty, it leaves every row's hash as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("allegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stance", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("allegations", schema=None) as batch_op:
        batch_op.drop_column("stance")
