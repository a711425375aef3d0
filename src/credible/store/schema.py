"""The store's tables: every noun of DESIGN.md, plus runs, linkage decisions and audit.

Conventions that the audit chain relies on:
- JSON is stored as canonical text (``Text``), never as a JSON/JSONB column, so that
  SQLite and PostgreSQL return byte-identical values for the row hash.
- Partial dates (EDTF) are stored as written-normalised text plus ``*_min``/``*_max``
  day bounds, so that "2017", "2017-05~" and "2017/2018" compare correctly in SQL.
- Every imported row keeps ``source_id``, ``evidence_id`` and ``source_row``: the file
  and line it came from.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _pk() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _provenance() -> list[Column[object]]:
    return [
        Column("source_id", Integer, ForeignKey("sources.id"), nullable=False, index=True),
        Column("evidence_id", Integer, ForeignKey("evidence.id"), index=True),
        Column("import_id", Integer, ForeignKey("imports.id"), index=True),
        Column("source_row", Integer),
        Column("external_id", Text),
        Column("extra", Text),
    ]


#: ``Column.info`` of a column whose values are sealed (encrypted with the store's key):
#: never written to the audit detail, an error or an export without ``--reveal-sensitive``.
SEALED = {"sealed": True}


def _sealed_extra() -> Column[bytes]:
    """Kept columns that hold contact details, as sealed JSON (appended by migration 0002,
    so it comes last in each table)."""
    return Column("extra_sealed", LargeBinary, info=SEALED)


def sealed_columns(table: Table) -> frozenset[str]:
    return frozenset(c.name for c in table.c if c.info.get("sealed"))


def _edtf(name: str) -> list[Column[object]]:
    return [Column(name, Text), Column(f"{name}_min", Date), Column(f"{name}_max", Date)]


sources = Table(
    "sources",
    metadata,
    _pk(),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False, server_default="other"),
    Column("reliability", String(1), nullable=False, server_default="F"),
    Column("derived_from_id", Integer, ForeignKey("sources.id")),
    Column("confidentiality", String(20), nullable=False, server_default="restricted"),
    Column("description", Text),
    Column("created_at", Text, nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    _pk(),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(120)),
    Column("original_name", Text),
    Column("source_id", Integer, ForeignKey("sources.id"), index=True),
    Column("acquired_at", Text, nullable=False),
    Column("acquired_by", Text, nullable=False),
    Column("metadata", Text),
    Column("extracted_text", LargeBinary, info=SEALED),  # an interview's words: sealed
    Column("phash", String(16)),  # perceptual hash of an image (appended by 0010)
)

# Every reading of an evidence file's text, kept: a better OCR later adds a version and
# the old ones stay. ``evidence.extracted_text`` holds a copy of the newest, which is
# what the search index holds.
evidence_texts = Table(
    "evidence_texts",
    metadata,
    _pk(),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("method", String(40), nullable=False),
    Column("tools", Text),  # JSON: tool -> version
    Column("ocr_lang", String(80)),
    Column("chars", Integer, nullable=False),
    Column("problem", Text),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("text", LargeBinary, info=SEALED),
    UniqueConstraint("evidence_id", "version"),
)

# Each evidence file's custody is a chain: event ``seq`` signs the hash of event
# ``seq - 1`` (store/custody.py). The chain's columns were appended by migration 0009;
# events older than that are signed by ``credible init`` when it upgrades the store
# (``signed_at`` later than ``at`` says so).
custody_events = Table(
    "custody_events",
    metadata,
    _pk(),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False, index=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(40), nullable=False),
    Column("details", Text),
    Column("seq", Integer),
    Column("reason", Text),
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
    Column("signature", String(128)),
    Column("key_fingerprint", String(64)),
    Column("signed_at", Text),
    UniqueConstraint("evidence_id", "seq"),
)

# RFC 3161 timestamp tokens over an evidence file's SHA-256, one per TSA asked. A request
# that could not be sent (no network) waits as ``queued`` until a later run sends it.
timestamps = Table(
    "timestamps",
    metadata,
    _pk(),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("tsa_url", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("requested_at", Text, nullable=False),
    Column("token", LargeBinary),
    Column("gen_time", Text),
    Column("serial", Text),
    Column("tsa_name", Text),
    Column("roots", Text),
    Column("checked_at", Text),
    Column("problem", Text),
)

imports = Table(
    "imports",
    metadata,
    _pk(),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("mapping", Text),
    Column("rows", Integer, nullable=False),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    UniqueConstraint("source_id", "evidence_id", "kind"),
)

person_records = Table(
    "person_records",
    metadata,
    _pk(),
    *_provenance(),
    Column("name", Text),
    Column("name_script", String(40)),
    Column("given_name", Text),
    Column("given_name_script", String(40)),
    Column("father_name", Text),
    Column("father_name_script", String(40)),
    Column("family_name", Text),
    Column("family_name_script", String(40)),
    Column("sex", String(10)),
    *_edtf("birth_date"),
    Column("birthplace", Text),
    Column("residence", Text),
    Column("ethnicity", Text),
    Column("role", String(20)),
    Column("facility", Text),
    *_edtf("detained"),
    Column("contact", LargeBinary, info=SEALED),
    Column("notes", Text),
    _sealed_extra(),
    Column("consent_to_publish", String(3)),  # yes | no; empty: not given
    # Appended after consent_to_publish (migration 0008): empty on older rows.
    Column("township", Text),
    Column("village", Text),
    Column("id_number", Text),  # as written
    Column("id_number_norm", String(20)),
    Column("id_number_problem", Text),  # empty: a valid number
    Column("id_number_birth_date", String(10)),  # derived from a valid number
    Column("id_number_sex", String(10)),
    Column("id_number_region", String(6)),
    Column("relatives", Text),
)

persons = Table(
    "persons",
    metadata,
    _pk(),
    Column("run_id", Integer, ForeignKey("runs.id"), index=True),
    Column("label", Text),
    Column("size", Integer, nullable=False),
)

person_members = Table(
    "person_members",
    metadata,
    _pk(),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("record_id", Integer, ForeignKey("person_records.id"), nullable=False),
    Column("match_probability", Float),
    Column("decided_by", String(20), nullable=False, server_default="model"),
    Index("ix_person_members_record", "record_id"),
)

facilities = Table(
    "facilities",
    metadata,
    _pk(),
    *_provenance(),
    Column("name", Text),
    Column("name_script", String(40)),
    Column("name_zh", Text),
    Column("name_ug", Text),
    Column("kind", String(40)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("town", Text),
    Column("county", Text),
    Column("prefecture", Text),
    Column("security_tier", Integer),
    *_edtf("first_seen"),
    *_edtf("last_seen"),
    Column("capacity_estimate", Integer),
    Column("notes", Text),
    _sealed_extra(),
)

facility_observations = Table(
    "facility_observations",
    metadata,
    _pk(),
    *_provenance(),
    Column("facility_id", Integer, ForeignKey("facilities.id"), index=True),
    Column("facility", Text),
    *_edtf("observed"),
    Column("imagery", Text),
    Column("features", Text),
    Column("change", String(20)),
    Column("notes", Text),
    _sealed_extra(),
)

acts = Table(
    "acts",
    metadata,
    _pk(),
    *_provenance(),
    Column("type", String(60), nullable=False),
    Column("victim_record_id", Integer, ForeignKey("person_records.id"), index=True),
    Column("victim", Text),
    Column("facility_id", Integer, ForeignKey("facilities.id"), index=True),
    Column("facility", Text),
    Column("place", Text),
    *_edtf("date"),
    Column("status", String(40)),
    Column("description", Text),
    _sealed_extra(),
)

allegations = Table(
    "allegations",
    metadata,
    _pk(),
    *_provenance(),
    Column("act_id", Integer, ForeignKey("acts.id"), index=True),
    Column("act", Text),
    Column("excerpt", Text),
    Column("credibility", String(1)),
    _sealed_extra(),
    Column("stance", String(20)),  # supports | contradicts; empty means supports
)

assessments = Table(
    "assessments",
    metadata,
    _pk(),
    Column("act_id", Integer, ForeignKey("acts.id"), index=True),
    Column("finding", Text),
    Column("standard", String(60), nullable=False),
    Column("result", String(40), nullable=False),
    Column("score", Float),
    Column("rationale", Text),
    Column("method_version", Text),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("actor", Text, nullable=False),
    Column("at", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    _pk(),
    Column("stage", String(20), nullable=False),
    Column("method", Text),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("status", String(20), nullable=False),
    Column("parameters", Text),
    Column("software_version", Text, nullable=False),
    Column("input_fingerprint", String(64)),
    Column("seed", Integer),
    Column("results", Text),
    Column("actor", Text, nullable=False),
)

match_scores = Table(
    "match_scores",
    metadata,
    _pk(),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("record_l", Integer, ForeignKey("person_records.id"), nullable=False),
    Column("record_r", Integer, ForeignKey("person_records.id"), nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float),
)

judgements = Table(
    "judgements",
    metadata,
    _pk(),
    Column("record_l", Integer, ForeignKey("person_records.id"), nullable=False),
    Column("record_r", Integer, ForeignKey("person_records.id"), nullable=False),
    Column("decision", String(10), nullable=False),  # positive | negative | unsure
    Column("note", Text),
    Column("actor", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("retracts", Integer, ForeignKey("judgements.id")),
    Index("ix_judgements_pair", "record_l", "record_r"),
    # The review queue asks, for each candidate pair, whether its decision was
    # retracted: without this the database reads every judgement to answer.
    Index("ix_judgements_retracts", "retracts"),
)

# A split audit's answers (``credible split-audit``): the sample itself is the run that
# drew it (stage "split-audit"). Per sampled record, did a reviewer find the same person
# under another record (``found_record``), or search and find no one? Appended, as
# linkage judgements are; a retraction is a new row.
split_audit_answers = Table(
    "split_audit_answers",
    metadata,
    _pk(),
    Column("audit_run", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("record_id", Integer, ForeignKey("person_records.id"), nullable=False),
    Column("answer", String(10), nullable=False),  # found | not found | retracted
    Column("found_record", Integer, ForeignKey("person_records.id")),
    Column("note", Text),
    Column("actor", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("retracts", Integer, ForeignKey("split_audit_answers.id")),
)

# What an import kept as written instead of refusing (``credible import --keep-invalid``):
# one row per value that failed validation, the field left empty in the record.
import_problems = Table(
    "import_problems",
    metadata,
    _pk(),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False, index=True),
    Column("row", Integer),
    Column("column", Text),
    Column("field", String(60)),
    Column("value", Text),  # as written; never a sensitive field's (problems never hold one)
    Column("expected", Text, nullable=False),
)

# A source's reliability as graded over time: appended, never edited. The latest row is
# the grade in force (``sources.reliability`` mirrors it); an assessment run records
# the grades it used.
source_grades = Table(
    "source_grades",
    metadata,
    _pk(),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False, index=True),
    Column("reliability", String(1), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("at", Text, nullable=False),
)

# An analyst's decision that two acts are one incident, or two: appended, as linkage
# judgements are; a retraction is a new row.
act_judgements = Table(
    "act_judgements",
    metadata,
    _pk(),
    Column("act_l", Integer, ForeignKey("acts.id"), nullable=False),
    Column("act_r", Integer, ForeignKey("acts.id"), nullable=False),
    Column("decision", String(10), nullable=False),  # same | different | retracted
    Column("note", Text),
    Column("actor", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("retracts", Integer, ForeignKey("act_judgements.id")),
    Index("ix_act_judgements_pair", "act_l", "act_r"),
)

# An analyst's conclusion on an element of crimes against humanity (Rome Statute art. 7):
# appended; the latest per element is in force. The tool computes, the analyst concludes.
element_judgements = Table(
    "element_judgements",
    metadata,
    _pk(),
    Column("element", String(60), nullable=False, index=True),
    Column("met", String(3), nullable=False),  # yes | no
    Column("standard", String(60), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("actor", Text, nullable=False),
    Column("at", Text, nullable=False),
)

store_meta = Table(
    "store_meta",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("value", Text, nullable=False),
)

# The audit chain's head, signed with the organisation's key at every write: a chain
# recomputed by someone without the key no longer matches its signed heads.
audit_signatures = Table(
    "audit_signatures",
    metadata,
    _pk(),
    Column("entry_id", Integer, nullable=False, index=True),
    Column("entry_hash", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("key_fingerprint", String(64), nullable=False),
    Column("at", Text, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    _pk(),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(20), nullable=False),
    Column("entity", String(60), nullable=False),
    Column("entity_id", Integer),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# ---- the web's accounts and working tables (migration 0007) ------------------------

#: ``Column.info`` of a secret kept only as a hash (a password's, a token's): like a
#: sealed column, it never appears in the audit detail.
SECRET = {"sealed": True}

# The people who may sign in to the web application, with their role. Audited: who was
# given which role, and who disabled an account, is part of the record.
users = Table(
    "users",
    metadata,
    _pk(),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),  # admin | analyst | reviewer | viewer
    Column("password_hash", Text, nullable=False, info=SECRET),  # argon2id
    Column("disabled", Integer, nullable=False, server_default="0"),
    Column("created_at", Text, nullable=False),
)

# API tokens for scripts: only the SHA-256 of the token is kept; the token is shown once.
api_tokens = Table(
    "api_tokens",
    metadata,
    _pk(),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("label", Text),
    Column("token_hash", String(64), nullable=False, unique=True, info=SECRET),
    Column("created_at", Text, nullable=False),
    Column("revoked_at", Text),
)

# Browser sessions, kept server-side so that signing out or disabling a user ends them.
# The cookie holds a random id; the table holds its hash and the CSRF token.
web_sessions = Table(
    "web_sessions",
    metadata,
    _pk(),
    Column("session_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
)

# Sign-in attempts, for rate limiting across every worker process.
login_attempts = Table(
    "login_attempts",
    metadata,
    _pk(),
    Column("name", String(100), nullable=False, index=True),
    Column("client", String(100), nullable=False, index=True),
    Column("ok", Integer, nullable=False),
    Column("at", Text, nullable=False),
)

# Long runs (link, estimate, assess) started from the web, done by a background worker.
web_jobs = Table(
    "web_jobs",
    metadata,
    _pk(),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),  # queued | running | done | failed
    Column("progress", Float, nullable=False, server_default="0"),
    Column("stage", Text),
    Column("parameters", Text),
    Column("message", Text),
    Column("run_id", Integer),
    Column("actor", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("started_at", Text),
    Column("finished_at", Text),
)

# A pair of the review queue handed to one reviewer until the lease expires: the unique
# pair is what keeps two reviewers from getting the same pair at once.
review_leases = Table(
    "review_leases",
    metadata,
    _pk(),
    Column("record_l", Integer, nullable=False),
    Column("record_r", Integer, nullable=False),
    Column("reviewer", String(100), nullable=False, index=True),
    Column("expires_at", Text, nullable=False),
    UniqueConstraint("record_l", "record_r"),
)

# The name-part index of credible.search (derived data, outside the audit chain, like the
# search index): each distinct name part ("form") a record writes, under each of its
# ``credible.names`` key tokens; and which records write each form. A query looks up
# the forms sharing a key with its parts, decides among those few forms which are the
# name asked for, and takes their records by index (and their source, so that the
# common filters need no record row). The store drops a record's parts
# when the record changes; credible.search writes them again.
search_name_keys = Table(
    "search_name_keys",
    metadata,
    Column("token", String(200), primary_key=True),
    Column("form", Text, primary_key=True),
)

search_name_parts = Table(
    "search_name_parts",
    metadata,
    Column("form", Text, primary_key=True),
    Column("record_id", Integer, primary_key=True),
    Column("source_id", Integer, nullable=False),  # filtered on without the record's row
    Index("ix_search_name_parts_record", "record_id"),
)

# Tables whose rows the audit chain vouches for, in the order verification reads them.
AUDITED_TABLES: tuple[Table, ...] = (
    sources,
    evidence,
    custody_events,
    imports,
    person_records,
    facilities,
    facility_observations,
    acts,
    allegations,
    runs,
    persons,
    person_members,
    assessments,
    match_scores,
    judgements,
    source_grades,
    act_judgements,
    element_judgements,
    import_problems,
    users,
    api_tokens,
    timestamps,
    evidence_texts,
    split_audit_answers,
)

# The table each importable kind of row goes to.
TABLE_FOR_KIND: dict[str, Table] = {
    "person_record": person_records,
    "facility": facilities,
    "facility_observation": facility_observations,
    "act": acts,
    "allegation": allegations,
}

KIND_FOR_TABLE: dict[str, str] = {t.name: kind for kind, t in TABLE_FOR_KIND.items()}

# Export names (plural, as users type them) -> table.
EXPORTABLE: dict[str, Table] = {
    "sources": sources,
    "evidence": evidence,
    "custody": custody_events,
    "timestamps": timestamps,
    "evidence_texts": evidence_texts,
    "imports": imports,
    "person_records": person_records,
    "persons": persons,
    "person_members": person_members,
    "facilities": facilities,
    "facility_observations": facility_observations,
    "acts": acts,
    "allegations": allegations,
    "assessments": assessments,
    "runs": runs,
    "match_scores": match_scores,
    "judgements": judgements,
    "problems": import_problems,
    "source_grades": source_grades,
    "act_judgements": act_judgements,
    "element_judgements": element_judgements,
    "audit": audit,
    "audit_signatures": audit_signatures,
}
