"""signed custody chains and RFC 3161 timestamps

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

- ``custody_events`` gains the columns of a signed chain: ``seq`` (position in the
  file's chain), ``reason`` (why), ``prev_hash`` and ``hash`` (the chain),
  ``signature`` and ``key_fingerprint`` (Ed25519, the organisation's key) and
  ``signed_at``. Appended and empty, they leave every older row's hash as it was;
  ``credible init`` then signs the events an older version wrote, in one audited
  write, with ``signed_at`` the time of the upgrade (so they stay marked as signed
  late, not when they happened).
- ``timestamps``: RFC 3161 tokens over evidence files' SHA-256, and queued requests.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_CHAIN = (
    ("seq", sa.Integer()),
    ("reason", sa.Text()),
    ("prev_hash", sa.String(length=64)),
    ("hash", sa.String(length=64)),
    ("signature", sa.String(length=128)),
    ("key_fingerprint", sa.String(length=64)),
    ("signed_at", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        for name, kind in _CHAIN:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_custody_events_evidence_id_seq"), ["evidence_id", "seq"]
        )
    op.create_table(
        "timestamps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("tsa_url", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.Text(), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=True),
        sa.Column("gen_time", sa.Text(), nullable=True),
        sa.Column("serial", sa.Text(), nullable=True),
        sa.Column("tsa_name", sa.Text(), nullable=True),
        sa.Column("roots", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.Text(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_timestamps_evidence_id_evidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timestamps")),
    )
    op.create_index(op.f("ix_timestamps_evidence_id"), "timestamps", ["evidence_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_timestamps_evidence_id"), table_name="timestamps")
    op.drop_table("timestamps")
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_custody_events_evidence_id_seq"), type_="unique")
        for name, _ in reversed(_CHAIN):
            batch_op.drop_column(name)
