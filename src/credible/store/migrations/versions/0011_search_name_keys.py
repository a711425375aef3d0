"""the name-part index of the person search

Revision ID: 0011
Revises: 0008 (the lead re-chains it when merging)
Create Date: 2026-12-07

``search_name_keys`` (a key token, a name part written with it) and
``search_name_parts`` (a name part, a record that writes it): what lets a search look up
the few forms of a name instead of comparing the names of every record that shares a
key. Derived data: the migration leaves them empty and drops the person records' key
documents (and their watermark) from the search index, so that the next search, or
``credible audit reindex``, writes keys and parts again for every record.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _search_table() -> str:
    return "search_docs" if op.get_bind().dialect.name == "postgresql" else "search_fts"


def upgrade() -> None:
    op.create_table(
        "search_name_keys",
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("token", "form", name=op.f("pk_search_name_keys")),
    )
    op.create_table(
        "search_name_parts",
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("form", "record_id", name=op.f("pk_search_name_parts")),
    )
    op.create_index("ix_search_name_parts_record", "search_name_parts", ["record_id"])
    op.execute(f"DELETE FROM {_search_table()} WHERE kind = 'person_name'")


def downgrade() -> None:
    op.drop_index("ix_search_name_parts_record", table_name="search_name_parts")
    op.drop_table("search_name_parts")
    op.drop_table("search_name_keys")
