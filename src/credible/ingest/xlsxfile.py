"""XLSX: a fast reader of the sheet XML (``xlsxfast``), openpyxl for the rest.

Cells are handed to the converter as text, as CSV's are: numbers, dates and booleans
are written the way a person would type them (``12``, ``2017-05-03``, ``true``). The
workbook is held to ``ReadLimits`` (``xlsxlimits``) by whichever reader reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credible.errors import InputError, Problem
from credible.ingest.limits import ReadLimits
from credible.ingest.xlsxcells import MAX_ROWS, PastLastRow, cell_text
from credible.ingest.xlsxfast import Block, Book, SheetReader, block_of_lists
from credible.ingest.xlsxlimits import Meter, check_archive, past_last_row, too_large

RawBatch = tuple[list[pa.Array], pa.Array, list[Problem]]


class XlsxSource:
    def __init__(self, path: Path, sheet: str | None, limits: ReadLimits | None = None) -> None:
        self.path = path
        self.file = path.name
        self.limits = limits or ReadLimits()
        self.encoding = None
        self.delimiter = None
        if path.stat().st_size == 0:
            raise InputError([Problem(self.file, None, None, "the file is empty")])
        self._book: Book | None = None
        self._openpyxl: Any = None
        try:
            self._book = Book(path, self.limits)
            names = self._book.sheetnames
            worksheets = list(self._book.worksheets)
        except InputError:
            raise  # over a limit: no other reader may try
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
        if (sheet is not None and sheet not in worksheets) or not worksheets:
            what = f"sheet {sheet!r} is a chart" if sheet else "the workbook has no worksheet"
            raise InputError([Problem(self.file, None, "sheet", f"a worksheet of cells: {what}")])
        self._sheet = sheet or worksheets[0]
        self.reader = "fast" if self._book is not None else "openpyxl"
        self.cells = 0
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
        """openpyxl's ``load_workbook(read_only=True, data_only=True)``, its parts metered."""
        from openpyxl.reader.excel import ExcelReader

        strings = check_archive(self.path, self.file, self.limits)
        try:
            reader = ExcelReader(str(self.path), read_only=True, data_only=True)
            Meter(self.file, self.limits, strings).install(reader.archive)
            reader.read()
            self._openpyxl = reader.wb
        except InputError:
            raise
        except Exception as exc:  # zip, XML (a DTD's entities too) and openpyxl's own errors
            raise InputError(
                [
                    Problem(
                        self.file,
                        None,
                        None,
                        f"not a readable XLSX workbook (truncated?): {_quiet(exc)}",
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
            except (InputError, PastLastRow):
                raise
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
            given += len(chunk)
            if given > MAX_ROWS:
                raise PastLastRow(given)
            yield block_of_lists([[cell_text(c) for c in row] for row in chunk])

    def _guard(self, blocks: Iterable[Block]) -> Iterator[Block]:
        try:
            for block in blocks:
                self.cells += sum(len(c) - c.null_count for c in block.columns.values())
                if self.cells > self.limits.xlsx_cells:
                    raise too_large(
                        self.file,
                        "xlsx_cells",
                        self.limits,
                        f"the sheet has more than {self.limits.xlsx_cells:,} cells",
                    )
                yield block
        except InputError:
            raise
        except PastLastRow as exc:
            raise past_last_row(self.file, exc.row) from None
        except Exception as exc:  # zlib, XML and zip errors all mean a damaged file
            raise InputError(
                [
                    Problem(
                        self.file,
                        None,
                        None,
                        f"the workbook is damaged or truncated: {_quiet(exc)}",
                    )
                ]
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
                right = [c for c in block.columns if c > ncols]
                if right:
                    problems += self._right_of_header(block, right, n)
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

    def _right_of_header(self, block: Block, right: list[int], before: int) -> list[Problem]:
        """One problem per row with a value in a column the header does not name."""
        ncols = len(self.headers)
        filled = np.zeros(block.count, dtype=bool)
        for c in right:
            text = pc.utf8_trim_whitespace(block.columns[c])
            filled |= pc.fill_null(pc.greater(pc.utf8_length(text), 0), False).to_numpy(
                zero_copy_only=False
            )
        return [
            Problem(
                self.file,
                before + int(i) + 1,
                None,
                f"a value right of the last header column {ncols}",
            )
            for i in np.nonzero(filled)[0]
        ]


def _quiet(exc: Exception) -> str:
    """What went wrong, without the text it went wrong on: messages such as ``invalid
    literal for int(): '...'`` quote a cell, and a cell may hold a sealed value."""
    return re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", str(exc))[:300]
