"""Open a CSV/TSV, XLSX, JSON or JSON Lines file and stream it as validated Arrow batches.

``open_file`` does everything that concerns the whole file (format, encoding,
delimiter, header against mapping) and raises InputError at once when the file cannot
be read at all. ``ParsedFile.batches`` then streams typed rows; each batch carries the
problems found in its rows, every one of them, for the importer to report together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from credible.errors import InputError, Problem
from credible.ingest.convert import Converter, blank_rows, clean
from credible.ingest.mapping import Mapping, auto_mapping, load_mapping
from credible.ingest.sheets import JsonSource, XlsxSource
from credible.ingest.textfile import TextSource

__all__ = ["Batch", "ParsedFile", "load_mapping", "open_file"]

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
        for raw, rows, problems in self._source.iter_raw(batch_size):
            cells = [clean(c) for c in raw]
            if self.mapping.skip_blank_rows and len(rows):
                keep = ~blank_rows(cells)
                if not keep.all():
                    mask = pa.array(keep)
                    cells = [c.filter(mask) for c in cells]
                    rows = rows.filter(mask)
            table, found = self._converter.convert(cells, rows)
            yield Batch(table, problems + found)


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


def open_file(path: Path, *, mapping: Mapping | None = None, kind: str | None = None) -> ParsedFile:
    """Open ``path`` for reading; raises InputError for whole-file problems."""
    path = Path(path)
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
            source = TextSource(path, fmt, settings.encoding, settings.delimiter)
        elif fmt == "xlsx":
            source = XlsxSource(path, settings.sheet)
        else:
            source = JsonSource(path, fmt, settings.encoding, settings.records)
            wanted = [c for spec in settings.columns.values() for c in spec.columns]
            if isinstance(settings.keep_columns, list):
                wanted += settings.keep_columns
            source.add_paths(wanted)
    except OSError as exc:
        raise InputError([Problem(path.name, None, None, f"cannot read: {exc}")]) from exc
    if mapping is None:
        settings = auto_mapping(source.headers, settings.kind)
    converter = Converter(settings, source.headers, path.name)
    return ParsedFile(
        path=path,
        kind=settings.kind,
        format=fmt,
        encoding=source.encoding,
        delimiter=source.delimiter,
        mapping=settings,
        _source=source,
        _converter=converter,
    )
