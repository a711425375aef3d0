"""Open a CSV/TSV, XLSX, JSON or JSON Lines file and stream it as validated Arrow batches.

``open_file`` does everything that concerns the whole file (format, encoding,
delimiter, header against mapping) and raises InputError at once when the file cannot
be read at all. ``ParsedFile.batches`` then streams typed rows; each batch carries the
problems found in its rows, every one of them, for the importer to report together,
and a last batch those found only at the end (a quote never closed, no row with a value
in any mapped column). What is allowed but worth a look is said in
``ParsedFile.warnings``, filled while streaming. ``ReadLimits`` bounds what a file may
cost to read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from credible.errors import InputError, Problem
from credible.ingest.convert import Converter, blank_rows, clean
from credible.ingest.jsonfile import JSON_PEEK, JsonSource
from credible.ingest.limits import ReadLimits, limit_problem
from credible.ingest.mapping import Mapping, auto_mapping, load_mapping, unread_aliases
from credible.ingest.textfile import TextSource
from credible.ingest.xlsxfile import XlsxSource

__all__ = ["Batch", "ParsedFile", "ReadLimits", "load_mapping", "open_file"]

# The fields a facility can be named by; a row with none of them is allowed but said.
FACILITY_NAMES = ("name", "name_zh", "name_ug")
SHOWN_ROWS = 10

EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


@dataclass
class Batch:
    table: pa.Table
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ParsedFile:
    path: Path
    kind: str
    format: str
    encoding: str | None
    delimiter: str | None
    mapping: Mapping
    _source: TextSource | XlsxSource | JsonSource = field(repr=False)
    _converter: Converter = field(repr=False)
    _used: bool = field(default=False, repr=False)
    warnings: list[str] = field(default_factory=list)
    _opened_with: int = field(default=0, repr=False)  # warnings known before streaming

    @property
    def headers(self) -> list[str]:
        return list(self._source.headers)

    @property
    def schema(self) -> pa.Schema:
        return self._converter.schema()

    def batches(self, batch_size: int = 50_000) -> Iterator[Batch]:
        """Typed rows in batches; blank rows are skipped (and still counted) unless the
        mapping says ``skip_blank_rows: false``. A file streams once per ``open_file``
        for XLSX; CSV and JSON can be read again."""
        if self._used and isinstance(self._source, XlsxSource):
            raise InputError([Problem(self.path.name, None, None, "open the workbook again")])
        self._used = True
        del self.warnings[self._opened_with :]
        unnamed: list[int] = []
        unnamed_count = 0
        for raw, rows, problems in self._source.iter_raw(batch_size):
            cells = [clean(c) for c in raw]
            if self.mapping.skip_blank_rows and len(rows):
                keep = ~blank_rows(cells)
                if not keep.all():
                    mask = pa.array(keep)
                    cells = [c.filter(mask) for c in cells]
                    rows = rows.filter(mask)
            table, found = self._converter.convert(cells, rows)
            if self.kind == "facility" and table.num_rows:
                nameless = _nameless(table)
                unnamed_count += len(nameless)
                unnamed += nameless[: SHOWN_ROWS - len(unnamed)]
            yield Batch(table, problems + found)
        if not self._converter.any_mapped:
            yield Batch(self.schema.empty_table(), [self._nothing_mapped()])
        if unnamed_count:
            shown = ", ".join(map(str, unnamed)) + (", ..." if unnamed_count > len(unnamed) else "")
            rows_word = "rows" if unnamed_count > 1 else "row"
            self.warnings.append(
                f"{unnamed_count} facility {rows_word} {'have' if unnamed_count > 1 else 'has'} "
                f"no name in any of {', '.join(FACILITY_NAMES)} ({rows_word} {shown})"
            )
        if isinstance(self._source, JsonSource) and self._source.unread:
            keys = ", ".join(
                f"{k!r} (first in record {n})" for k, n in list(self._source.unread.items())[:10]
            )
            self.warnings.append(
                f"keys that no record among the first {JSON_PEEK} has were not read: {keys}"
            )

    def _nothing_mapped(self) -> Problem:
        """The whole file: not one row has a value in a column a field is read from."""
        converter = self._converter
        mapped = converter.mapped_names()
        if mapped:
            why = f"no row has a value in any mapped column ({'; '.join(mapped)})"
        else:
            shown = ", ".join(repr(h) for h in self.headers[:20]) or "none"
            why = (
                f"a column for at least one field of {self.kind}: no header names one "
                f"(headers: {shown}); map them in a mapping file (docs/mapping.md)"
            )
        source = self._source
        if isinstance(source, TextSource):
            why += f"; cells were split at {source.delimiter!r} ({source.delimiter_from})"
            if source.sniffed != source.delimiter:
                why += f", but the first lines split best at {source.sniffed!r}: declare delimiter:"
        return Problem(self.path.name, None, None, why)


def _format_of(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt:
        return fmt
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            [Problem(path.name, None, None, "old binary .xls is not read; save it as .xlsx")]
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl"
    if head and b"\x00" not in head:
        return "csv"
    raise InputError(
        [
            Problem(
                path.name,
                None,
                None,
                f"unknown format {path.suffix or '(no extension)'}: "
                "expected .csv, .tsv, .xlsx, .json or .jsonl (or format: in a mapping)",
            )
        ]
    )


def _nameless(table: pa.Table) -> list[int]:
    """Source rows of facilities with no name in any script."""
    named = np.zeros(table.num_rows, dtype=bool)
    for name in FACILITY_NAMES:
        named |= table.column(name).is_valid().to_numpy(zero_copy_only=False)
    rows = table.column("source_row").to_numpy(zero_copy_only=False)
    return [int(r) for r in rows[~named]]


def open_file(
    path: Path,
    *,
    mapping: Mapping | None = None,
    kind: str | None = None,
    limits: ReadLimits | None = None,
) -> ParsedFile:
    """Open ``path`` for reading; raises InputError for whole-file problems. ``limits``
    bound what reading it may cost (``ReadLimits()`` when not given)."""
    path = Path(path)
    limits = limits or ReadLimits()
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "no such file")])
    if mapping is not None and kind is not None and kind != mapping.kind:
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    "kind",
                    f"--kind {kind} contradicts the mapping's kind {mapping.kind}",
                )
            ]
        )
    settings = mapping or Mapping.model_validate({"kind": kind or "person_record"})
    fmt = _format_of(path, settings.format)
    source: TextSource | XlsxSource | JsonSource
    try:
        if fmt in ("csv", "tsv"):
            source = TextSource(path, fmt, settings.encoding, settings.delimiter, limits)
        elif fmt == "xlsx":
            source = XlsxSource(path, settings.sheet, limits)
        else:
            source = JsonSource(path, fmt, settings.encoding, settings.records, limits)
            wanted = [c for spec in settings.columns.values() for c in spec.columns]
            if isinstance(settings.keep_columns, list):
                wanted += settings.keep_columns
            source.add_paths(wanted)
    except OSError as exc:
        raise InputError([Problem(path.name, None, None, f"cannot read: {exc}")]) from exc
    if len(source.headers) > limits.columns:
        many = f"the header has {len(source.headers):,} columns"
        raise InputError([limit_problem(path.name, "columns", limits, many)])
    warnings = []
    if mapping is None:
        settings = auto_mapping(source.headers, settings.kind)
        for field_name, (read, others) in unread_aliases(source.headers, settings.kind).items():
            warnings.append(
                f"{', '.join(map(repr, others))} also name{'s' if len(others) == 1 else ''} the "
                f"field {field_name}: {read!r} was read into it, the others kept in extra"
            )
    converter = Converter(settings, source.headers, path.name)
    if isinstance(source, JsonSource):
        source.mapped = converter.mapped_columns
    return ParsedFile(
        path=path,
        kind=settings.kind,
        format=fmt,
        encoding=source.encoding,
        delimiter=source.delimiter,
        mapping=settings,
        _source=source,
        _converter=converter,
        warnings=warnings,
        _opened_with=len(warnings),
    )
