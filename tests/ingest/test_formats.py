"""Each format reads to the same typed table; rows keep their place in the file.
All data FICTIONAL."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import read_all, rows_of

from credible.errors import InputError
from credible.ingest.limits import ReadLimits
from credible.ingest.reader import load_mapping, open_file
from credible.model.fields import KINDS


def test_csv_without_mapping_recognises_headers(data_dir: Path) -> None:
    parsed = open_file(data_dir / "people_fictional.csv")
    assert parsed.kind == "person_record" and parsed.format == "csv"
    assert parsed.encoding == "utf-8" and parsed.delimiter == ","
    table, problems = read_all(parsed)
    assert problems == []
    names = [f.name for f in KINDS["person_record"]]
    assert table.column_names[: len(names)] == names
    rows = table.to_pylist()
    # the blank line under F-003 (a two-line record) is row 4, skipped but counted
    assert [r["source_row"] for r in rows] == [1, 2, 3, 5]
    assert [r["external_id"] for r in rows] == ["F-001", "F-002", "F-003", "F-004"]
    assert rows[2]["sex"] == "male"  # "Male" matched the code ignoring case
    assert rows[2]["notes"] == "FICTIONAL record\nspanning two lines"
    assert rows[0]["birth_date_min"] == rows[0]["birth_date_max"] == date(1980, 5, 3)
    assert (rows[3]["birth_date_min"], rows[3]["birth_date_max"]) == (
        date(1990, 1, 1),
        date(1999, 12, 31),
    )
    assert rows[2]["detained"] == "2017/2018"
    assert table.schema.field("birth_date_min").type == pa.date32()
    assert table.schema.field("source_row").type == pa.int64()
    assert all(r["name_script"] is None for r in rows)


def test_tsv_crlf_bom_and_keep_columns(tmp_path: Path) -> None:
    path = tmp_path / "list.tsv"
    text = "\ufeffID\tName\tLat\tLon\tType\tNote A\tNote B\r\n"
    text += "\t\t\t\t\t\t\r\n"
    text += 'X1\tCamp "Alpha"\t39.5\t75.9\tcamp\tline1\tback\\slash\r\n'
    text += "X2\t\t40\t-75.25\tprison\t\t\r\n"
    path.write_bytes(text.encode("utf-8"))
    mapping = """
kind: facility
columns: {external_id: ID, name: {column: Name, script: latin}, latitude: Lat,
          longitude: Lon, kind: Type}
keep_columns: [Note A, Note B]
"""
    rows, problems = rows_of(path, mapping)
    assert problems == []
    assert [r["source_row"] for r in rows] == [2, 3]
    assert rows[0]["name"] == 'Camp "Alpha"' and rows[0]["name_script"] == "latin"
    assert rows[1]["name"] is None and rows[1]["name_script"] is None
    assert (rows[1]["latitude"], rows[1]["longitude"]) == (40.0, -75.25)
    assert json.loads(rows[0]["extra"]) == {"Note A": "line1", "Note B": "back\\slash"}
    assert rows[1]["extra"] is None


def test_semicolon_delimiter_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name;sex;dob\nAli, Vali;male;1970\nAygul;female;1971-02\n", "utf-8")
    parsed = open_file(path)
    assert parsed.delimiter == ";"
    table, problems = read_all(parsed)
    assert problems == [] and table.column("name").to_pylist() == ["Ali, Vali", "Aygul"]


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    path = tmp_path / "police.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "姓名", "性别", "出生日期", "人数"])
    ws.append(["P-1", "阿卜杜拉", "男", datetime(1980, 5, 3), 12])
    ws.append([None, None, None, None, None])
    ws.append(["P-2", "阿依古丽", "女", "1985", 3.0])
    wb.save(path)
    mapping = """
kind: person_record
columns:
  external_id: 编号
  name: {column: 姓名, script: han}
  sex: {column: 性别, values: {男: male, 女: female}}
  birth_date: 出生日期
keep_columns: [人数]
"""
    rows, problems = rows_of(path, mapping)
    assert problems == []
    assert [r["source_row"] for r in rows] == [1, 3]
    assert rows[0]["birth_date"] == "1980-05-03" and rows[0]["sex"] == "male"
    assert rows[1]["sex"] == "female" and rows[1]["name_script"] == "han"
    assert [json.loads(r["extra"]) for r in rows] == [
        {"人数": "12", "as_written": {"sex": "男"}},
        {"人数": "3", "as_written": {"sex": "女"}},
    ]


def test_xlsx_with_a_wrong_declared_dimension(tmp_path: Path) -> None:
    """Some writers declare the used range as A1:A1; every row and column still counts."""
    path = tmp_path / "dim.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["name", "sex", "dob"])
    for i in range(30):
        wb.active.append([f"Name {i}", "female", str(1950 + i)])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', parts[sheet])
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    rows, problems = rows_of(path)
    assert problems == [] and len(rows) == 30
    assert rows[29]["birth_date"] == "1979" and rows[29]["sex"] == "female"


def test_json_records_path_nested_keys_and_formats(data_dir: Path) -> None:
    mapping = load_mapping(data_dir / "people_fictional_mapping.yml")
    assert mapping.source.kind == "ngo_list" and mapping.source.reliability == "C"
    table, problems = read_all(open_file(data_dir / "people_fictional.json", mapping=mapping))
    rows = table.to_pylist()
    assert problems == []
    assert [r["source_row"] for r in rows] == [1, 2, 3]
    assert rows[0]["name"] == "Abdulla Tursun" and rows[0]["given_name_script"] == "uyghur_latin"
    assert rows[0]["birth_date"] == "1980-05-03"  # from 03.05.1980 via %d.%m.%Y
    assert rows[1]["birth_date"] == "1985"  # fell through to EDTF
    assert [r["role"] for r in rows] == ["victim"] * 3  # constant
    assert json.loads(rows[0]["extra"]) == {
        "tags": '["FICTIONAL"]',
        "as_written": {"birth_date": "03.05.1980", "sex": "M"},
    }


def test_json_root_array_streams_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "archive.json"
    records = [{"name": f"Person {i}", "dob": str(1950 + i % 50), "n": i} for i in range(2500)]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), "utf-8")
    batches = list(open_file(path).batches(batch_size=1000))
    assert [b.table.num_rows for b in batches] == [1000, 1000, 500]
    rows = pa.concat_tables([b.table for b in batches]).to_pylist()
    assert [r["source_row"] for r in rows] == list(range(1, 2501))
    assert rows[7]["birth_date"] == "1957" and json.loads(rows[7]["extra"]) == {"n": "7"}


def test_jsonl_counts_lines(data_dir: Path) -> None:
    rows, problems = rows_of(data_dir / "people_fictional.jsonl")
    assert problems == []
    assert [r["source_row"] for r in rows] == [1, 3, 4]
    assert rows[2]["name"] == "Гүлнар Розиқызы" and rows[2]["birth_date"] == "1990~"


def test_source_rows_survive_block_boundaries(tmp_path: Path) -> None:
    """Blank and malformed rows spread over many Arrow blocks still leave every other
    row with its own number."""
    path = tmp_path / "many.csv"
    lines = ["name,dob"]
    expected = []
    for i in range(1, 100_001):
        if i % 97 == 0:
            lines.append("")
        elif i % 331 == 0:
            lines.append(f"Bad {i},1970,extra cell")
        else:
            lines.append(f'"Name {i}\nsecond line",{1900 + i % 100}')
            expected.append(i)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    parsed = open_file(path, limits=ReadLimits(csv_row_mb=1))  # Arrow blocks of 1 MB
    assert path.stat().st_size > 2 << 20  # several Arrow blocks
    table, problems = read_all(parsed, batch_size=1000)
    assert table.column("source_row").to_pylist() == expected
    assert [p.row for p in problems] == [i for i in range(1, 100_001) if i % 331 == 0 and i % 97]
    assert all("expected 2 cells" in p.expected for p in problems)


def test_skip_blank_rows_false_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("name\nA\n\nB\n", "utf-8")
    rows, _ = rows_of(path, "columns: {name: name}\nskip_blank_rows: false\n")
    assert [(r["source_row"], r["name"]) for r in rows] == [(1, "A"), (2, None), (3, "B")]


def test_joined_columns_defaults_and_odd_characters(tmp_path: Path) -> None:
    path = tmp_path / "j.csv"
    path.write_text('n1,n2,s,x\nfirst,second,,"a\x01b"\n,only,female,\n,,,\n', encoding="utf-8")
    mapping = """
columns:
  notes: [n1, n2]
  sex: {column: s, default: unknown}
keep_columns: all
"""
    rows, problems = rows_of(path, mapping)
    assert problems == []
    assert [r["notes"] for r in rows] == ["first; second", "only"]
    assert [r["sex"] for r in rows] == ["unknown", "female"]
    assert json.loads(rows[0]["extra"]) == {"x": "a\x01b"}


cells = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffd\ufeff"),
    max_size=12,
) | st.sampled_from(["", " ", 'a "quoted", cell', "two\nlines", "tab\there"])


@settings(max_examples=60, deadline=None)
@given(
    table=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=20),
    delimiter=st.sampled_from([",", "\t", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_csv_cells_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    table: list[list[str]],
    delimiter: str,
    encoding: str,
) -> None:
    """Whatever a CSV writer quotes, the reader gives back (trimmed; empty is absent)."""
    path = tmp_path_factory.mktemp("rt") / "cells.csv"
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, quoting=csv.QUOTE_ALL)
        writer.writerow(["alpha", "beta", "gamma"])
        writer.writerows(table)
    mapping = (
        f"encoding: {encoding}\ndelimiter: {json.dumps(delimiter)}\n"
        "columns: {notes: alpha}\nkeep_columns: all\n"
    )
    expected = []
    for n, row in enumerate(table, start=1):
        cells = {k: v.strip() for k, v in zip(["alpha", "beta", "gamma"], row, strict=True)}
        kept = {k: v for k, v in cells.items() if v and k != "alpha"}
        if any(cells.values()):
            expected.append((n, cells["alpha"] or None, kept or None))
    if not expected:
        with pytest.raises(InputError, match="no data rows"):
            rows_of(path, mapping)
        return
    rows, problems = rows_of(path, mapping)
    if all(notes is None for _, notes, _ in expected):
        # Not one value in the mapped column: refused as a whole.
        (problem,) = problems
        assert problem.row is None
        assert problem.expected.startswith("no row has a value in any mapped column (notes")
        return
    assert problems == []
    got = [(r["source_row"], r["notes"], r["extra"] and json.loads(r["extra"])) for r in rows]
    assert got == expected
