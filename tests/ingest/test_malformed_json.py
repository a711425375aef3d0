"""JSON and JSON Lines that JSON allows but a list of rows cannot mean are refused,
naming the record and the key, without echoing the record. All data FICTIONAL."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from tests.ingest.conftest import read_all, rows_of

from credible.errors import InputError
from credible.ingest.limits import ReadLimits
from credible.ingest.reader import open_file
from credible.model import fields

PHONE = "+86 138 0013 8000"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_object_or_array_in_a_mapped_field(tmp_path: Path, fmt: str) -> None:
    records = [
        {"name": {"a": 1}, "sex": "male"},
        {"name": "Aygul", "sex": ["female"]},
        {"name": "Memet", "sex": "male"},
    ]
    text = json.dumps(records) if fmt == "json" else "\n".join(map(json.dumps, records))
    rows, problems = rows_of(_write(tmp_path, f"p.{fmt}", text))
    assert [(p.row, p.column, p.value) for p in problems] == [
        (1, "name", None),
        (2, "sex", None),
    ]
    assert problems[0].expected == (
        "expected one value (text, a number or true/false), not a JSON object"
    )
    assert problems[1].expected.endswith("not a JSON array")
    assert [r["sex"] for r in rows] == ["male", None, "male"]  # not '["female"]' read as female


def test_nested_values_are_kept_where_keep_columns_keeps_them(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.jsonl", '{"name": "A", "meta": {"tags": [1, "x"]}}\n')
    rows, problems = rows_of(path, "columns: {name: name}\nkeep_columns: [meta]\n")
    assert problems == []
    assert json.loads(rows[0]["extra"]) == {"meta": '{"tags": [1, "x"]}'}


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_key_given_twice(tmp_path: Path, fmt: str) -> None:
    lines = ['{"name": "A"}', '{"name": "B", "name": "C"}', '{"name": "D", "x": {"k": 1, "k": 2}}']
    text = "[" + ",".join(lines) + "]" if fmt == "json" else "\n".join(lines)
    rows, problems = rows_of(_write(tmp_path, f"k.{fmt}", text))
    assert [(p.row, p.expected) for p in problems] == [
        (2, "expected each key once in an object; 'name' appears more than once"),
        (3, "expected each key once in an object; 'k' appears more than once"),
    ]
    assert [r["name"] for r in rows] == ["A"]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_colons_in_values_and_empty_objects(tmp_path: Path, fmt: str) -> None:
    """A flat record is taken as decoded when its text has one colon per key; colons in
    values send it through the pair-by-pair check, which still finds a repeated key."""
    lines = [
        '{"name": "A", "notes": "at 12:30: taken"}',
        '{"name": "B", "notes": "x", "name": "C", "t": "1:2"}',
        '{"name": "D", "notes": {}}',
        ' {"name": "E"}',
    ]
    text = "[" + ",".join(lines) + "]" if fmt == "json" else "\n".join(lines)
    rows, problems = rows_of(_write(tmp_path, f"c.{fmt}", text))
    assert [(p.row, p.expected[:28]) for p in problems] == [
        (2, "expected each key once in an"),
        (3, "expected one value (text, a "),
    ]
    assert [(r["name"], r["notes"]) for r in rows] == [
        ("A", "at 12:30: taken"),
        ("D", None),
        ("E", None),
    ]


def test_a_key_given_twice_under_a_records_path(tmp_path: Path) -> None:
    people = '[{"name": "A"}, {"name": "B", "name": "C"}]'
    path = _write(tmp_path, "k.json", f'{{"data": {{"people": {people}}}}}')
    _, problems = rows_of(path, "records: data.people\ncolumns: {name: name}\n")
    assert [(p.row, p.expected[:22]) for p in problems] == [(2, "expected each key once")]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_nesting_deeper_than_the_limit(tmp_path: Path, fmt: str) -> None:
    deep = '{"name": "A", "x": ' + "[" * 100 + "]" * 100 + "}"
    text = f"[{deep}]" if fmt == "json" else deep + "\n"
    path = _write(tmp_path, f"d.{fmt}", text)
    _, problems = rows_of(path)
    assert [(p.row, p.expected) for p in problems][:1] == [
        (
            1,
            "objects and arrays nested more than 64 deep: over the limit json_depth=64; "
            "if the file is trusted, raise it with --limit json_depth=VALUE",
        )
    ]
    rows, problems = read_all(open_file(path, limits=ReadLimits(json_depth=200)))
    assert problems == [] and rows.num_rows == 1


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_nesting_too_deep_for_python(tmp_path: Path, fmt: str) -> None:
    """json raises RecursionError past ~1000 levels: a problem, not a traceback."""
    deep = '{"name": "A", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = _write(tmp_path, f"d.{fmt}", f"[{deep}]" if fmt == "json" else deep + "\n")
    try:
        _, problems = rows_of(path)
    except InputError as err:
        problems = err.problems
    assert problems[0].row == 1 and "nested too deeply" in problems[0].expected


def test_records_path_nested_too_deep(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.json", '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputError, match="nested too deeply"):
        rows_of(path, "records: data\n")


def test_errors_do_not_echo_the_record(tmp_path: Path) -> None:
    bad = f'{{"name": "A", "contact": "{PHONE}" oops}}'
    path = _write(tmp_path, "e.jsonl", f'{{"name": "B"}}\n{bad}\n["{PHONE}"]\n"{PHONE}"\n')
    _, problems = rows_of(path)
    assert [(p.row, p.value) for p in problems] == [(2, None), (3, None), (4, None)]
    assert [p.expected for p in problems] == [
        "expected valid JSON: Expecting ',' delimiter",
        "expected a JSON object, not a JSON array",
        "expected a JSON object, not a string",
    ]
    array = _write(tmp_path, "e.json", f'[{{"name": "B"}}, {bad}]')
    with pytest.raises(InputError) as err:
        rows_of(array)
    assert "138" not in str(err.value) and err.value.problems[0].row == 2


def test_sealed_fields_never_reach_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the check that fails, a field declared sensitive has its value withheld,
    decided where the converter makes every problem."""
    sealed = tuple(
        dataclasses.replace(f, sensitive=True) if f.name == "birth_date" else f
        for f in fields.PERSON_RECORD_FIELDS
    )
    monkeypatch.setitem(fields.KINDS, "person_record", sealed)
    path = _write(tmp_path, "s.csv", "name,dob,sex\nA,1980-02-30,x\n")
    _, problems = rows_of(path)
    by_column = {p.column: p for p in problems}
    assert by_column["dob"].value is None
    assert by_column["dob"].expected.endswith("(the value is not shown: birth_date is sensitive)")
    assert by_column["sex"].value == "x"  # not sensitive: shown as written


def test_contact_nested_is_not_echoed(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.jsonl", json.dumps({"name": "A", "phone": [PHONE]}) + "\n")
    _, problems = rows_of(path)
    assert [(p.row, p.column, p.value) for p in problems] == [(1, "phone", None)]
    assert "138" not in str(problems[0])


def test_sensitive_text_is_not_kept_as_written(tmp_path: Path) -> None:
    """``extra`` is not sealed: the contact as written must not land there."""
    path = _write(tmp_path, "c.csv", f"name,phone\nA,{PHONE}\n")
    mapping = f'columns: {{name: name, contact: {{column: phone, values: {{"{PHONE}": "x"}}}}}}\n'
    rows, problems = rows_of(path, mapping)
    assert problems == [] and rows[0]["contact"] == "x"
    assert rows[0]["extra"] is None


def test_numbers_too_long_for_python(tmp_path: Path) -> None:
    path = _write(tmp_path, "n.jsonl", '{"name": "A"}\n{"name": 1' + "0" * 5000 + "}\n")
    _, problems = rows_of(path)
    assert [(p.row, p.expected) for p in problems] == [
        (2, "expected valid JSON: a number too long to read (more than 4300 digits)")
    ]
    array = _write(tmp_path, "n.json", '[{"name": 1' + "0" * 5000 + "}]")
    with pytest.raises(InputError, match="number too long"):
        rows_of(array)


def test_unpaired_surrogates(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.jsonl", '{"name": "A\\ud800"}\n{"name": "B\\ud83d\\ude00"}\n')
    rows, problems = rows_of(path)
    assert [(p.row, p.column) for p in problems] == [(1, "name")]
    assert "unpaired surrogate" in problems[0].expected
    assert [r["name"] for r in rows] == ["B😀"]  # row 1 has no other value: blank
    keys = _write(tmp_path, "k.jsonl", '{"name": "A", "\\udc00": 1}\n')
    with pytest.raises(InputError, match="keys that are Unicode text"):
        open_file(keys)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[{"name": "A"}] trailing', "nothing after the JSON array's closing ]"),
        ('[{"name": "A"} {"name": "B"}]', "expected ',' or ']' after this element"),
    ],
)
def test_array_syntax_errors_that_were_read_silently(
    tmp_path: Path, text: str, fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        rows_of(_write(tmp_path, "a.json", text))


def test_keys_after_the_first_thousand_records_are_warned_about(tmp_path: Path) -> None:
    lines = [json.dumps({"name": f"P{i}"}) for i in range(1500)]
    lines[1200] = json.dumps({"name": "P1200", "phone": PHONE})
    path = _write(tmp_path, "late.jsonl", "\n".join(lines) + "\n")
    parsed = open_file(path)
    _, problems = read_all(parsed)
    assert problems == []
    assert parsed.warnings == [
        "keys that no record among the first 1000 has were not read: 'phone' (first in record 1201)"
    ]


def test_byte_order_marks_inside_json_lines(tmp_path: Path) -> None:
    """Files joined with ``cat``, each with its own BOM."""
    path = tmp_path / "b.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"name": "A"}\n\xef\xbb\xbf{"name": "B"}\n')
    rows, problems = rows_of(path)
    assert problems == [] and [r["name"] for r in rows] == ["A", "B"]


def test_element_longer_than_the_limit(tmp_path: Path) -> None:
    big = json.dumps({"name": "A", "notes": "x" * (3 << 20)})
    path = _write(tmp_path, "big.json", f"[{big}]")
    with pytest.raises(InputError, match="over the limit json_record_mb=1"):
        read_all(open_file(path, limits=ReadLimits(json_record_mb=1)))
    lines = _write(tmp_path, "big.jsonl", big + '\n{"name": "B"}\n')
    table, problems = read_all(open_file(lines, limits=ReadLimits(json_record_mb=1)))
    assert [p.row for p in problems] == [1] and "json_record_mb" in problems[0].expected
    assert table.column("name").to_pylist() == ["B"]


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_nan_and_infinity_are_not_json(tmp_path: Path, word: str, fmt: str) -> None:
    body = f'{{"name": "FICTIONAL A", "birth_date": {word}}}'
    path = tmp_path / f"x.{fmt}"
    path.write_text(f"[{body}]" if fmt == "json" else body + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON value"):
        for batch in open_file(path).batches():
            if batch.problems:
                raise InputError(batch.problems)
