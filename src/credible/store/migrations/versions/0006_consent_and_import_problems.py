"""consent to publish; import problems kept as written

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

- ``person_records.consent_to_publish`` (yes/no): a public edition names only those
  who said yes. Appended and empty, it leaves every row's hash as it was.
- ``import_problems``: the values ``credible import --keep-invalid`` kept as written.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_to_publish", sa.String(length=3), nullable=True))
    op.create_table(
        "import_problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("column", sa.Text(), nullable=True),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("expected", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_import_problems_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_problems")),
    )
    with op.batch_alter_table("import_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_problems_import_id"), ["import_id"])


def downgrade() -> None:
    op.drop_table("import_problems")
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        batch_op.drop_column("consent_to_publish")
