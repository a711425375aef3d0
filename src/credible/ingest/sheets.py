"""XLSX (a fast reader of the sheet XML; openpyxl for the rest) and JSON / JSON Lines.

Both hand the converter string cells, as CSV does: numbers, dates and booleans are
written the way a person would type them (``12``, ``2017-05-03``, ``true``).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credible.errors import InputError, Problem
from credible.ingest.xlsxcells import cell_text
from credible.ingest.xlsxfast import Block, Book, SheetReader, block_of_lists

RawBatch = tuple[list[pa.Array], pa.Array, list[Problem]]
JSON_PEEK = 1000


class XlsxSource:
    def __init__(self, path: Path, sheet: str | None) -> None:
        self.path = path
        self.file = path.name
        self.encoding = None
        self.delimiter = None
        if path.stat().st_size == 0:
            raise InputError([Problem(self.file, None, None, "the file is empty")])
        self._book: Book | None = None
        self._openpyxl: Any = None
        try:
            self._book = Book(path)
            names = self._book.sheetnames
            worksheets = list(self._book.worksheets)
        except Exception:  # damaged, or unusual: openpyxl's own loader decides
            self._book = None
            names, worksheets = self._load_openpyxl()
        if sheet is not None and sheet not in names:
            raise InputError(
                [
                    Problem(
                        self.file, None, "sheet", f"no sheet {sheet!r}; sheets: {', '.join(names)}"
                    )
                ]
            )
        self._sheet = sheet or worksheets[0]
        self.reader = "fast" if self._book is not None and self._sheet in worksheets else "openpyxl"
        self._blocks = self._guard(self._block_stream())
        first = next(self._blocks, None)
        if first is None:
            raise InputError([Problem(self.file, None, None, "the sheet is empty")])
        width = max(first.columns, default=0)
        self.headers = [
            (first.columns[c][0].as_py() or "").strip() if c in first.columns else ""
            for c in range(1, width + 1)
        ]
        while self.headers and not self.headers[-1]:
            self.headers.pop()
        if not self.headers:
            raise InputError([Problem(self.file, 1, None, "the first row must be a header")])
        self._rest = first.slice(1)

    def _load_openpyxl(self) -> tuple[list[str], list[str]]:
        import openpyxl

        try:
            self._openpyxl = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
            raise InputError(
                [
                    Problem(
                        self.file, None, None, f"not a readable XLSX workbook (truncated?): {exc}"
                    )
                ]
            ) from exc
        return list(self._openpyxl.sheetnames), [ws.title for ws in self._openpyxl.worksheets]

    def _block_stream(self) -> Iterator[Block]:
        """The fast reader, and openpyxl from the first row it did not give when the sheet
        has XML it does not read (or is damaged: openpyxl then says how)."""
        given = 0
        if self.reader == "fast" and self._book is not None:
            try:
                for block in SheetReader(self._book, self._sheet).blocks():
                    yield block
                    given += block.count
                return
            except Exception:  # any surprise means: let openpyxl read it
                self.reader = "openpyxl"
        if self._openpyxl is None:
            self._load_openpyxl()
        sheet = self._openpyxl[self._sheet]
        # Read-only mode trusts the sheet's declared dimension and silently drops rows
        # and columns outside it; some writers declare A1:A1. Read what is there.
        sheet.reset_dimensions()
        rows = islice(sheet.iter_rows(values_only=True), given, None)
        while chunk := list(islice(rows, 5000)):
            yield block_of_lists([[cell_text(c) for c in row] for row in chunk])

    def _guard(self, blocks: Iterable[Block]) -> Iterator[Block]:
        try:
            yield from blocks
        except Exception as exc:  # zlib, XML and zip errors all mean a damaged file
            raise InputError(
                [Problem(self.file, None, None, f"the workbook is damaged or truncated: {exc}")]
            ) from exc

    def iter_raw(self, batch_size: int) -> Iterator[RawBatch]:
        ncols = len(self.headers)
        held: list[list[pa.Array]] = []
        count = 0  # rows held
        n = 0  # data rows read
        problems: list[Problem] = []
        try:
            for block in chain([self._rest], self._blocks):
                if not block.count:
                    continue
                for c, col in block.columns.items():
                    if c > ncols:
                        text = pc.utf8_trim_whitespace(col)
                        bad = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
                        for i in np.nonzero(bad.to_numpy(zero_copy_only=False))[0]:
                            problems.append(
                                Problem(
                                    self.file,
                                    n + int(i) + 1,
                                    None,
                                    f"a value right of the last header column {ncols}",
                                )
                            )
                empty = pa.nulls(block.count, pa.string())
                held.append([block.columns.get(c + 1, empty) for c in range(ncols)])
                count += block.count
                n += block.count
                while count >= batch_size:
                    cols = [pa.concat_arrays([h[c] for h in held]) for c in range(ncols)]
                    first = n - count + 1
                    numbers = pa.array(np.arange(first, first + batch_size), pa.int64())
                    yield [c.slice(0, batch_size) for c in cols], numbers, problems
                    problems = []
                    held = [[c.slice(batch_size) for c in cols]]
                    count -= batch_size
            if count or problems:
                cols = [
                    pa.concat_arrays([h[c] for h in held]) if held else pa.array([], pa.string())
                    for c in range(ncols)
                ]
                first = n - count + 1
                yield cols, pa.array(np.arange(first, first + count), pa.int64()), problems
        finally:
            if self._book is not None:
                self._book.close()
            if self._openpyxl is not None:
                self._openpyxl.close()


def _get(record: dict[str, Any], key: str) -> Any:
    if key in record:
        return record[key]
    node: Any = record
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _iter_array(f: TextIO, file: str) -> Iterator[Any]:
    """Elements of a top-level JSON array, one at a time (the file is never all in memory)."""
    decoder = json.JSONDecoder()
    buf, pos, eof = "", 0, False

    def more() -> bool:
        nonlocal buf, pos, eof
        chunk = f.read(1 << 20)
        eof = not chunk
        buf, pos = buf[pos:] + chunk, 0
        return bool(chunk)

    def skip_ws() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n\ufeff":
                pos += 1
            if pos < len(buf) or not more():
                return buf[pos] if pos < len(buf) else ""

    if skip_ws() != "[":
        raise InputError([Problem(file, None, None, "expected a JSON array of objects")])
    pos += 1
    n = 0
    while True:
        ch = skip_ws()
        if ch == "]":
            return
        if ch == "," and n:
            pos += 1
            skip_ws()
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
                if end == len(buf) and not eof and more():
                    continue  # a number may go on in the next chunk
                break
            except json.JSONDecodeError as exc:
                if not eof and more():
                    continue
                raise InputError(
                    [Problem(file, n + 1, None, f"invalid JSON: {exc.msg}", buf[pos : pos + 80])]
                ) from exc
        n += 1
        pos = end
        yield obj


class JsonSource:
    """A JSON array of objects (at the root or at a dotted ``records`` path) or JSON Lines."""

    def __init__(self, path: Path, fmt: str, encoding: str | None, records: str | None) -> None:
        self.path = path
        self.file = path.name
        self.format = fmt
        self.encoding = encoding or "utf-8"
        self._open_encoding = "utf-8-sig" if self.encoding == "utf-8" else self.encoding
        self.delimiter = None
        self.records = records
        with open(path, "rb") as f:
            head = f.read(1 << 16)
        if not head.strip():
            raise InputError([Problem(self.file, None, None, "the file is empty")])
        peek = []
        for _, rec in self._records():
            peek.append(rec)
            if len(peek) >= JSON_PEEK:
                break
        if not peek:
            raise InputError([Problem(self.file, None, None, "no records in the file")])
        keys: dict[str, None] = {}
        for rec in peek:
            if isinstance(rec, dict):
                keys.update(dict.fromkeys(str(k) for k in rec))
        self.headers = list(keys)
        self._peek = peek

    def add_paths(self, wanted: Iterable[str]) -> None:
        """Dotted keys the mapping asks for become columns when some record has them."""
        for key in wanted:
            if key not in self.headers and any(
                isinstance(r, dict) and _get(r, key) is not None for r in self._peek
            ):
                self.headers.append(key)

    def _records(self) -> Iterator[tuple[int, Any]]:
        try:
            with open(self.path, encoding=self._open_encoding) as f:
                if self.format == "jsonl":
                    for n, line in enumerate(f, start=1):
                        if not line.strip():
                            yield n, None
                            continue
                        try:
                            yield n, json.loads(line)
                        except json.JSONDecodeError as exc:
                            yield n, _Bad(f"invalid JSON: {exc.msg}", line[:80])
                elif self.records is None:
                    yield from enumerate(_iter_array(f, self.file), start=1)
                else:
                    # A nested array needs the whole document; json.load it.
                    data = json.load(f)
                    node = data
                    for part in self.records.split("."):
                        node = node.get(part) if isinstance(node, dict) else None
                    if not isinstance(node, list):
                        raise InputError(
                            [Problem(self.file, None, "records", f"no array at {self.records!r}")]
                        )
                    yield from enumerate(node, start=1)
        except UnicodeDecodeError as exc:
            raise InputError(
                [Problem(self.file, None, None, f"text that is not valid {self.encoding}: {exc}")]
            ) from exc
        except json.JSONDecodeError as exc:
            raise InputError(
                [Problem(self.file, exc.lineno, None, f"invalid JSON: {exc.msg}")]
            ) from exc

    def iter_raw(self, batch_size: int) -> Iterator[RawBatch]:
        records: list[dict[str, Any]] = []
        numbers: list[int] = []
        problems: list[Problem] = []
        for n, rec in self._records():
            if isinstance(rec, _Bad):
                problems.append(Problem(self.file, n, None, rec.why, rec.text))
                continue
            if rec is not None and not isinstance(rec, dict):
                problems.append(
                    Problem(self.file, n, None, "expected a JSON object", str(rec)[:80])
                )
                continue
            records.append(rec or {})
            numbers.append(n)
            if len(records) >= batch_size:
                yield self._columns(records), pa.array(numbers, pa.int64()), problems
                records, numbers, problems = [], [], []
        if records or problems:
            yield self._columns(records), pa.array(numbers, pa.int64()), problems

    def _columns(self, records: list[dict[str, Any]]) -> list[pa.Array]:
        """Column by column: most JSON columns hold only strings, which need no conversion."""
        out = []
        for key in self.headers:
            if "." in key:
                values = [_get(r, key) for r in records]
            else:
                values = [r.get(key) for r in records]
            if not all(v is None or type(v) is str for v in values):
                values = [cell_text(v) for v in values]
            out.append(pa.array(values, pa.string()))
        return out


class _Bad:
    def __init__(self, why: str, text: str) -> None:
        self.why, self.text = why, text
