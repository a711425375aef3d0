"""ReadLimits: a workbook, a JSON file or a mapping that would take the machine's memory
or hours is refused quickly, naming the limit and how to raise it. All data FICTIONAL."""

from __future__ import annotations

import random
import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from tests.ingest.conftest import read_all

from credible.errors import ConfigError, InputError
from credible.ingest import ReadLimits, xlsxfast, xlsxfile
from credible.ingest.reader import load_mapping, open_file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _rows_xml(rows: list[list[str]], shared: dict[str, int] | None = None) -> str:
    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if shared is not None:
                idx = shared.setdefault(value, len(shared))
                cells.append(f'<c r="{ref}" t="s"><v>{idx}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


def _book(
    path: Path,
    sheet_data: str,
    strings: list[str] | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A workbook whose first sheet holds ``sheet_data`` (the inside of <sheetData>)."""
    wb = openpyxl.Workbook()
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[SHEET] = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>'.encode()
    )
    if strings is not None:
        override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", override.encode() + b"</Types>"
        )
        items = "".join(f"<si><t>{s}</t></si>" for s in strings)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{items}</sst>'.encode()
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _people(n: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    rows = [["name", "notes"]]
    for i in range(n):
        note = "".join(rng.choice(letters) for _ in range(40))
        rows.append([f"Person {i}", note])
    return rows


def _no_fast_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fast reader fail on the workbook, so that openpyxl reads it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise xlsxfast.Unusual("for the test")

    monkeypatch.setattr(xlsxfile, "Book", refuse)


# --- ReadLimits ---


def test_read_limits_from_options() -> None:
    limits = ReadLimits.from_options(["xlsx_expanded_mb=4000", " json_depth = 1_000 "])
    assert limits.xlsx_expanded_mb == 4000 and limits.json_depth == 1000
    assert limits.xlsx_cells == ReadLimits().xlsx_cells == 50_000_000
    assert ReadLimits.from_options([]) == ReadLimits()


@pytest.mark.parametrize(
    ("option", "fragment"),
    [
        ("xlsx_bytes=5", "unknown limit 'xlsx_bytes=5'"),
        ("json_depth", "unknown limit 'json_depth'"),
        ("json_depth=deep", "takes a whole number of at least 1, not 'deep'"),
        ("json_depth=0", "at least 1"),
        ("json_depth=-3", "at least 1"),
        ("json_depth=١٢", "at least 1"),
    ],
)
def test_read_limits_bad_options(option: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        ReadLimits.from_options([option])
    assert fragment in str(err.value)
    if "unknown" in fragment:
        assert all(name in str(err.value) for name in ReadLimits.names())


def test_read_limits_are_typed() -> None:
    with pytest.raises(ConfigError):
        ReadLimits(json_depth=0)
    with pytest.raises(ConfigError):
        ReadLimits(json_depth="64")  # type: ignore[arg-type]


# --- mapping files (YAML) ---

LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize(
    "text",
    [
        LAUGHS,
        "columns: &c {name: Name}\n",  # an anchor alone
        "base: &b {column: Name}\ncolumns: {name: *b}\n",
        "columns:\n  name: {<<: {column: Name}}\n",  # a merge key without an alias is fine
    ],
)
def test_mapping_aliases_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yml"
    path.write_text(text, "utf-8")
    start = time.perf_counter()
    if "&" not in text:
        assert load_mapping(path).columns["name"].column == "Name"
        return
    with pytest.raises(InputError, match=r"anchors and aliases \(&name, \*name\) are not allowed"):
        load_mapping(path)
    assert time.perf_counter() - start < 1


def test_mapping_file_size_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text("columns: {name: Name}\n" + "# padding\n" * 120_000, "utf-8")
    with pytest.raises(InputError, match="over the limit mapping_kb=1024"):
        load_mapping(path)
    assert load_mapping(path, ReadLimits(mapping_kb=2048)).columns["name"].column == "Name"


def test_mapping_nested_too_deeply(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text("columns: " + "[" * 50_000 + "]" * 50_000 + "\n", "utf-8")
    with pytest.raises(InputError, match="nests too deeply"):
        load_mapping(path)


# --- XLSX ---


def test_declared_expansion_over_the_limit(tmp_path: Path) -> None:
    path = _book(tmp_path / "big.xlsx", _rows_xml(_people(30_000)))
    with pytest.raises(InputError) as err:
        open_file(path, limits=ReadLimits(xlsx_expanded_mb=1))
    assert "expand to 5 MB: over the limit xlsx_expanded_mb=1" in str(err.value)
    assert "--limit xlsx_expanded_mb=VALUE" in str(err.value)
    table, problems = read_all(open_file(path))
    assert problems == [] and table.num_rows == 30_000


def test_a_part_that_expands_too_far(tmp_path: Path) -> None:
    """Nothing a real workbook holds expands a thousandfold; a zip bomb does."""
    padding = {"xl/padding.xml": b" " * (8 << 20)}
    path = _book(tmp_path / "bomb.xlsx", _rows_xml(_people(3)), extra=padding)
    with pytest.raises(
        InputError, match=r"xl/padding.xml expands to [\d,]+ times .* xlsx_ratio=100"
    ):
        open_file(path)


@pytest.mark.parametrize("checksum", [False, True])
def test_a_directory_that_understates_a_part(tmp_path: Path, checksum: bool) -> None:
    """The zip's directory says the sheet is small; it is not. Reading stops at what the
    directory said: the claim bounds the expansion. The checksum then fails or, when it
    is the checksum of the bytes claimed (local header too), the XML ends early.
    (fastexcel 0.21 reads on past the claim: docs/benchmarks.md.)"""
    path = _book(tmp_path / "lie.xlsx", _rows_xml(_people(20_000)))
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02", data.find(SHEET.encode()) - 200)
    while data[entry + 46 : entry + 46 + len(SHEET)] != SHEET.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 1000)  # uncompressed size
    if checksum:
        with zipfile.ZipFile(path) as z:
            crc = zlib.crc32(z.read(SHEET)[:1000])
        local = struct.unpack_from("<I", data, entry + 42)[0]
        struct.pack_into("<I", data, entry + 16, crc)
        struct.pack_into("<I", data, local + 14, crc)
        struct.pack_into("<I", data, local + 22, 1000)
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"damaged|not a readable"):
        read_all(open_file(path))


def test_cells_far_apart_are_not_made_a_grid(tmp_path: Path) -> None:
    """A1 and XFD1048576, Excel's first and last cells: a reader that holds the sheet as
    a grid needs 17 billion cells for them (fastexcel and python-calamine abort the
    process: docs/benchmarks.md). Read as rows, it is one value right of the header."""
    head = _rows_xml([["name"], ["Aygül"]])
    far = '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    path = _book(tmp_path / "corners.xlsx", head + far)
    start = time.perf_counter()
    table, problems = read_all(open_file(path))
    assert time.perf_counter() - start < 10
    assert table.column("name").to_pylist() == ["Aygül"]
    assert [(p.row, p.expected) for p in problems] == [
        (1_048_575, "a value right of the last header column 1")
    ]


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
def test_expansion_metered_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    """Even when the directory's claims are not checked, what is decompressed is."""
    for module in (xlsxfast, xlsxfile):
        monkeypatch.setattr(module, "check_archive", lambda *args: None)
    if reader == "openpyxl":
        _no_fast_reader(monkeypatch)
    path = _book(tmp_path / "big.xlsx", _rows_xml(_people(30_000)))
    with pytest.raises(InputError, match="more than their directory declares: over the limit"):
        read_all(open_file(path, limits=ReadLimits(xlsx_expanded_mb=1)))


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
def test_shared_strings_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    if reader == "openpyxl":
        _no_fast_reader(monkeypatch)
    shared: dict[str, int] = {}
    sheet = _rows_xml(_people(300), shared)
    path = _book(tmp_path / "sst.xlsx", sheet, strings=list(shared))
    with pytest.raises(
        InputError, match="more than 100 entries: over the limit xlsx_shared_strings"
    ):
        read_all(open_file(path, limits=ReadLimits(xlsx_shared_strings=100)))
    table, problems = read_all(open_file(path))
    assert problems == [] and table.num_rows == 300


def test_shared_strings_size(tmp_path: Path) -> None:
    shared: dict[str, int] = {}
    sheet = _rows_xml(_people(40_000), shared)
    path = _book(tmp_path / "sst.xlsx", sheet, strings=list(shared))
    with pytest.raises(InputError, match="over the limit xlsx_shared_strings_mb=1"):
        open_file(path, limits=ReadLimits(xlsx_shared_strings_mb=1))


def test_a_shared_strings_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """Millions of one-letter strings in a few hundred KB of zip (twenty million took
    25 s and 2 GB to read before any limit)."""
    strings = "<si><t>a</t></si>" * 5_000_000
    sst = f'<sst xmlns="{MAIN}">{strings}</sst>'.encode()
    sheet = _rows_xml([["name"], ["x"]])
    path = _book(tmp_path / "bomb.xlsx", sheet, strings=[], extra={"xl/sharedStrings.xml": sst})
    start = time.perf_counter()
    with pytest.raises(InputError, match="xlsx_"):
        read_all(open_file(path))
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
def test_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    if reader == "openpyxl":
        _no_fast_reader(monkeypatch)
    path = _book(tmp_path / "cells.xlsx", _rows_xml(_people(20)))
    with pytest.raises(InputError, match="more than 30 cells: over the limit xlsx_cells=30"):
        read_all(open_file(path, limits=ReadLimits(xlsx_cells=30)))
    table, problems = read_all(open_file(path, limits=ReadLimits(xlsx_cells=42)))
    assert problems == [] and table.num_rows == 20


@pytest.mark.parametrize(
    "piece",
    [
        '<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>x</t></is></c></row>',
        '<row r="999999999"><c r="A999999999"><f>1+1</f><v>2</v></c></row>',  # cell by cell
    ],
)
def test_a_row_number_past_the_last_row(tmp_path: Path, piece: str) -> None:
    """A 5 KB workbook that claims a row a billion lines down (it took 16 GB and more
    than two minutes before)."""
    head = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
    path = _book(tmp_path / "far.xlsx", head + piece)
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"row numbers up to 1048576 .* not 999999999"):
        read_all(open_file(path))
    assert time.perf_counter() - start < 5


def test_a_workbook_without_a_worksheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.create_chartsheet("Chart")
    wb.remove(wb.active)
    path = tmp_path / "chart.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="the workbook has no worksheet"):
        open_file(path)


def test_a_chart_sheet_named_by_the_mapping(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["name"])
    wb.active.append(["A"])
    wb.create_chartsheet("Chart")
    path = tmp_path / "chart.xlsx"
    wb.save(path)
    mapping = tmp_path / "m.yml"
    mapping.write_text("sheet: Chart\n", "utf-8")
    with pytest.raises(InputError, match="sheet 'Chart' is a chart"):
        open_file(path, mapping=load_mapping(mapping))


def test_values_right_of_the_header_one_problem_per_row(tmp_path: Path) -> None:
    rows = [["name"], ["A", "x", "y", "z"], ["B"], ["C", "", "w"]]
    path = _book(tmp_path / "wide.xlsx", _rows_xml(rows))
    _, problems = read_all(open_file(path))
    assert [(p.row, p.expected) for p in problems] == [
        (1, "a value right of the last header column 1"),
        (3, "a value right of the last header column 1"),
    ]


def test_a_damaged_workbook_does_not_quote_its_cells(tmp_path: Path) -> None:
    """A shared string index that is not a number: openpyxl's error quotes the cell."""
    head = '<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c></row>'
    bad = '<row r="2"><c r="A2" t="s"><v>+86 138 0013 8000</v></c></row>'
    path = _book(tmp_path / "bad.xlsx", head + bad, strings=["x"])
    with pytest.raises(InputError, match="damaged") as err:
        read_all(open_file(path))
    assert "138" not in str(err.value)


def test_entities_in_a_shared_string_table(tmp_path: Path) -> None:
    """XML's own "billion laughs" (entities in a DTD): the XML parser refuses it, and the
    reader says so instead of raising the parser's error."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    sst = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
        f'<sst xmlns="{MAIN}"><si><t>&i;</t></si></sst>'
    )
    head = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
    path = _book(
        tmp_path / "laughs.xlsx",
        head + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
        strings=[],
        extra={"xl/sharedStrings.xml": sst.encode()},
    )
    with pytest.raises(InputError, match="not a readable XLSX workbook"):
        read_all(open_file(path))
