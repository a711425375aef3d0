"""the store's key, signed audit heads, sealed columns

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

- ``store_meta``: facts about the store itself (the key's fingerprint and public key).
- ``audit_signatures``: the audit chain's head, signed with the organisation's key at
  every write.
- ``extra_sealed`` on every imported table: kept columns that hold contact details.
- ``evidence.extracted_text_sealed``: an evidence file's text, sealed. ``credible init``
  moves any text stored in clear by an older version into it, then 0003 drops the old
  column.

Appended columns start empty; an empty value adds nothing to a row's hash, so every
row of an older store still verifies.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PROVENANCE_TABLES = ("person_records", "facilities", "facility_observations", "acts", "allegations")


def upgrade() -> None:
    op.create_table(
        "store_meta",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_meta")),
    )
    op.create_table(
        "audit_signatures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_signatures")),
    )
    with op.batch_alter_table("audit_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_signatures_entry_id"), ["entry_id"], unique=False
        )
    for table in PROVENANCE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("extra_sealed", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extracted_text_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("extracted_text_sealed")
    for table in PROVENANCE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("extra_sealed")
    with op.batch_alter_table("audit_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_signatures_entry_id"))
    op.drop_table("audit_signatures")
    op.drop_table("store_meta")
