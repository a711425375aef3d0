"""A streaming reader of an XLSX sheet's XML that gives the same cells as openpyxl.

openpyxl's read-only mode costs several Python calls per cell (~4k rows/s on this
project's benchmark). Here the sheet's XML is read as bytes in pieces that end on a
row's end, and each piece is taken apart column-wise with pyarrow compute (split at
``<row `` and ``<c ``, RE2 for the parts; a ``<`` never occurs inside XML text or
attribute values), every distinct raw value converted once. The workbook around the
sheet (which part is which sheet, the shared strings, the styles that mark dates, the
1900/1904 epoch) is still read by openpyxl's own steps, so that both readers start from
the same facts.

A piece with anything else (formulas, rich text, a namespace prefix, cells without a
reference, rows out of order, comments, ...) is read cell by cell (``xlsxcells``);
what that does not read exactly, or a damaged stream, raises, and the caller goes on
with openpyxl from the first row not yet given, so rows, numbering and errors stay
openpyxl's. Equality with openpyxl is tested on generated workbooks
(tests/ingest/test_xlsxfast.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credible.ingest.limits import ReadLimits
from credible.ingest.xlsxcells import (
    MAIN_NS,
    MAX_ROWS,
    Block,
    CellReader,
    PastLastRow,
    State,
    Unusual,
    block_of_lists,
    column_number,
    normalise,
    shared_strings,
    unescape,
)
from credible.ingest.xlsxlimits import Meter, check_archive

__all__ = ["Block", "Book", "PastLastRow", "SheetReader", "Unusual", "block_of_lists"]

CHUNK = 1 << 22  # bytes of sheet XML per piece: fewer pieces, less fixed cost each
_NULL = pa.scalar(None, pa.string())
_ROOT = re.compile(rb"<worksheet\b[^>]*\sxmlns=\"([^\"]*)\"")
# What the columnar path reads: a cell piece after "<c " and a row piece after "<row ".
_CELL = (
    r'^[^<>]*(?:/>|>(?:<v>[^<]*</v>|<is><t(?: xml:space="preserve")?>[^<]*</t></is>)?</c>)'
    r"\s*(?:</row>\s*)?$"
)
_ROW_HEAD = r"^[^<>]*>\s*(?:</row>\s*)?$"
_KINDS = ("inlineStr", "s", "n", "b", "str", "e", "d")
_CANONICAL_INT = r"^(?:0|-?[1-9][0-9]{0,17})$"


class Book:
    """What openpyxl's ``load_workbook(read_only=True)`` reads of a workbook (the same
    steps of its ``ExcelReader``) except the size of each sheet, which openpyxl finds
    by parsing the whole sheet when it declares no ``<dimension>``."""

    def __init__(self, path: Path, limits: ReadLimits | None = None) -> None:
        from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        limits = limits or ReadLimits()
        strings_part = check_archive(path, path.name, limits)
        reader = ExcelReader(str(path), read_only=True, data_only=True, keep_links=False)
        Meter(path.name, limits, strings_part).install(reader.archive)
        try:
            reader.read_manifest()
            strings: list[str] = []
            part = reader.package.find(SHARED_STRINGS)
            if part is not None:
                strings = shared_strings(reader.archive.read(part.PartName[1:]))
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            self.sheetnames: list[str] = []
            self.worksheets: dict[str, str] = {}  # name -> part, in the workbook's order
            for sheet, rel in reader.parser.find_sheets():
                if rel.target not in reader.valid_files:
                    continue
                self.sheetnames.append(sheet.name)
                if "chartsheet" not in rel.Type:
                    self.worksheets[sheet.name] = rel.target
            self.archive = reader.archive
            self.cells = CellReader(
                strings,
                reader.wb.epoch,
                set(reader.wb._date_formats),
                set(reader.wb._timedelta_formats),
            )
        except BaseException:
            reader.archive.close()
            raise

    def close(self) -> None:
        self.archive.close()


class SheetReader:
    """One worksheet, in blocks of rows from row 1 (missing rows are empty, as
    openpyxl's ``iter_rows`` gives them)."""

    def __init__(self, book: Book, sheet: str) -> None:
        self._path = book.worksheets[sheet]
        self._archive = book.archive
        self.cells = book.cells
        self._strings: pa.Array | None = None
        self.pieces = {"columnar": 0, "tokenised": 0}

    def blocks(self) -> Iterator[Block]:
        state = State()
        for segment in self._segments():
            if not segment.strip():
                continue
            block = self._columnar(segment, state)
            if block is None:
                self.pieces["tokenised"] += 1
                rows = self.cells.tokenised(normalise(segment.decode("utf-8")), state)
                block = block_of_lists(rows)
            else:
                self.pieces["columnar"] += 1
            if block.count:
                yield block

    def rows(self) -> Iterator[list[str | None]]:
        """Row by row, trailing empty cells left off."""
        for block in self.blocks():
            yield from block.lists()

    def _segments(self) -> Iterator[bytes]:
        """``<sheetData>`` in pieces of about CHUNK bytes that end on a row's end."""
        with self._archive.open(self._path) as src:
            head = src.read(CHUNK)
            _check_head(head)
            while (start := head.find(b"<sheetData")) < 0 or len(head) < start + 12:
                chunk = src.read(CHUNK)
                if not chunk:
                    raise Unusual("no <sheetData>")
                head += chunk
            if head.startswith(b"<sheetData/>", start):
                _finish(src, head[start:])
                return
            if not head.startswith(b"<sheetData>", start):
                raise Unusual("attributes on <sheetData>")
            buf = head[start + len(b"<sheetData>") :]
            while True:
                end = buf.find(b"</sheetData>")
                if end >= 0:
                    yield buf[:end]
                    _finish(src, buf[end:])
                    return
                cut = buf.rfind(b"</row>")
                if cut >= 0:
                    yield buf[: cut + 6]
                    buf = buf[cut + 6 :]
                chunk = src.read(CHUNK)
                if not chunk:
                    raise Unusual("the sheet ends inside <sheetData>")
                buf += chunk

    def _columnar(self, segment: bytes, state: State) -> Block | None:
        """The rows of a piece without a Python step per cell, or None when the piece
        holds anything this path does not read."""
        if b"\r" in segment:  # as an XML parser does
            segment = segment.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        offsets = pa.py_buffer(np.array([0, len(segment)], np.int32))
        whole = pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(segment)])
        whole.validate(full=True)  # UTF-8, or openpyxl says what is wrong
        if pc.any(pc.match_substring_regex(whole, "<[!?]")).as_py():
            return None  # comments, CDATA, processing instructions
        pieces = pc.split_pattern(whole, "<row ").values
        if len(pieces) < 2 or pieces[0].as_py().strip():
            return None
        # "<row" and "<c" only as "<row " and "<c " (no "<c>", "<c/>", prefixes)
        split = pc.split_pattern(pieces[1:], "<c ")
        if pc.any(pc.match_substring_regex(split.values, "<c|<row")).as_py():
            return None
        bounds = split.offsets.to_numpy()
        values = split.values
        head = np.zeros(len(values), dtype=bool)
        head[bounds[:-1]] = True
        # a row's first piece is its tag (and </row> when it has no cells)
        heads = values.filter(pa.array(head))
        if not pc.all(pc.match_substring_regex(heads, _ROW_HEAD)).as_py():
            return None
        numbers = pc.extract_regex(heads, r'(?:^|\s)r="(?P<r>[0-9]{1,9})"')
        if numbers.null_count:
            return None
        row_no = pc.cast(numbers.field("r"), pa.int64()).to_numpy(zero_copy_only=False)
        if row_no.max() > MAX_ROWS:
            raise PastLastRow(int(row_no.max()))
        if (np.diff(row_no) <= 0).any() or row_no[0] < state.given:
            return None  # out of order: openpyxl drops rows, the tokeniser does too
        cells = values.filter(pa.array(~head))
        if len(cells) and not (
            pc.all(pc.starts_with(cells, 'r="')).as_py()
            and pc.all(pc.match_substring_regex(cells, _CELL)).as_py()
        ):
            return None
        row_of = np.repeat(np.arange(len(row_no)), np.diff(bounds) - 1)
        parts = pc.extract_regex(cells, r"^(?P<attrs>[^>]*)>(?:<v>|<is><t[^>]*>)?(?P<x>[^<]*)")
        attrs = parts.field("attrs")
        col = _per_value(pc.utf8_slice_codeunits(attrs, 3, 6), _ref_column, pa.int64())
        cols = col.to_numpy(zero_copy_only=False)
        if ((row_of[1:] == row_of[:-1]) & (np.diff(cols) <= 0)).any():
            return None  # cells out of order or repeated: openpyxl's width rule applies
        texts = self._texts(attrs, parts.field("x"), pc.match_substring(cells, "<is>"))
        if texts is None:
            return None
        base = state.given
        count = int(row_no[-1]) - base + 1
        out_row = row_no[row_of] - base
        columns: dict[int, pa.Array] = {}
        for c in np.unique(cols):
            sel = np.nonzero(cols == c)[0]
            idx = np.full(count, -1, dtype=np.int64)
            idx[out_row[sel]] = sel
            columns[int(c)] = texts.take(pa.array(idx, mask=idx < 0))
        state.given = state.last = int(row_no[-1])
        state.given += 1
        return Block(count, columns)

    def _texts(self, attrs: pa.Array, x: pa.Array, has_is: pa.Array) -> pa.Array | None:
        """Cell texts by type (``t``), each distinct raw value converted once; None when
        a cell has a type or style this path does not read."""
        spaced = pc.binary_join_element_wise(" ", attrs, "")
        typed = pc.match_substring(spaced, ' t="')
        known = pc.invert(typed)
        kinds = {}
        for k in _KINDS:  # the common types first: the others are often not looked for
            if pc.all(known).as_py():
                kinds[k] = pa.array(np.zeros(len(x), dtype=bool))
                continue
            kinds[k] = pc.match_substring(spaced, f' t="{k}"')
            known = pc.or_(known, kinds[k])
        if not pc.all(known).as_py():
            return None  # a type this path does not know
        if pc.any(pc.greater(pc.count_substring(spaced, ' t="'), 1)).as_py():
            return None
        x = _unescaped(x)
        value = pc.if_else(pc.equal(x, ""), _NULL, x)  # openpyxl: findtext(v) or None
        out = pc.if_else(pc.and_(kinds["inlineStr"], has_is), x, _NULL)
        if pc.any(kinds["s"]).as_py():
            where = pc.and_(kinds["s"], value.is_valid())
            index = pc.cast(pc.if_else(where, value, _NULL), pa.int64())
            top, low = pc.max(index).as_py(), pc.min(index).as_py()
            if top is not None and (top >= len(self.cells.strings) or low < 0):
                raise Unusual("a shared string index out of range")
            out = pc.if_else(where, self._shared().take(index), out)
        number = pc.and_(pc.or_(kinds["n"], pc.invert(typed)), value.is_valid())
        if pc.any(number).as_py():
            plain = pc.and_(number, pc.match_substring_regex(value, _CANONICAL_INT))
            style = pa.array([""] * len(x), pa.string())
            if self.cells.date_styles:
                styled = pc.extract_regex(spaced, r' s="(?P<s>[0-9]*)"')
                style = pc.fill_null(styled.field("s"), "")
                odd = pc.and_(styled.is_valid(), pc.match_substring_regex(style, "^0[0-9]|^$"))
                if pc.any(pc.and_(number, odd)).as_py():
                    return None  # s="" or s="01": the cell-by-cell path reads it
                dates = pa.array([str(i) for i in self.cells.date_styles], pa.string())
                plain = pc.and_(plain, pc.invert(pc.is_in(style, dates)))
            out = pc.if_else(plain, value, out)
            other = pc.and_(number, pc.invert(plain))
            if pc.any(other).as_py():
                keyed = pc.binary_join_element_wise(value, style, "\x00")
                mapped = _per_value(pc.if_else(other, keyed, _NULL), self._number, pa.string())
                out = pc.if_else(other, mapped, out)
        for kind in ("b", "str", "e", "d"):
            where = pc.and_(kinds[kind], value.is_valid())
            if pc.any(where).as_py():
                convert = _typed(self.cells, kind)
                mapped = _per_value(pc.if_else(where, value, _NULL), convert, pa.string())
                out = pc.if_else(where, mapped, out)
        return out

    def _shared(self) -> pa.Array:
        if self._strings is None:
            self._strings = pa.array(self.cells.strings, pa.string())
        return self._strings

    def _number(self, key: str) -> str | None:
        v, style = key.split("\x00")
        return self.cells.value("n", style, v)


def _typed(cells: CellReader, kind: str) -> Callable[[str], str | None]:
    return lambda v: cells.value(kind, "", v)


def _per_value(values: pa.Array, fn: Callable[[Any], Any], type_: pa.DataType) -> pa.Array:
    """``fn`` applied once per distinct non-null value."""
    encoded = pc.dictionary_encode(values)
    mapped = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], type_)
    return mapped.take(encoded.indices)


def _unescaped(values: pa.Array) -> pa.Array:
    has = pc.fill_null(pc.match_substring(values, "&"), False)
    if not pc.any(has).as_py():
        return values
    fixed = _per_value(pc.if_else(has, values, _NULL), unescape, pa.string())
    return pc.if_else(has, fixed, values)


def _ref_column(prefix: str) -> int:
    """The column of a reference from its first three characters (``AB1`` → 28)."""
    letters = prefix.rstrip('0123456789"')
    rest = prefix[len(letters) :]
    if not (letters.isascii() and letters.isalpha() and letters.isupper()) or (
        len(letters) < 3 and not rest[:1].isdigit()
    ):
        raise Unusual(f"a cell reference starting {prefix!r}")
    return column_number(letters)


def _check_head(head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unusual("not UTF-8")
    declared = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([^\"']+)", head)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise Unusual("not UTF-8")
    root = _ROOT.search(head)
    if root is None or root.group(1) != MAIN_NS.encode():
        raise Unusual("not a transitional SpreadsheetML sheet with the default namespace")


def _finish(src: Any, rest: bytes) -> None:
    """openpyxl parses the sheet to its end; a document that does not close is damaged,
    and openpyxl is the one to say how."""
    tail = rest[-64:]
    while chunk := src.read(CHUNK):
        tail = (tail + chunk)[-64:]
    if not tail.rstrip().endswith(b"</worksheet>"):
        raise Unusual("the sheet does not end with </worksheet>")
