"""The fast XLSX sheet reader gives exactly openpyxl's cells. Every workbook here is
FICTIONAL: written by openpyxl (inline strings, numbers, dates, booleans, blanks, gaps),
rewritten to shared strings as Excel writes them, or written by the simulator."""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import read_all

from credible.ingest import xlsxfast
from credible.ingest.reader import load_mapping, open_file
from credible.ingest.xlsxcells import cell_text
from credible.ingest.xlsxfast import Book, SheetReader
from credible.simulate import simulate

LETTERS = "阿卜杜拉古丽买买提ئابدۇللاتۇرسۇنАбдуллаҚайратӨзбекAygül Zöhre&<>\"';_x000D_ \n\t\r"
SHEET = "xl/worksheets/sheet1.xml"


def _openpyxl_rows(path: Path) -> list[list[str | None]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    out = []
    for row in sheet.iter_rows(values_only=True):
        texts = [cell_text(c) for c in row]
        while texts and texts[-1] is None:
            texts.pop()
        out.append(texts)
    book.close()
    return out


def _fast_rows(path: Path) -> tuple[list[list[str | None]], dict[str, int]]:
    book = Book(path)
    reader = SheetReader(book, next(iter(book.worksheets)))
    rows = list(reader.rows())
    book.close()
    return rows, reader.pieces


def _rezip(path: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts.update(change)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _to_shared_strings(path: Path) -> None:
    """Rewrite openpyxl's inline strings as a shared string table, attributes in Excel's
    order (r, s, t)."""
    with zipfile.ZipFile(path) as z:
        sheet = z.read(SHEET).decode()
        types = z.read("[Content_Types].xml").decode()
    table: dict[str, int] = {}

    def shared(m: re.Match[str]) -> str:
        text = m.group(4) or ""
        idx = table.setdefault(text, len(table))
        style = f' s="{m.group(3)}"' if m.group(3) else ""
        return f'<c r="{m.group(1)}"{style} t="s"><v>{idx}</v></c>'

    pattern = r'<c r="([A-Z]+\d+)"( s="(\d+)")? t="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>'
    sheet = re.sub(pattern, shared, sheet)
    sst = "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in table)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = f'<sst xmlns="{main}" uniqueCount="{len(table)}">{sst}</sst>'
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    types = types.replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}"/></Types>'
    )
    _rezip(
        path,
        {
            SHEET: sheet.encode(),
            "xl/sharedStrings.xml": xml.encode(),
            "[Content_Types].xml": types.encode(),
        },
    )


texts = st.text(st.sampled_from(LETTERS), min_size=0, max_size=10)
values = st.one_of(
    texts,
    texts,
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.times(),
    st.timedeltas(timedelta(0), timedelta(days=3000)),
)
cells = st.dictionaries(
    st.tuples(st.integers(1, 40), st.integers(1, 30)), values, min_size=1, max_size=120
)


def _workbook(path: Path, content: dict[tuple[int, int], Any]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for (row, col), value in content.items():
        ws.cell(row=row, column=col, value=value)
    wb.save(path)


@settings(max_examples=60, deadline=None)
@given(content=cells, shared=st.booleans(), chunk=st.sampled_from([1 << 22, 300, 1000]))
def test_fast_reader_gives_openpyxls_cells(
    content: dict[tuple[int, int], Any], shared: bool, chunk: int
) -> None:
    """Also with the sheet cut into many small pieces (rows and gaps across pieces)."""
    default = xlsxfast.CHUNK
    xlsxfast.CHUNK = chunk
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "FICTIONAL.xlsx"
            _workbook(path, content)
            if shared:
                _to_shared_strings(path)
            fast, pieces = _fast_rows(path)
            assert fast == _openpyxl_rows(path)
            assert pieces["columnar"] >= 1 and pieces["tokenised"] == 0
    finally:
        xlsxfast.CHUNK = default


def test_formulas_rich_text_and_odd_bodies_read_cell_by_cell(tmp_path: Path) -> None:
    path = tmp_path / "FICTIONAL.xlsx"
    _workbook(path, {(1, 1): "name", (1, 2): "n", (2, 1): "Aygül", (2, 2): 3, (3, 1): "Адил"})
    with zipfile.ZipFile(path) as z:
        sheet = z.read(SHEET).decode()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    extra = (
        '<row r="5"><c r="A5" t="inlineStr"><is><r><t>Tur</t></r><r><rPr><b/></rPr><t>sun</t>'
        '</r><rPh sb="0" eb="1"><t>X</t></rPh></is></c><c r="B5"><f>B2*2</f><v>6</v></c>'
        '<c r="C5" t="str"><f>A2</f><v>Aygül &amp; Adil</v></c><c r="D5" t="e"><v>#N/A</v></c>'
        '<c r="F5" t="b"><v>1</v></c></row>'
        '<row><c t="inlineStr"><is><t>no reference</t></is></c><c><v>7.50</v></c></row>'
    )
    sheet = sheet.replace("</sheetData>", extra + "</sheetData>")
    assert f'xmlns="{main}"' in sheet
    _rezip(path, {SHEET: sheet.encode()})
    fast, pieces = _fast_rows(path)
    assert fast == _openpyxl_rows(path)
    assert fast[4] == ["Tursun", "6", "Aygül & Adil", "#N/A", None, "true"]
    assert fast[5] == ["no reference", "7.5"]
    assert pieces == {"columnar": 0, "tokenised": 1}


def test_what_neither_fast_path_reads_goes_to_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pieces of ~256 bytes: the first ones are read fast, a comment half-way stops the
    fast reader and openpyxl reads on from the first row not yet given."""
    monkeypatch.setattr(xlsxfast, "CHUNK", 256)
    path = tmp_path / "FICTIONAL.xlsx"
    rows = [["name", "sex", "born"]] + [[f"Aygül {i}", "female", str(1950 + i)] for i in range(60)]
    _workbook(path, {(r + 1, c + 1): v for r, row in enumerate(rows) for c, v in enumerate(row)})
    with zipfile.ZipFile(path) as z:
        sheet = z.read(SHEET).decode()
    sheet = sheet.replace('<row r="40">', '<!-- FICTIONAL --><row r="40">')
    _rezip(path, {SHEET: sheet.encode()})
    parsed = open_file(path)
    table, problems = read_all(parsed, batch_size=7)
    assert problems == [] and parsed._source.reader == "openpyxl"  # type: ignore[union-attr]
    assert table.column("source_row").to_pylist() == list(range(1, 61))
    assert table.column("name").to_pylist() == [r[0] for r in rows[1:]]
    assert table.column("birth_date").to_pylist() == [r[2] for r in rows[1:]]


def test_a_prefixed_sheet_is_read_by_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "FICTIONAL.xlsx"
    _workbook(path, {(1, 1): "name", (2, 1): "Aygül", (4, 1): "Адил"})
    with zipfile.ZipFile(path) as z:
        sheet = z.read(SHEET).decode()
    sheet = re.sub(r"<(/?)(\w+)", r"<\1x:\2", sheet).replace("xmlns=", "xmlns:x=")
    _rezip(path, {SHEET: sheet.encode()})
    parsed = open_file(path)
    table, problems = read_all(parsed)
    assert problems == [] and parsed._source.reader == "openpyxl"  # type: ignore[union-attr]
    assert table.column("name").to_pylist() == ["Aygül", "Адил"]
    assert table.column("source_row").to_pylist() == [1, 3]


def test_rows_and_numbers_match_openpyxl_through_the_reader(tmp_path: Path) -> None:
    """Blank rows, a gap of missing rows and values right of the header, read with
    small batches: source_row and problems as openpyxl numbered them."""
    path = tmp_path / "FICTIONAL.xlsx"
    content: dict[tuple[int, int], Any] = {(1, 1): "name", (1, 2): "dob", (1, 4): "notes"}
    for r in range(2, 30):
        if r % 7:
            content[(r, 1)] = f"Гүлнар {escape('<&>')} {r}"
            content[(r, 2)] = date(1960, 1, 1) + timedelta(days=400 * r)
    content[(41, 1)] = "ئابدۇللا"
    content[(12, 6)] = "stray"
    _workbook(path, content)
    table, problems = read_all(open_file(path), batch_size=5)
    rows = _openpyxl_rows(path)[1:]
    expected = [(i + 1, r[0]) for i, r in enumerate(rows) if r and r[0] is not None]
    numbers, names = table.column("source_row").to_pylist(), table.column("name").to_pylist()
    got = list(zip(numbers, names, strict=True))
    assert got == expected and got[-1] == (40, "ئابدۇللا")
    assert [(p.row, p.expected) for p in problems] == [
        (11, "a value right of the last header column 4")
    ]


@pytest.fixture(scope="module")
def investigation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(people=1500, lists=5, seed=5, out=out)
    return out


def test_simulated_police_spreadsheets_read_as_openpyxl_reads_them(investigation: Path) -> None:
    manifest = json.loads((investigation / "manifest.json").read_text("utf-8"))
    sheets = [e for e in manifest["lists"] if e["format"] == "xlsx"]
    assert sheets
    for entry in sheets:
        path = investigation / entry["path"]
        fast, pieces = _fast_rows(path)
        assert fast == _openpyxl_rows(path), entry["path"]
        assert pieces["columnar"] >= 1 and pieces["tokenised"] == 0
        parsed = open_file(path, mapping=load_mapping(investigation / entry["mapping"]))
        table, problems = read_all(parsed)
        assert problems == [] and parsed._source.reader == "fast"  # type: ignore[union-attr]
        assert table.num_rows == sum(1 for r in fast[1:] if r)


def test_cell_text_of_typed_values_is_unchanged() -> None:
    assert [cell_text(v) for v in (3.0, 2.5, True, datetime(2017, 5, 3), time(1, 2))] == [
        "3",
        "2.5",
        "true",
        "2017-05-03",
        "01:02:00",
    ]


def test_shared_string_table_read_as_openpyxl_reads_it() -> None:
    import io

    from openpyxl.reader.strings import read_string_table

    from credible.ingest.xlsxcells import shared_strings

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    items = [
        "<t>阿卜杜拉</t>",
        '<t xml:space="preserve"> Aygül &amp; Adil </t>',
        "<t>line\r\nnext_x005F_x000D_</t>",
        "<r><t>Тур</t></r><r><rPr><b/></rPr><t>сун</t></r><rPh sb='0' eb='1'><t>x</t></rPh>",
        "<t/>",
        "<t>&#1574;&#x627;</t>",
    ]
    data = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{main}" count="6">'
        + "".join(f"<si>{i}</si>" for i in items)
        + "</sst>"
    ).encode()
    expected = list(read_string_table(io.BytesIO(data)))
    assert shared_strings(data) == expected
    assert expected[0] == "阿卜杜拉" and expected[3] == "Турсун"


@settings(max_examples=30, deadline=None)
@given(content=cells, formula=st.booleans())
def test_excel_style_workbooks_from_xlsxwriter(
    content: dict[tuple[int, int], Any], formula: bool
) -> None:
    """XlsxWriter writes as Excel does: a shared string table, attributes r, s, t, row
    spans, date and time styles of its own, formulas with a cached value."""
    xlsxwriter = pytest.importorskip("xlsxwriter")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "FICTIONAL.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet()
        styles = {
            "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": wb.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"}),
            "time": wb.add_format({"num_format": "hh:mm:ss"}),
            "timedelta": wb.add_format({"num_format": "[h]:mm:ss"}),
            "bold": wb.add_format({"bold": True}),
        }
        for (row, col), value in content.items():
            r, c = row - 1, col - 1
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, styles["datetime"])
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime.combine(value, time()), styles["date"])
            elif isinstance(value, time):
                ws.write_datetime(r, c, value, styles["time"])
            elif isinstance(value, timedelta):
                ws.write_number(r, c, value / timedelta(days=1), styles["timedelta"])
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value, styles["bold"] if r % 2 else None)
            elif value:
                ws.write_string(r, c, value)
            else:
                ws.write_blank(r, c, None, styles["bold"])
        if formula:
            ws.write_formula(45, 0, "=1+1", None, 2)
        wb.close()
        fast, pieces = _fast_rows(path)
        assert fast == _openpyxl_rows(path)
        assert pieces["tokenised" if formula else "columnar"] == 1
