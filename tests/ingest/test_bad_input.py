"""Bad input gives clear errors: whole-file problems raise InputError from open_file,
row problems are listed per batch with file, row, column, expectation and raw value.
All data FICTIONAL."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from tests.ingest.conftest import read_all, rows_of

from credible.errors import InputError
from credible.ingest.reader import load_mapping, open_file


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yml"
    path.write_text(text, "utf-8")
    return path


def test_empty_file(tmp_path: Path) -> None:
    for name in ("empty.csv", "empty.json", "empty.jsonl", "empty.xlsx"):
        path = tmp_path / name
        path.write_bytes(b"" if name != "empty.csv" else b"\r\n  \n")
        with pytest.raises(InputError, match="empty"):
            open_file(path)


def test_header_without_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("name,sex\n,\n", "utf-8")
    with pytest.raises(InputError, match="no data rows"):
        open_file(path)


def test_missing_mapped_column(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name,Sex\nAygul,female\n", "utf-8")
    m = load_mapping(_mapping(tmp_path, "columns: {name: Name, birth_date: DOB}\n"))
    with pytest.raises(InputError) as err:
        open_file(path, mapping=m)
    (problem,) = err.value.problems
    assert problem.column == "DOB" and "missing" in problem.expected
    assert "'Name', 'Sex'" in str(err.value)  # the header it did find


def test_invalid_dates_are_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "name,dob\nA,1980-02-30\nB,1980\nC,3 May 1980\nD,2019/2018\nE,1985-13\n", "utf-8"
    )
    _, problems = rows_of(path)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (1, "dob", "1980-02-30"),
        (3, "dob", "3 May 1980"),
        (4, "dob", "2019/2018"),
        (5, "dob", "1985-13"),
    ]
    assert "has no day 30" in problems[0].expected
    assert "ends before it starts" in problems[2].expected
    assert str(problems[0]).startswith("people.csv:1:dob: expected a date in EDTF")


def test_strptime_format_problem_names_the_format(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("dob\n03.05.1980\n1980-05-03\n", "utf-8")
    _, problems = rows_of(path, 'columns: {birth_date: {column: dob, date_format: "%d.%m.%Y"}}\n')
    assert [(p.row, p.expected) for p in problems] == [
        (2, "expected a date in the format %d.%m.%Y")
    ]


def test_wrong_types_and_ranges(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "name,lat,lon,tier,capacity\nA,39.5,75.1,2,1000\nB,north,75.1,2.0,\nC,91,181,two,1e3\n",
        "utf-8",
    )
    m = (
        "kind: facility\ncolumns: {name: name, latitude: lat, longitude: lon,\n"
        "  security_tier: tier, capacity_estimate: capacity}\n"
    )
    rows, problems = rows_of(path, m)
    got = {(p.row, p.column): (p.expected, p.value) for p in problems}
    assert got == {
        (2, "lat"): ("expected a number", "north"),
        (3, "lat"): ("expected a latitude between -90 and 90", "91"),
        (3, "lon"): ("expected a longitude between -180 and 180", "181"),
        (3, "tier"): ("expected a whole number", "two"),
        (3, "capacity"): ("expected a whole number", "1e3"),
    }
    assert rows[1]["security_tier"] == 2 and rows[0]["capacity_estimate"] == 1000


def test_bad_vocab_value_lists_the_codes(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("name,sex\nA,M\nB,x\nC,female\n", "utf-8")
    rows, problems = rows_of(path, "columns: {name: name, sex: {column: sex, values: {M: male}}}\n")
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "sex", "x")]
    assert "male, female, unknown" in problems[0].expected
    assert [r["sex"] for r in rows] == ["male", None, "female"]


def test_required_field_empty(tmp_path: Path) -> None:
    path = tmp_path / "acts.csv"
    path.write_text("type,date\narbitrary_detention,2018\n,2018\n", "utf-8")
    _, problems = rows_of(path, kind="act")
    assert [(p.row, p.column) for p in problems] == [(2, "type")]
    assert "required" in problems[0].expected


def test_ragged_row(tmp_path: Path) -> None:
    """Named by row and cell count; the row's text is not shown (it may hold a value
    that is sealed, such as a witness's phone number)."""
    path = tmp_path / "r.csv"
    path.write_text("name,sex\nA,male\nB,male,+86 138 0000 0000\nC\n", "utf-8")
    rows, problems = rows_of(path)
    assert [r["name"] for r in rows] == ["A"]
    assert [(p.row, p.value) for p in problems] == [(2, None), (3, None)]
    assert [p.expected for p in problems] == [
        "expected 2 cells separated by ',', found 3",
        "expected 2 cells separated by ',', found 1",
    ]
    assert "138" not in " ".join(map(str, problems))


def test_truncated_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    wb = openpyxl.Workbook()
    for i in range(200):
        wb.active.append([f"Name {i}", "male", f"19{i % 100:02d}"])
    wb.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated"):
        read_all(open_file(path))


def test_xlsx_with_a_damaged_sheet(tmp_path: Path) -> None:
    """The zip is intact but the sheet's XML stops half-way: an InputError, not a crash."""
    path = tmp_path / "damaged.xlsx"
    wb = openpyxl.Workbook()
    for i in range(300):
        wb.active.append([f"Name {i}", "male", f"19{i % 100:02d}"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(InputError, match="damaged or truncated"):
        read_all(open_file(path))


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "scan.bin"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match="unknown format"):
        open_file(path)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"save it as \.xlsx"):
        open_file(old)


def test_invalid_json_line(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"name": "A"}\n{"name": \n[1]\n', "utf-8")
    rows, problems = rows_of(path)
    assert [r["name"] for r in rows] == ["A"]
    assert [(p.row, p.expected, p.value) for p in problems] == [
        (2, "expected valid JSON: Expecting value", None),
        (3, "expected a JSON object, not a JSON array", None),
    ]


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("columns: {nom: Name}\n", "columns", "has no field 'nom'"),
        ("columns: {sex: {column: s, values: {M: man}}}\n", "columns", "not in vocabulary"),
        ("columns: {name: {column: n, script: klingon}}\n", "columns", "not in vocabulary scripts"),
        ("columns: {sex: {column: s, script: latin}}\n", "columns", "only name fields"),
        ("columns: {notes: {column: n, date_format: '%Y'}}\n", "columns", "not a date field"),
        ("encoding: latin-99\n", "encoding", "unknown text encoding"),
        ("kind: people\n", "kind", "Input should be"),
        ("source: {reliability: G}\n", "source.reliability", "not in vocabulary"),
        ("constants: {sex: man}\n", "constants.sex", "not in vocabulary sex"),
        ("constants: {birth_date: soon}\n", "constants", "expected a date"),
        ("colums: {name: n}\n", "colums", "Extra inputs"),
        ("columns: [name]\n", "columns", "valid dictionary"),
        ("columns: {name: n\n", None, "not valid YAML"),
        ("- just\n- a list\n", None, "YAML mapping"),
    ],
)
def test_bad_mapping_file(tmp_path: Path, text: str, key: str | None, fragment: str) -> None:
    path = _mapping(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_mapping(path)
    assert str(path) in str(err.value)
    problem = err.value.problems[0]
    assert problem.column == key or (key and str(problem.column).startswith(key))
    assert fragment in problem.expected


def test_kind_contradicting_mapping(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("name\nX\n", "utf-8")
    m = load_mapping(_mapping(tmp_path, "kind: facility\n"))
    with pytest.raises(InputError, match="contradicts"):
        open_file(path, mapping=m, kind="act")
