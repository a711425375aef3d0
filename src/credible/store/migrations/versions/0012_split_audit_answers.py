"""split audits: a reviewer's answers on a sample of Persons seen on one list

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

``split_audit_answers``: per record of a split audit's sample (the sample is the
"split-audit" run that drew it), whether the same person was found under another
record, appended and audited like linkage judgements.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "split_audit_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("audit_run", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("found_record", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("retracts", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_run"], ["runs.id"], name=op.f("fk_split_audit_answers_audit_run_runs")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["person_records.id"],
            name=op.f("fk_split_audit_answers_record_id_person_records"),
        ),
        sa.ForeignKeyConstraint(
            ["found_record"],
            ["person_records.id"],
            name=op.f("fk_split_audit_answers_found_record_person_records"),
        ),
        sa.ForeignKeyConstraint(
            ["retracts"],
            ["split_audit_answers.id"],
            name=op.f("fk_split_audit_answers_retracts_split_audit_answers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_split_audit_answers")),
    )
    with op.batch_alter_table("split_audit_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_split_audit_answers_audit_run"), ["audit_run"])


def downgrade() -> None:
    op.drop_table("split_audit_answers")
