"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:14:35.280603
"""

import sqlalchemy as sa
from alembic import op

from credible.store.search import POSTGRES_DDL, SQLITE_DDL

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("started_at", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=True),
        sa.Column("software_version", sa.Text(), nullable=False),
        sa.Column("input_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("results", sa.Text(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), server_default="other", nullable=False),
        sa.Column("reliability", sa.String(length=1), server_default="F", nullable=False),
        sa.Column("derived_from_id", sa.Integer(), nullable=True),
        sa.Column(
            "confidentiality", sa.String(length=20), server_default="restricted", nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["derived_from_id"], ["sources.id"], name=op.f("fk_sources_derived_from_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=True),
        sa.Column("original_name", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("acquired_at", sa.Text(), nullable=False),
        sa.Column("acquired_by", sa.Text(), nullable=False),
        sa.Column("extracted_text", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_evidence_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("sha256", name=op.f("uq_evidence_sha256")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_source_id"), ["source_id"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_persons_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_run_id"), ["run_id"], unique=False)

    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_custody_events_evidence_id_evidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
    )
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_events_evidence_id"), ["evidence_id"], unique=False
        )

    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_imports_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_imports_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint(
            "source_id", "evidence_id", "kind", name=op.f("uq_imports_source_id_evidence_id_kind")
        ),
    )
    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_script", sa.String(length=40), nullable=True),
        sa.Column("name_zh", sa.Text(), nullable=True),
        sa.Column("name_ug", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("town", sa.Text(), nullable=True),
        sa.Column("county", sa.Text(), nullable=True),
        sa.Column("prefecture", sa.Text(), nullable=True),
        sa.Column("security_tier", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.Text(), nullable=True),
        sa.Column("first_seen_min", sa.Date(), nullable=True),
        sa.Column("first_seen_max", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Text(), nullable=True),
        sa.Column("last_seen_min", sa.Date(), nullable=True),
        sa.Column("last_seen_max", sa.Date(), nullable=True),
        sa.Column("capacity_estimate", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_facilities_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_facilities_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_facilities_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facilities_evidence_id"), ["evidence_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_facilities_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_source_id"), ["source_id"], unique=False)

    op.create_table(
        "person_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_script", sa.String(length=40), nullable=True),
        sa.Column("given_name", sa.Text(), nullable=True),
        sa.Column("given_name_script", sa.String(length=40), nullable=True),
        sa.Column("father_name", sa.Text(), nullable=True),
        sa.Column("father_name_script", sa.String(length=40), nullable=True),
        sa.Column("family_name", sa.Text(), nullable=True),
        sa.Column("family_name_script", sa.String(length=40), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("birth_date", sa.Text(), nullable=True),
        sa.Column("birth_date_min", sa.Date(), nullable=True),
        sa.Column("birth_date_max", sa.Date(), nullable=True),
        sa.Column("birthplace", sa.Text(), nullable=True),
        sa.Column("residence", sa.Text(), nullable=True),
        sa.Column("ethnicity", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("facility", sa.Text(), nullable=True),
        sa.Column("detained", sa.Text(), nullable=True),
        sa.Column("detained_min", sa.Date(), nullable=True),
        sa.Column("detained_max", sa.Date(), nullable=True),
        sa.Column("contact", sa.LargeBinary(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_person_records_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_person_records_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_person_records_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_records")),
    )
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_records_evidence_id"), ["evidence_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_import_id"), ["import_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "acts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("victim_record_id", sa.Integer(), nullable=True),
        sa.Column("victim", sa.Text(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("facility", sa.Text(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("date", sa.Text(), nullable=True),
        sa.Column("date_min", sa.Date(), nullable=True),
        sa.Column("date_max", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_acts_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_acts_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_acts_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_acts_source_id_sources")
        ),
        sa.ForeignKeyConstraint(
            ["victim_record_id"],
            ["person_records.id"],
            name=op.f("fk_acts_victim_record_id_person_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acts")),
    )
    with op.batch_alter_table("acts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acts_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_acts_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_acts_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_acts_source_id"), ["source_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_acts_victim_record_id"), ["victim_record_id"], unique=False
        )

    op.create_table(
        "facility_observations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("facility", sa.Text(), nullable=True),
        sa.Column("observed", sa.Text(), nullable=True),
        sa.Column("observed_min", sa.Date(), nullable=True),
        sa.Column("observed_max", sa.Date(), nullable=True),
        sa.Column("imagery", sa.Text(), nullable=True),
        sa.Column("features", sa.Text(), nullable=True),
        sa.Column("change", sa.String(length=20), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
            name=op.f("fk_facility_observations_evidence_id_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_observations_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_facility_observations_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_facility_observations_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_observations")),
    )
    with op.batch_alter_table("facility_observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_observations_evidence_id"), ["evidence_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_facility_observations_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_facility_observations_import_id"), ["import_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_facility_observations_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "judgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_l", sa.Integer(), nullable=False),
        sa.Column("record_r", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("retracts", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_l"], ["person_records.id"], name=op.f("fk_judgements_record_l_person_records")
        ),
        sa.ForeignKeyConstraint(
            ["record_r"], ["person_records.id"], name=op.f("fk_judgements_record_r_person_records")
        ),
        sa.ForeignKeyConstraint(
            ["retracts"], ["judgements.id"], name=op.f("fk_judgements_retracts_judgements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgements")),
    )
    with op.batch_alter_table("judgements", schema=None) as batch_op:
        batch_op.create_index("ix_judgements_pair", ["record_l", "record_r"], unique=False)

    op.create_table(
        "match_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_l", sa.Integer(), nullable=False),
        sa.Column("record_r", sa.Integer(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_l"],
            ["person_records.id"],
            name=op.f("fk_match_scores_record_l_person_records"),
        ),
        sa.ForeignKeyConstraint(
            ["record_r"],
            ["person_records.id"],
            name=op.f("fk_match_scores_record_r_person_records"),
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_match_scores_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_scores")),
    )
    with op.batch_alter_table("match_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_scores_run_id"), ["run_id"], unique=False)

    op.create_table(
        "person_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("decided_by", sa.String(length=20), server_default="model", nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_members_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["person_records.id"],
            name=op.f("fk_person_members_record_id_person_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_members")),
    )
    with op.batch_alter_table("person_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_members_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index("ix_person_members_record", ["record_id"], unique=False)

    op.create_table(
        "allegations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("act_id", sa.Integer(), nullable=True),
        sa.Column("act", sa.Text(), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("credibility", sa.String(length=1), nullable=True),
        sa.ForeignKeyConstraint(["act_id"], ["acts.id"], name=op.f("fk_allegations_act_id_acts")),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_allegations_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_allegations_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_allegations_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allegations")),
    )
    with op.batch_alter_table("allegations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allegations_act_id"), ["act_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_allegations_evidence_id"), ["evidence_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_allegations_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allegations_source_id"), ["source_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("standard", sa.String(length=60), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("method_version", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["act_id"], ["acts.id"], name=op.f("fk_assessments_act_id_acts")),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_assessments_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_act_id"), ["act_id"], unique=False)

    # The search index is derived data, outside the audit chain; see store/search.py.
    if op.get_bind().dialect.name == "postgresql":
        for ddl in POSTGRES_DDL:
            op.execute(ddl)
    else:
        op.execute(SQLITE_DDL)


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS search_docs"
        if op.get_bind().dialect.name == "postgresql"
        else "DROP TABLE IF EXISTS search_fts"
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_act_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("allegations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allegations_source_id"))
        batch_op.drop_index(batch_op.f("ix_allegations_import_id"))
        batch_op.drop_index(batch_op.f("ix_allegations_evidence_id"))
        batch_op.drop_index(batch_op.f("ix_allegations_act_id"))

    op.drop_table("allegations")
    with op.batch_alter_table("person_members", schema=None) as batch_op:
        batch_op.drop_index("ix_person_members_record")
        batch_op.drop_index(batch_op.f("ix_person_members_person_id"))

    op.drop_table("person_members")
    with op.batch_alter_table("match_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_scores_run_id"))

    op.drop_table("match_scores")
    with op.batch_alter_table("judgements", schema=None) as batch_op:
        batch_op.drop_index("ix_judgements_pair")

    op.drop_table("judgements")
    with op.batch_alter_table("facility_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_observations_source_id"))
        batch_op.drop_index(batch_op.f("ix_facility_observations_import_id"))
        batch_op.drop_index(batch_op.f("ix_facility_observations_facility_id"))
        batch_op.drop_index(batch_op.f("ix_facility_observations_evidence_id"))

    op.drop_table("facility_observations")
    with op.batch_alter_table("acts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acts_victim_record_id"))
        batch_op.drop_index(batch_op.f("ix_acts_source_id"))
        batch_op.drop_index(batch_op.f("ix_acts_import_id"))
        batch_op.drop_index(batch_op.f("ix_acts_facility_id"))
        batch_op.drop_index(batch_op.f("ix_acts_evidence_id"))

    op.drop_table("acts")
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_records_source_id"))
        batch_op.drop_index(batch_op.f("ix_person_records_import_id"))
        batch_op.drop_index(batch_op.f("ix_person_records_evidence_id"))

    op.drop_table("person_records")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_source_id"))
        batch_op.drop_index(batch_op.f("ix_facilities_import_id"))
        batch_op.drop_index(batch_op.f("ix_facilities_evidence_id"))

    op.drop_table("facilities")
    op.drop_table("imports")
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_events_evidence_id"))

    op.drop_table("custody_events")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_run_id"))

    op.drop_table("persons")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_source_id"))

    op.drop_table("evidence")
    op.drop_table("sources")
    op.drop_table("runs")
    op.drop_table("audit")
