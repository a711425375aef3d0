"""XLSX sheet readers side by side: credible's own reader, openpyxl, fastexcel and
python-calamine, parsing alone (no validation), on the same FICTIONAL workbooks.
Results and the decision they led to: docs/benchmarks.md.

    .venv/bin/pip install fastexcel==0.21.0 python-calamine==0.9.1   # not dependencies
    .venv/bin/python bench/ingest_xlsx_readers.py [--people 300000] [--rows 1000000]

Each reader runs on each workbook in a fresh process (peak memory is that process's
VmHWM; CPU s is its own CPU time, which other jobs do not inflate; imports happen
before the clock starts; files over 1 MB: least CPU of ``--repeat`` runs; a 6 GB
address-space cap makes a runaway allocation fail fast). Correctness is judged
against what the converter receives today: every sheet row by number, each cell as
the text a person would type (``12``, ``2017-05-03``, ``true``, ``#N/A``), an empty
cell and an empty string both empty, trailing empty cells and rows left off. A
workbook that a reader refuses is a match when credible refuses it too.

Readers:

- ``credible``: ``XlsxSource``'s blocks (``xlsxfast``, openpyxl from the first row it
  does not read, the parts metered), before the header is looked at;
- ``openpyxl``: ``load_workbook(read_only=True, data_only=True)``, ``cell_text`` per
  cell (not run on the hostile workbooks, which credible's reader guards it from);
- ``fastexcel``: ``load_sheet(header_row=None, skip_rows=0, dtypes="string")`` to
  Arrow, post-processed: dates rewritten as ``cell_text`` writes them
  (``2017-05-03 00:00:00`` -> ``2017-05-03``, ``2017-05-03 10:30:00`` ->
  ``2017-05-03T10:30:00``, ``1899-12-31T01:02:00`` -> ``01:02:00``), since the string
  column no longer says which cells were dates, and error cells, which come back
  empty, refilled from ``to_arrow_with_errors``; ``fastexcel_raw``: the same without;
- ``calamine``: python-calamine ``to_python(skip_empty_area=False)``, ``cell_text``
  per cell (its values are typed), whole floats below 2**53 written whole;
- ``scan``: not a reader, the least a caller of a dense reader would have to do first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

READERS = ("credible", "openpyxl", "fastexcel", "fastexcel_raw", "calamine", "scan")
HOSTILE = ("a row at 999,999,999", "cells at A1 and XFD1048576")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
Grid = list[list[str | None]]

# --- the workbooks (all FICTIONAL) -------------------------------------------------


def _rezip(path: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts.update(change)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(SHEET).decode()


def _openpyxl_book(path: Path, rows: dict[tuple[int, int], Any], epoch: Any = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.active
    for (r, c), v in rows.items():
        ws.cell(row=r, column=c, value=v)
    wb.save(path)
    return path


def _to_shared_strings(path: Path) -> Path:
    """openpyxl's inline strings rewritten as a shared string table (as Excel writes)."""
    sheet = _sheet_xml(path)
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
    table: dict[str, int] = {}

    def shared(m: re.Match[str]) -> str:
        idx = table.setdefault(m.group(4) or "", len(table))
        style = f' s="{m.group(3)}"' if m.group(3) else ""
        return f'<c r="{m.group(1)}"{style} t="s"><v>{idx}</v></c>'

    pattern = r'<c r="([A-Z]+\d+)"( s="(\d+)")? t="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>'
    sheet = re.sub(pattern, shared, sheet)
    sst = "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in table)
    types = types.replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/></Types>'
    )
    _rezip(
        path,
        {
            SHEET: sheet.encode(),
            "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{sst}</sst>'.encode(),
            "[Content_Types].xml": types.encode(),
        },
    )
    return path


PEOPLE = [
    ("阿卜杜拉·托合提", "男", "维吾尔族"),
    ("Aygül Tursun", "female", "uyghur"),
    ("Гүлнар Қайратқызы", "female", "kazakh"),
    ("ئابدۇللا مەمەت", "male", "uyghur"),
]


def _typed_rows() -> dict[tuple[int, int], Any]:
    """A header and rows of every kind of value a list holds, with blank rows, a gap of
    missing rows and a value right of the header."""
    header = ["id", "name", "sex", "ethnicity", "dob", "detained", "age", "released", "note"]
    rows: dict[tuple[int, int], Any] = {(1, c + 1): h for c, h in enumerate(header)}
    for i in range(2, 60):
        if i % 9 == 0:
            continue  # a blank row
        name, sex, eth = PEOPLE[i % len(PEOPLE)]
        values = [
            1000 + i,
            f"{name} {i}",
            sex,
            eth,
            date(1950 + i, 1 + i % 12, 1 + i % 28) if i % 3 else str(1950 + i),
            datetime(2017, 1 + i % 12, 3, 10 * (i % 2), 30 * (i % 2)),
            30.5 if i % 4 == 0 else 20 + i,
            i % 2 == 0,
            "FICTIONAL" if i % 5 else "",
        ]
        for c, v in enumerate(values):
            rows[(i, c + 1)] = v
    rows[(12, 11)] = "a value right of the header"
    rows[(75, 2)] = "after a gap of missing rows"
    return rows


def build(folder: Path, people: int, rows: list[int]) -> dict[str, Path]:
    import openpyxl

    out: dict[str, Path] = {}
    folder.mkdir(parents=True, exist_ok=True)
    if people:  # the demo's police list, as `credible simulate` writes it (inline strings)
        from credible.simulate import simulate

        sim = folder / "sim"
        simulate(people=people, lists=5, seed=7, out=sim)
        manifest = json.loads((sim / "manifest.json").read_text("utf-8"))
        police = next(e for e in manifest["lists"] if e["format"] == "xlsx")
        path = sim / police["path"]
        out[f"police list, simulate --people {people:,} ({_height(path):,} rows)"] = path
    for n in rows:  # bench/ingest_read.py's workbook as Excel writes it: shared strings
        from ingest_read import convert, write_file

        csv_path = folder / f"people_{n}.csv"
        write_file(csv_path, n, "utf-8")
        out[f"{n:,} rows, shared strings (bench/ingest_read.py xlsx-excel)"] = convert(
            csv_path, "xlsx-excel"
        )

    out["openpyxl-written"] = _openpyxl_book(folder / "openpyxl.xlsx", _typed_rows())
    out["shared strings"] = _to_shared_strings(
        _openpyxl_book(folder / "shared.xlsx", _typed_rows())
    )

    # XlsxWriter writes as Excel does: shared strings, attributes r s t, row spans, its
    # own date styles, formulas with a cached value, errors.
    import xlsxwriter

    path = folder / "excel-style.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    fmt_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    fmt_dmy = wb.add_format({"num_format": "dd.mm.yyyy"})
    fmt_cn = wb.add_format({"num_format": "yyyy年m月d日"})
    fmt_dt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    fmt_time = wb.add_format({"num_format": "hh:mm:ss"})
    fmt_dur = wb.add_format({"num_format": "[h]:mm:ss"})
    fmt_pct = wb.add_format({"num_format": "0.00%"})
    fmt_text = wb.add_format({"num_format": "@"})
    head = ["id", "name", "dob", "dob2", "dob3", "seen", "time", "held", "share", "code"]
    head += ["flag", "formula", "text formula", "error", "bool formula"]
    for c, h in enumerate(head):
        ws.write_string(0, c, h)
    for r in range(1, 200):
        name = PEOPLE[r % len(PEOPLE)][0]
        ws.write_number(r, 0, 5000 + r)
        ws.write_string(r, 1, f"{name} {r}")
        ws.write_datetime(r, 2, datetime(1960, 1, 1) + timedelta(days=97 * r), fmt_date)
        ws.write_datetime(r, 3, datetime(1961, 2, 1) + timedelta(days=89 * r), fmt_dmy)
        ws.write_datetime(r, 4, datetime(1962, 3, 1) + timedelta(days=83 * r), fmt_cn)
        ws.write_datetime(r, 5, datetime(2018, 1, 1, 9, 15) + timedelta(hours=7 * r), fmt_dt)
        ws.write_datetime(r, 6, dtime(r % 24, 5, 7), fmt_time)
        ws.write_number(r, 7, r / 24 + 2, fmt_dur)
        ws.write_number(r, 8, r / 1000, fmt_pct)
        ws.write_string(r, 9, f"{r:05d}", fmt_text)
        ws.write_boolean(r, 10, r % 3 == 0)
        ws.write_formula(r, 11, f"=A{r + 1}*2", None, 2 * (5000 + r))
        ws.write_formula(r, 12, f'=B{r + 1}&""', None, f"{name} {r}")
        ws.write_formula(r, 13, "=NA()", None, "#N/A")
        ws.write_formula(r, 14, f"=A{r + 1}>5100", None, 5000 + r > 5100)
    wb.close()
    out["excel-style (XlsxWriter)"] = path

    out["numbers"] = _openpyxl_book(
        folder / "numbers.xlsx",
        {
            **{(1, c + 1): h for c, h in enumerate(["id", "n", "x", "y", "z", "w"])},
            **{(2, c + 1): v for c, v in enumerate(["a", 12, 12.0, -3.0, 2.5, 0.1 + 0.2])},
            **{(3, c + 1): v for c, v in enumerate(["b", 1e20, 1e-7, 1e15, 123456789012345.0])},
            **{(4, c + 1): v for c, v in enumerate(["c", 12345678901234567890, -0.0, "0012"])},
        },
    )

    epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    rows_1904 = {(1, 1): "name", (1, 2): "dob"}
    rows_1904.update({(r, 1): f"Person {r}" for r in range(2, 30)})
    rows_1904.update({(r, 2): date(1905 + r, 5, 3) for r in range(2, 30)})
    out["1904 epoch"] = _openpyxl_book(folder / "epoch1904.xlsx", rows_1904, epoch=epoch)

    # Inline strings as others write them: rich text runs, phonetic hints, entities,
    # _x000D_, whitespace, an empty string, formulas with cached values, errors.
    path = _openpyxl_book(folder / "inline.xlsx", {(1, 1): "name", (1, 2): "note"})
    cells = [
        '<c r="A2" t="inlineStr"><is><r><t>Tur</t></r><r><rPr><b/></rPr><t>sun</t></r>'
        '<rPh sb="0" eb="1"><t>トゥ</t></rPh></is></c>'
        '<c r="B2" t="inlineStr"><is><t xml:space="preserve">  padded  </t></is></c>',
        '<c r="A3" t="inlineStr"><is><t>line_x000D_\nnext &amp; &lt;x&gt; &#1574;</t></is></c>'
        '<c r="B3" t="inlineStr"><is><t></t></is></c>',
        '<c r="A4" t="str"><f>"x"</f><v>formula text</v></c><c r="B4"><f>1+1</f><v>2</v></c>',
        '<c r="A5" t="e"><v>#N/A</v></c><c r="B5" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="A6" t="b"><v>1</v></c><c r="B6"><f>1+1</f></c>',
        '<c r="A7" t="inlineStr"><is><t>literal _x005F_x000D_ kept</t></is></c>',
        '<c r="A8" t="inlineStr"><is><t>tab\there</t></is></c><c r="B8" t="n"><v>7.50</v></c>',
    ]
    rows = "".join(f'<row r="{n + 2}">{c}</row>' for n, c in enumerate(cells))
    sheet = _sheet_xml(path)
    sheet = re.sub(r"(<row r=\"1\">.*?</row>)", r"\1" + rows.replace("\\", "\\\\"), sheet)
    _rezip(path, {SHEET: sheet.encode()})
    out["inline, rich text, formulas, errors"] = path

    path = _openpyxl_book(
        folder / "dimension.xlsx",
        {(r, c): f"r{r}c{c}" if r > 1 else f"h{c}" for r in range(1, 40) for c in range(1, 6)},
    )
    sheet = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:A1"', _sheet_xml(path))
    _rezip(path, {SHEET: sheet.encode()})
    out["dimension A1:A1"] = path

    out["leading blank rows and columns"] = _openpyxl_book(
        folder / "leading.xlsx",
        {(3, 2): "name", (3, 3): "sex", (5, 2): "Aygül", (5, 3): "female", (6, 4): "stray"},
    )

    rng = random.Random(7)
    letters = "Гүлнар Қайратқызы 阿卜杜拉 Aygül Tursun ئابدۇللا"
    long = {(1, 1): "name", (1, 2): "notes"}
    for r in range(2, 40):
        long[(r, 1)] = f"Person {r}"
        long[(r, 2)] = "".join(rng.choice(letters) for _ in range(32_767))  # Excel's most
    out["very long cells (32,767 characters)"] = _openpyxl_book(folder / "long.xlsx", long)

    ncols = 2_000
    wide = {(1, c): f"col {c}" for c in range(1, ncols + 1)}
    wide.update({(r, c): f"{r}:{c}" for r in range(2, 30) for c in range(1, ncols + 1, 7)})
    out["many columns (2,000)"] = _openpyxl_book(folder / "wide.xlsx", wide)

    # Damaged files: the zip cut in half; the sheet's XML cut in half.
    path = _openpyxl_book(folder / "trunc.xlsx", _typed_rows())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    out["truncated zip"] = path
    path = _openpyxl_book(folder / "damaged.xlsx", _typed_rows())
    sheet = _sheet_xml(path)
    _rezip(path, {SHEET: sheet[: len(sheet) // 2].encode()})
    out["damaged sheet XML"] = path

    # A directory that understates the sheet's size (the CRC fits the claimed bytes,
    # so only the declared size stops a reader that trusts it).
    path = _openpyxl_book(
        folder / "lie.xlsx",
        {(r, c): f"Person {r} {c}" for r in range(1, 20_000) for c in range(1, 3)},
    )
    out["directory understates the sheet"] = _understate(path)

    # Hostile: a 4 KB workbook whose rows a dense reader expands to billions of cells.
    for label, piece in [
        ("a row at 999,999,999", '<row r="999999999"><c r="A999999999"><v>1</v></c></row>'),
        ("cells at A1 and XFD1048576", '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'),
    ]:
        path = _openpyxl_book(folder / f"far{len(out)}.xlsx", {(1, 1): "name"})
        sheet = _sheet_xml(path).replace("</sheetData>", piece + "</sheetData>")
        _rezip(path, {SHEET: sheet.encode()})
        out[label] = path
    return out


def _height(path: Path) -> int:
    import python_calamine

    return int(python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).height)


def _understate(path: Path, claim: int = 1000) -> Path:
    import binascii

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        full = z.read(SHEET)
    crc = binascii.crc32(full[:claim])
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(SHEET)] != SHEET.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    local = struct.unpack_from("<I", data, entry + 42)[0]
    for at, crc_at, size_at in ((entry, 16, 24), (local, 14, 22)):
        struct.pack_into("<I", data, at + crc_at, crc)
        struct.pack_into("<I", data, at + size_at, claim)
    path.write_bytes(bytes(data))
    return path


# --- the readers ---------------------------------------------------------------------


def _trim(grid: Grid) -> Grid:
    out = []
    for row in grid:
        row = [None if c == "" else c for c in row]
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _rows(count: int, columns: dict[int, list[str | None]]) -> Grid:
    """Rows from columns (numbered from 1), built sparsely: a sheet may have one value in
    column XFD of its last row."""
    cells: list[dict[int, str]] = [{} for _ in range(count)]
    for c, values in columns.items():
        for i, v in enumerate(values):
            if v is not None and v != "":
                cells[i][c] = v
    return [[r.get(c) for c in range(1, max(r) + 1)] if r else [] for r in cells]


def read_credible(path: Path) -> tuple[Callable[[], Any], Callable[[Any], Grid]]:
    """The sheet's blocks as ``XlsxSource`` streams them (fast reader, openpyxl from the
    first row it does not read, limits metered), before the header is looked at."""
    from credible.ingest import xlsxfile
    from credible.ingest.limits import ReadLimits

    def parse() -> Any:
        source = xlsxfile.XlsxSource.__new__(xlsxfile.XlsxSource)
        source.path, source.file, source.limits = path, path.name, ReadLimits()
        source._openpyxl, source.cells = None, 0
        try:
            source._book = xlsxfile.Book(path, source.limits)
            names = list(source._book.worksheets)
        except xlsxfile.InputError:
            raise
        except Exception:
            source._book = None
            names = source._load_openpyxl()[1]
        source._sheet = names[0]
        source.reader = "fast" if source._book is not None else "openpyxl"
        return [(b.count, b.columns) for b in source._guard(source._block_stream())]

    def grid(blocks: Any) -> Grid:
        out: Grid = []
        for count, columns in blocks:
            out += _rows(count, {c: a.to_pylist() for c, a in columns.items()})
        return _trim(out)

    return parse, grid


def read_openpyxl(path: Path) -> tuple[Callable[[], Any], Callable[[Any], Grid]]:
    import openpyxl

    from credible.ingest.xlsxcells import cell_text

    def parse() -> Any:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        rows = [[cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows

    return parse, _trim


_DAY = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"
_MOMENT = r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$"
_TIME = r"^1899-12-31T"  # a serial below 1 (1900 epoch): openpyxl gives the time alone
_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}


def _fastexcel(path: Path, post: bool) -> tuple[Callable[[], Any], Callable[[Any], Grid]]:
    import fastexcel
    import pyarrow as pa
    import pyarrow.compute as pc

    def parse() -> Any:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
        batch, errors = sheet.to_arrow_with_errors()
        numbers = [info.absolute_index + 1 for info in sheet.selected_columns]
        columns = dict(zip(numbers, batch.columns, strict=True))
        if not post:
            return batch.num_rows, columns
        for c, col in columns.items():
            col = pc.replace_substring_regex(col, _DAY, r"\1")
            col = pc.replace_substring_regex(col, _MOMENT, r"\1T\2")
            columns[c] = pc.replace_substring_regex(col, _TIME, "")
        # error cells come back empty; their kind is in the list of cells not read
        fixes: dict[int, dict[int, str]] = {}
        for error in errors.errors if errors else []:
            kind = re.search(r"Error\((\w+)\)", error.detail)
            if kind and kind.group(1) in _ERRORS:
                row, index = error.offset_position
                fixes.setdefault(numbers[index], {})[row] = _ERRORS[kind.group(1)]
        for c, fixed in fixes.items():
            values = columns[c].to_pylist()
            for row, text in fixed.items():
                values[row] = text
            columns[c] = pa.array(values, pa.string())
        return batch.num_rows, columns

    def grid(result: Any) -> Grid:
        count, columns = result
        return _trim(_rows(count, {c: a.to_pylist() for c, a in columns.items()}))

    return parse, grid


def read_fastexcel(path: Path) -> tuple[Callable[[], Any], Callable[[Any], Grid]]:
    """fastexcel's strings, with dates, times and errors rewritten as credible writes
    them."""
    return _fastexcel(path, post=True)


def read_fastexcel_raw(path: Path) -> tuple[Callable[[], Any], Callable[[Any], Grid]]:
    """fastexcel's strings as it gives them: the library's own time."""
    return _fastexcel(path, post=False)


def read_calamine(path: Path) -> tuple[Callable[[], Any], Callable[[Any], Grid]]:
    import python_calamine

    from credible.ingest.xlsxcells import cell_text

    def text(value: Any) -> str | None:
        # every number is a float here: a whole one is written whole up to 2**53
        # (cell_text stops at 1e15, past which openpyxl's were ints for an integer <v>)
        if type(value) is float and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return cell_text(value)

    def parse() -> Any:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        rows = [[text(c) for c in row] for row in sheet.to_python(skip_empty_area=False)]
        book.close()
        return rows

    return parse, _trim


def read_scan(path: Path) -> tuple[Callable[[], Any], Callable[[Any], Grid]]:
    """Not a reader: the least a caller must do before handing a sheet to a reader that
    holds it densely (fastexcel, python-calamine), which aborts the process on a cell far
    down or far right: decompress the sheet, counting, and find its largest row number
    and column. (Cells without a reference, namespace prefixes and the shared string
    table would still need checking.)"""

    def parse() -> Any:
        rows = re.compile(rb'<row r="(\d+)"')
        wide = re.compile(rb' r="([A-Z]{2,3})\d')
        with zipfile.ZipFile(path) as z, z.open(SHEET) as f:
            total = last_row = 0
            widest = b""
            tail = b""
            while chunk := f.read(1 << 22):
                total += len(chunk)
                buf = tail + chunk
                last_row = max([last_row, *map(int, rows.findall(buf))])
                widest = max([widest, *wide.findall(buf)], key=lambda c: (len(c), c))
                tail = buf[-32:]
        return total, last_row, widest

    return parse, lambda _: []


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM; ru_maxrss would count the parent's, since a
    forked child starts with its high-water mark)."""
    return _status_mb("VmHWM")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def child(reader: str, path: str, out: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))  # fail fast, not thrash
    try:
        parse, to_grid = globals()[f"read_{reader}"](Path(path))
    except ImportError as exc:
        Path(out).write_text(json.dumps({"missing": str(exc)}))
        return
    before = _rss_mb()
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    try:
        result = parse()
        error = None
    except Exception as exc:  # a refusal: which kind, and what it says
        result, error = None, f"{type(exc).__name__}: {str(exc)[:160]}"
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    peak = _peak_mb()
    grid = to_grid(result) if error is None else None
    Path(out).write_text(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "peak_mb": peak,
                "before_mb": before,
                "error": error,
                "grid": grid,
            }
        )
    )


# --- comparing -----------------------------------------------------------------------


def _differences(expected: Grid, got: Grid) -> tuple[int, list[str]]:
    """Cells that differ (row, column from 1) and a few examples."""
    n, shown = 0, []
    for r in range(max(len(expected), len(got))):
        a = expected[r] if r < len(expected) else []
        b = got[r] if r < len(got) else []
        for c in range(max(len(a), len(b))):
            x = a[c] if c < len(a) else None
            y = b[c] if c < len(b) else None
            if x != y:
                n += 1
                if len(shown) < 4:
                    shown.append(f"r{r + 1}c{c + 1}: {_short(x)} -> {_short(y)}")
    return n, shown


def _short(v: str | None) -> str:
    return "∅" if v is None else repr(v if len(v) < 30 else v[:27] + "...")


def run(reader: str, path: Path, tmp: Path) -> dict[str, Any]:
    out = tmp / f"{reader}.json"
    out.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", reader, str(path), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        code = proc.returncode
        why = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
        last = [line for line in proc.stderr.splitlines() if line.strip()][:1]
        return {"crash": f"{why}: {last[0][:100] if last else ''}"}
    return json.loads(out.read_text())


def _verdict(res: dict[str, Any], expected: Grid | None, reference_error: str | None) -> str:
    """The last two columns: differing cells and examples, or who refused."""
    error = res["error"]
    if error or reference_error:
        if error and reference_error:
            return f"– | refused, as credible: {_oneline(error)}"
        if error:
            return f"– | refused; credible reads it: {_oneline(error)}"
        return "– | read; credible refuses it"
    n, shown = _differences(expected or [], res["grid"])
    return f"{n} | {'; '.join(shown)}"


def _oneline(text: str) -> str:
    return " ".join(text.split())[:110].replace("|", "/")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--people", type=int, default=300_000, help="simulated population (0: none)")
    ap.add_argument(
        "--rows", type=int, nargs="*", default=[1_000_000], help="sizes of a plain list"
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs of a large file (least CPU kept)")
    ap.add_argument("--readers", nargs="+", default=list(READERS), choices=READERS)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print("| workbook | reader | wall s | CPU s | peak MB (before) | differing cells | examples |")
    print("|---|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        books = build(tmp / "books", args.people, args.rows)
        for label, path in books.items():
            expected: Grid | None = None
            reference_error: str | None = None
            for reader in args.readers:
                row = f"| {label} | {reader} |"
                if reader == "openpyxl" and label in HOSTILE:
                    print(f"{row} – | – | – | not run | credible's reader guards it |")
                    continue
                large = path.stat().st_size > 1_000_000 and reader != "openpyxl"
                runs = [run(reader, path, tmp) for _ in range(args.repeat if large else 1)]
                res = min(runs, key=lambda r: r.get("cpu", 0))
                if "missing" in res:
                    print(f"{row} – | – | – | not installed | {res['missing']} |")
                    continue
                if "crash" in res:
                    print(f"{row} – | – | – | process died | {res['crash']} |")
                    continue
                timing = (
                    f"{res['seconds']:.2f} | {res['cpu']:.2f} | "
                    f"{res['peak_mb']:.0f} ({res['before_mb']:.0f})"
                )
                if reader == "credible":
                    expected, reference_error = res["grid"], res["error"]
                if reader == "scan":
                    print(f"{row} {timing} | n/a | not a reader |")
                else:
                    print(f"{row} {timing} | {_verdict(res, expected, reference_error)} |")
                sys.stdout.flush()
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
