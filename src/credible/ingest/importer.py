"""The write side of import: one file, one transaction, preserved as evidence.

Reading, detection and validation are ``ingest.reader``'s job; this module puts what it
yields into the store. If any row of the file has a problem, every problem is collected
and nothing is written. The same file imported again for the same source adds nothing.
"""

from __future__ import annotations

import json
import mimetypes
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Table, select

from credible.errors import InputError, NotFoundError, Problem, StoreError
from credible.ingest.limits import ReadLimits
from credible.ingest.manifest import manifest_entries
from credible.ingest.reader import ParsedFile, load_mapping, open_file
from credible.model import KINDS, vocabulary
from credible.model.fields import sensitive_fields
from credible.search import index_new_records
from credible.store import Store, UnitOfWork, file_sha256, now, record_custody, schema

#: What a mapping records in place of a sealed value.
SEALED_MARK = "[sealed]"

#: Problems held to report; past this many they are only counted (a million bad rows
#: must not become a million objects in memory).
MAX_PROBLEMS = 10_000

#: A source's name: what users type after --source, and what reports print.
SOURCE_NAME_MAX = 200

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportResult:
    path: Path
    source: str
    kind: str
    rows: int
    sha256: str
    already_imported: bool
    first_id: int | None = None
    warnings: list[str] = field(default_factory=list)
    kept_invalid: Counter[str] = field(default_factory=Counter)  # field -> values kept


def check_source_name(name: str) -> str:
    """A source name must be something a person can read, type and tell apart."""
    problem = None
    if not name or not name.strip():
        problem = "a source name (it is empty)"
    elif name != name.strip():
        problem = "a source name without spaces at its start or end"
    elif len(name) > SOURCE_NAME_MAX:
        problem = f"a source name of at most {SOURCE_NAME_MAX} characters"
    elif any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        problem = "a source name without control or invisible characters"
    if problem:
        raise InputError([Problem("--source", None, None, problem)], "bad source name")
    return name


class _AlreadyImported(Exception):
    def __init__(self, rows: int) -> None:
        self.rows = rows


def import_file(
    store: Store,
    path: Path,
    *,
    source: str,
    actor: str,
    mapping_path: Path | None = None,
    kind: str | None = None,
    limits: ReadLimits | None = None,
    progress: Progress | None = None,
    keep_invalid: bool = False,
) -> ImportResult:
    """Import one file as one transaction (module docstring). With ``keep_invalid``, a
    value that fails validation is kept as written (``extra.as_written``), its field left
    empty, and the problem stored (``import_problems``); anything else still refuses the
    whole file."""
    path = Path(path)
    check_source_name(source)
    if kind is not None and kind not in KINDS:
        raise InputError(
            [Problem("--kind", None, None, f"one of {', '.join(KINDS)}", kind)], "unknown kind"
        )
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "a readable file")], "cannot import")
    limits = limits or ReadLimits()
    mapping = load_mapping(mapping_path, limits) if mapping_path else None
    parsed = open_file(path, mapping=mapping, kind=kind, limits=limits)
    sha256, size = file_sha256(path)
    table = schema.TABLE_FOR_KIND[parsed.kind]
    _check_sealable(parsed.kind, table)

    with store.read() as conn:
        existing = _existing_import(conn, source, sha256, parsed.kind)
    if existing is not None:
        return ImportResult(path, source, parsed.kind, existing, sha256, already_imported=True)

    try:
        with store.write(actor) as uow:
            # Another import of the same file may have finished while this one waited.
            again = _existing_import(uow.conn, source, sha256, parsed.kind)
            if again is not None:
                raise _AlreadyImported(again)
            source_id = _source_id(uow, source, parsed)
            evidence_id = _evidence_id(uow, path, sha256, size, source_id, actor)
            import_id = uow.insert(
                schema.imports,
                source_id=source_id,
                evidence_id=evidence_id,
                kind=parsed.kind,
                mapping=json.dumps(_mapping_dump(parsed), ensure_ascii=False, sort_keys=True),
                rows=0,
                at=now(),
                actor=actor,
            )
            rows = _RowStream(
                uow, parsed, table, (source_id, evidence_id, import_id), progress, keep_invalid
            )
            first_id, count = uow.bulk_insert(
                table,
                rows,
                detail={"import_id": import_id, "file": path.name, "sha256": sha256},
            )
            if rows.problems:
                raise rows.refusal(path.name)
            if table is schema.person_records:
                index_new_records(uow, first_id, count)
            if rows.kept:
                _store_kept(uow, import_id, rows.kept)
            if count == 0:
                raise InputError(
                    [Problem(str(path), None, None, "at least one data row")],
                    f"{path.name} has no data rows; nothing was written",
                )
            uow.update(schema.imports, import_id, rows=count)
            record_custody(
                uow, evidence_id, "imported", details={"import_id": import_id, "rows": count}
            )
    except _AlreadyImported as done:
        return ImportResult(path, source, parsed.kind, done.rows, sha256, already_imported=True)
    return ImportResult(
        path,
        source,
        parsed.kind,
        count,
        sha256,
        already_imported=False,
        first_id=first_id,
        warnings=list(parsed.warnings),
        kept_invalid=Counter(p.field or p.column or "?" for p in rows.kept),
    )


def _store_kept(uow: UnitOfWork, import_id: int, kept: list[Problem]) -> None:
    """Each value kept as written, with where it was and what was expected (audited as
    one bulk write; ``credible export problems`` lists them)."""
    n = len(kept)
    uow.bulk_insert(
        schema.import_problems,
        [
            pa.table(
                {
                    "import_id": pa.array([import_id] * n, pa.int64()),
                    "row": pa.array([p.row for p in kept], pa.int64()),
                    "column": pa.array([p.column for p in kept], pa.string()),
                    "field": pa.array([p.field for p in kept], pa.string()),
                    "value": pa.array(
                        [None if p.value is None else str(p.value) for p in kept], pa.string()
                    ),
                    "expected": pa.array([p.expected for p in kept], pa.string()),
                }
            )
        ],
        detail={"import_id": import_id, "kept_as_written": n},
    )


def import_manifest(
    store: Store, folder: Path, *, actor: str, lists_only: bool = False
) -> list[ImportResult]:
    """Import every file ``folder/manifest.json`` names, in its ``import_order`` (the
    simulator writes such a manifest); ``lists_only`` takes the person lists alone."""
    folder = Path(folder)
    return [
        import_file(
            store,
            folder / entry["path"],
            source=entry["source"],
            actor=actor,
            mapping_path=folder / entry["mapping"],
            kind=entry.get("kind"),
        )
        for entry in manifest_entries(folder, lists_only=lists_only)
    ]


def _check_sealable(kind: str, table: Table) -> None:
    """Every field the model calls sensitive must have a sealed column to go to."""
    unsealed = sensitive_fields(kind) - schema.sealed_columns(table)
    if unsealed:
        raise StoreError(
            f"{kind} fields {sorted(unsealed)} are sensitive but the store has no sealed "
            "column for them; nothing was written"
        )


def _mapping_dump(parsed: ParsedFile) -> Any:
    """The mapping as recorded with the import; a sensitive field's constant, default and
    recoded values are the very values that are sealed in the rows, so they are not kept."""
    dump: dict[str, Any] = parsed.mapping.model_dump(mode="json")
    for name in sensitive_fields(parsed.kind):
        if name in dump.get("constants", {}):
            dump["constants"][name] = SEALED_MARK
        spec = dump.get("columns", {}).get(name)
        if spec:
            if spec.get("default") is not None:
                spec["default"] = SEALED_MARK
            if spec.get("values"):
                spec["values"] = SEALED_MARK
    return dump


def _existing_import(conn: Connection, source: str, sha256: str, kind: str) -> int | None:
    s, e, i = schema.sources, schema.evidence, schema.imports
    stmt = (
        select(i.c.rows)
        .join(s, s.c.id == i.c.source_id)
        .join(e, e.c.id == i.c.evidence_id)
        .where(s.c.name == source, e.c.sha256 == sha256, i.c.kind == kind)
    )
    row = conn.execute(stmt).first()
    return None if row is None else int(row[0])


def _source_id(uow: UnitOfWork, name: str, parsed: ParsedFile) -> int:
    s = schema.sources
    found = uow.conn.execute(select(s.c.id).where(s.c.name == name)).scalar()
    if found is not None:
        return int(found)
    defaults = getattr(parsed.mapping, "source", None)
    values: dict[str, Any] = {"name": name, "created_at": now()}
    if defaults is not None:
        for key in ("kind", "reliability", "confidentiality", "description"):
            val = getattr(defaults, key, None)
            if val is not None:
                values[key] = val
        parent = getattr(defaults, "derived_from", None)
        if parent:
            pid = uow.conn.execute(select(s.c.id).where(s.c.name == parent)).scalar()
            if pid is None:
                raise NotFoundError(
                    f"source {name!r} is derived from {parent!r}, which is not in the store yet: "
                    "import that source first"
                )
            values["derived_from_id"] = pid
    problems = []
    if "kind" in values and values["kind"] not in vocabulary("source_kinds"):
        problems.append(f"source kind must be one of {vocabulary('source_kinds').describe()}")
    if "reliability" in values and values["reliability"] not in vocabulary("reliability"):
        problems.append("source reliability must be one of A-F")
    if problems:
        raise InputError([Problem(str(parsed.path), None, "source", p) for p in problems])
    return uow.insert(s, **values)


def _evidence_id(
    uow: UnitOfWork, path: Path, sha256: str, size: int, source_id: int, actor: str
) -> int:
    e = schema.evidence
    found = uow.conn.execute(select(e.c.id).where(e.c.sha256 == sha256)).scalar()
    if found is not None:
        return int(found)
    vault = uow.store.vault
    if vault.put(path, sha256):
        # A refused import must leave no copy behind: nothing in the store points at it.
        uow.on_rollback(lambda: vault.discard(sha256))
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    evidence_id = uow.insert(
        e,
        sha256=sha256,
        size=size,
        media_type=media_type,
        original_name=path.name,
        source_id=source_id,
        acquired_at=now(),
        acquired_by=actor,
    )
    record_custody(uow, evidence_id, "acquired", details={"original_name": path.name})
    return evidence_id


class _RowStream:
    """Turns the reader's batches into Arrow tables shaped like the store's table,
    resolving references (victim, facility, act) to ids and indexing names for search.
    Problems are collected; once there is one, rows are no longer written but reading
    goes on so that the user sees every problem at once."""

    def __init__(
        self,
        uow: UnitOfWork,
        parsed: ParsedFile,
        table: Table,
        provenance: tuple[int, int, int],
        progress: Progress | None,
        keep_invalid: bool = False,
    ) -> None:
        self.uow = uow
        self.keep_invalid = keep_invalid
        self.kept: list[Problem] = []  # values kept as written (--keep-invalid)
        self.more_problems = 0  # problems beyond MAX_PROBLEMS, counted only
        self.parsed = parsed
        self.table = table
        self.provenance = dict(
            zip(("source_id", "evidence_id", "import_id"), provenance, strict=True)
        )
        self.progress = progress
        self.problems: list[Problem] = []
        self.data_columns = [
            c.name for c in table.c if c.name != "id" and c.name not in self.provenance
        ]
        self.sealed = schema.sealed_columns(table)
        self.resolvers = _resolvers(uow, parsed.kind, parsed.path.name)

    def __iter__(self) -> Iterator[pa.Table]:
        for batch in self.parsed.batches():
            found = list(batch.problems)
            shaped = self._shape(batch.table, found)
            self._sort(found)
            if self.progress:
                self.progress(batch.table.num_rows)
            if self.problems:
                continue
            yield shaped

    def _sort(self, found: list[Problem]) -> None:
        """Values that only failed validation are kept (with --keep-invalid); anything
        else refuses the file. Past MAX_PROBLEMS, problems are counted, not held."""
        for problem in found:
            if self.keep_invalid and problem.keepable:
                self.kept.append(problem)
            elif len(self.problems) < MAX_PROBLEMS:
                self.problems.append(problem)
            else:
                self.more_problems += 1

    def refusal(self, file: str) -> InputError:
        total = len(self.problems) + self.more_problems
        more = f" (the first {len(self.problems):,} are listed)" if self.more_problems else ""
        hint = ""
        if not self.keep_invalid and any(p.keepable for p in self.problems):
            hint = "; --keep-invalid keeps values that fail validation as written instead"
        return InputError(
            self.problems, f"{file}: {total:,} problem(s) found{more}; nothing was written{hint}"
        )

    def _shape(self, t: pa.Table, problems: list[Problem]) -> pa.Table:
        n = t.num_rows
        names = set(t.column_names)
        columns: dict[str, pa.Array | pa.ChunkedArray] = {
            key: pa.array([value] * n, pa.int64()) for key, value in self.provenance.items()
        }
        for col in self.data_columns:
            if col in self.resolvers:
                raw_name, resolve = self.resolvers[col]
                raw = t.column(raw_name).to_pylist()
                rows = t.column("source_row").to_pylist()
                resolved = [resolve(v, r, problems) for v, r in zip(raw, rows, strict=True)]
                columns[col] = pa.array(resolved, pa.int64())
            elif col in self.sealed and col in names:
                cipher = self.uow.store.cipher
                plain = t.column(col).to_pylist()
                columns[col] = pa.array([cipher.encrypt(v) for v in plain], pa.binary())
            elif col in names:
                columns[col] = t.column(col)
        return pa.table(columns)


def _resolvers(
    uow: UnitOfWork, kind: str, file: str
) -> dict[str, tuple[str, Callable[..., int | None]]]:
    """Column -> (raw field, function resolving its value to an id of another table)."""
    if kind == "act":
        return {
            "victim_record_id": (
                "victim",
                _lookup(uow, schema.person_records, "victim", file, by_name=False),
            ),
            "facility_id": ("facility", _lookup(uow, schema.facilities, "facility", file)),
        }
    if kind == "allegation":
        return {"act_id": ("act", _lookup(uow, schema.acts, "act", file, by_name=False))}
    if kind == "facility_observation":
        return {"facility_id": ("facility", _lookup(uow, schema.facilities, "facility", file))}
    return {}


def _lookup(
    uow: UnitOfWork, table: Table, field: str, file: str, by_name: bool = True
) -> Callable[..., int | None]:
    """Resolve by external_id (and, for facilities, by name), loaded once per import."""
    ids: dict[str, int] = {}
    cols = [table.c.id, table.c.external_id] + ([table.c.name] if by_name else [])
    for row in uow.conn.execute(select(*cols)):
        for key in row[1:]:
            if key is not None:
                ids.setdefault(str(key), int(row[0]))

    def resolve(value: str | None, row: int, problems: list[Problem]) -> int | None:
        if value is None:
            return None
        found = ids.get(str(value))
        if found is None:
            problems.append(
                Problem(
                    file,
                    row,
                    field,
                    f"an existing {table.name} id or name",
                    value,
                    field=field,
                    keepable=True,
                )
            )
        return found

    return resolve
