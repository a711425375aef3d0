"""assessment: source grades, act judgements, element judgements

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_grades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_grades_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_grades")),
    )
    with op.batch_alter_table("source_grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_grades_source_id"), ["source_id"])
    op.create_table(
        "act_judgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("act_l", sa.Integer(), nullable=False),
        sa.Column("act_r", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("retracts", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["act_l"], ["acts.id"], name=op.f("fk_act_judgements_act_l_acts")),
        sa.ForeignKeyConstraint(["act_r"], ["acts.id"], name=op.f("fk_act_judgements_act_r_acts")),
        sa.ForeignKeyConstraint(
            ["retracts"],
            ["act_judgements.id"],
            name=op.f("fk_act_judgements_retracts_act_judgements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_act_judgements")),
    )
    with op.batch_alter_table("act_judgements", schema=None) as batch_op:
        batch_op.create_index("ix_act_judgements_pair", ["act_l", "act_r"])
    op.create_table(
        "element_judgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("element", sa.String(length=60), nullable=False),
        sa.Column("met", sa.String(length=3), nullable=False),
        sa.Column("standard", sa.String(length=60), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_element_judgements_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_element_judgements")),
    )
    with op.batch_alter_table("element_judgements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_element_judgements_element"), ["element"])


def downgrade() -> None:
    op.drop_table("element_judgements")
    op.drop_table("act_judgements")
    op.drop_table("source_grades")
