"""evidence text versions, perceptual hash of images

Revision ID: 0010
Revises: 0008 (the lead re-chains it onto 0009 when merging)
Create Date: 2026-12-07

``evidence_texts`` keeps every reading of an evidence file's text (sealed), with how it
was read; ``evidence.phash`` holds an image's perceptual hash. Texts read before this
revision stay in ``evidence.extracted_text``; ``credible evidence extract`` gives them
their first version. The appended column is empty, so every older row's hash is as it was.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phash", sa.String(length=16), nullable=True))
    op.create_table(
        "evidence_texts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("tools", sa.Text(), nullable=True),
        sa.Column("ocr_lang", sa.String(length=80), nullable=True),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_evidence_texts_evidence_id_evidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_texts")),
        sa.UniqueConstraint(
            "evidence_id", "version", name=op.f("uq_evidence_texts_evidence_id_version")
        ),
    )
    with op.batch_alter_table("evidence_texts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_texts_evidence_id"), ["evidence_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_texts_evidence_id"))
    op.drop_table("evidence_texts")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("phash")
