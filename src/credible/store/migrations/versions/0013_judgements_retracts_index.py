"""an index on judgements.retracts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

The review queue leaves out pairs whose decision stands, i.e. is not retracted by a
later judgement; finding the retracted ones read the whole table on every request.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_judgements_retracts", "judgements", ["retracts"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_judgements_retracts", table_name="judgements")
