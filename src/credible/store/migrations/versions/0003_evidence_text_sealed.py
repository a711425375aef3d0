"""evidence text only sealed

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

Drops ``evidence.extracted_text`` (clear text) and renames ``extracted_text_sealed`` to
``extracted_text``. ``credible init`` has moved every clear text into the sealed column
(audited) before this runs; a store where clear text remains is refused, never dropped.
A dropped empty column and a renamed one leave every row's hash as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    left = op.get_bind().execute(
        sa.text("SELECT count(*) FROM evidence WHERE extracted_text IS NOT NULL")
    )
    if left.scalar_one():
        raise RuntimeError("evidence text in clear remains: it must be sealed before 0003")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("extracted_text")
        batch_op.alter_column("extracted_text_sealed", new_column_name="extracted_text")


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.alter_column("extracted_text", new_column_name="extracted_text_sealed")
        batch_op.add_column(sa.Column("extracted_text", sa.Text(), nullable=True))
