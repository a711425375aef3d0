"""Provenance of values: what the source wrote stays in `extra.as_written` when
normalising changed it. Imported into real stores and read back through the export.
Every file here is FICTIONAL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import read_all

from credible.config import Settings
from credible.evidence import Vault
from credible.ingest import import_file
from credible.ingest.mapping import Mapping
from credible.ingest.reader import open_file
from credible.store import Store, export_table

MAPPING = """
kind: person_record
columns:
  external_id: 编号
  name: {column: 姓名, script: han}
  sex: {column: 性别, values: {男: male, 女: female}}
  birth_date: {column: 出生日期, date_format: ["%d.%m.%Y", edtf]}
  role: {column: 身份}
  notes: 备注
keep_columns: [来源]
"""
HEADER = ["编号", "姓名", "性别", "出生日期", "身份", "备注", "来源"]
ROWS = [
    # recoded sex, a strptime date, a vocabulary code in other case, a kept column
    ["F-1", "阿卜杜拉", "男", "03.05.1980", "Victim", "FICTIONAL", "名单 A"],
    # nothing normalised, nothing kept: extra stays null
    ["F-2", "阿依古丽", "female", "1985-02", "victim", "FICTIONAL", ""],
    # as written with quotes and a backslash, nothing kept
    ["F-3", "古丽", "女", "1990", "WITNESS", 'FICTIONAL "q"', ""],
]
EXPECTED = [
    {"来源": "名单 A", "as_written": {"sex": "男", "birth_date": "03.05.1980", "role": "Victim"}},
    None,
    {"as_written": {"sex": "女", "role": "WITNESS"}},
]


@pytest.fixture
def vault(settings: Settings, store: Store) -> Vault:
    return store.vault


def _write(tmp_path: Path, fmt: str, rows: list[list[str]]) -> Path:
    path = tmp_path / f"police.{fmt}"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([HEADER, *rows])
    elif fmt == "xlsx":
        wb = openpyxl.Workbook()
        for row in [HEADER, *rows]:
            wb.active.append([c or None for c in row])
        wb.save(path)
    else:
        records = [{h: c for h, c in zip(HEADER, row, strict=True) if c} for row in rows]
        path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    return path


def _exported(store: Store) -> list[dict[str, str]]:
    out = io.StringIO()
    export_table(store, "person_records", "csv", out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_shows_what_the_source_wrote(
    store: Store, vault: Vault, tmp_path: Path, fmt: str
) -> None:
    mapping = tmp_path / "map.yml"
    mapping.write_text(MAPPING, "utf-8")
    path = _write(tmp_path, fmt, ROWS)
    result = import_file(store, path, source="FICTIONAL police", actor="t", mapping_path=mapping)
    assert result.rows == 3
    rows = _exported(store)
    assert [(r["sex"], r["birth_date"], r["role"]) for r in rows] == [
        ("male", "1980-05-03", "victim"),
        ("female", "1985-02", "victim"),
        ("female", "1990", "witness"),
    ]
    assert [json.loads(r["extra"]) if r["extra"] else None for r in rows] == EXPECTED


def test_nothing_differs_leaves_extra_null(store: Store, vault: Vault, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yml"
    mapping.write_text(MAPPING, "utf-8")
    same = [["F-9", "阿依古丽", "female", "1985-02-03", "victim", "FICTIONAL", ""]] * 2
    path = _write(tmp_path, "csv", same)
    import_file(store, path, source="FICTIONAL", actor="t", mapping_path=mapping)
    assert [r["extra"] for r in _exported(store)] == ["", ""]


@settings(max_examples=40, deadline=None)
@given(
    raw=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
        lambda s: s.strip() and s.strip().casefold() not in ("male", "female", "unknown")
    )
)
def test_any_written_text_round_trips_through_extra(raw: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "l.json"
        records = [{"name": "FICTIONAL", "sex": raw}, {"name": "FICTIONAL", "sex": "male"}]
        path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
        sex = {"column": "sex", "values": {raw.strip(): "female"}}
        mapping = Mapping.model_validate({"columns": {"name": "name", "sex": sex}})
        table, problems = read_all(open_file(path, mapping=mapping))
        rows = table.to_pylist()
    assert problems == [] and [r["sex"] for r in rows] == ["female", "male"]
    assert json.loads(rows[0]["extra"]) == {"as_written": {"sex": raw.strip()}}
    assert rows[1]["extra"] is None
