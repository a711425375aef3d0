"""Import into real stores (SQLite file and PostgreSQL): one transaction, all or nothing."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from credible.config import Settings
from credible.errors import InputError
from credible.evidence import Vault
from credible.ingest import import_file
from credible.store import Store, schema, verify

CSV = (
    "fictional,name,given_name,father_name,sex,birth_date,residence,contact\n"
    "FICTIONAL,Abdurehim Heyit,Abdurehim,Heyit,male,1975,Kashgar,+1 555 0100\n"
    "FICTIONAL,Aygul Tursun,Aygul,Tursun,female,1988-05~,Hotan,\n"
    "FICTIONAL,Memet Tohti,Memet,Tohti,male,1960/1962,Aksu,\n"
)


@pytest.fixture
def vault(settings: Settings, store: Store) -> Vault:
    return store.vault


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _nothing_written(store: Store) -> None:
    for table in (
        schema.sources,
        schema.evidence,
        schema.person_records,
        schema.imports,
    ):
        assert store.count(table) == 0, table.name
    # init's own entry (the key's fingerprint) is the only one
    assert store.count(schema.audit) == store.count(schema.audit, action="key")
    assert store.vault.files() == []


def test_import_writes_records_evidence_and_one_audited_transaction(
    store: Store, vault: Vault, tmp_path: Path
) -> None:
    path = _write(tmp_path, "list.csv", CSV)
    result = import_file(store, path, source="FICTIONAL ngo", actor="tester")
    assert (result.rows, result.kind, result.already_imported) == (3, "person_record", False)
    with store.read() as conn:
        rows = conn.execute(
            select(schema.person_records).order_by(schema.person_records.c.id)
        ).all()
        ev = conn.execute(select(schema.evidence)).one()
        assert verify(conn).ok
    assert [r.source_row for r in rows] == [1, 2, 3]
    assert [r.name for r in rows] == ["Abdurehim Heyit", "Aygul Tursun", "Memet Tohti"]
    assert ev.sha256 == result.sha256 and ev.original_name == "list.csv" and ev.size == len(CSV)
    assert ev.acquired_by == "tester"
    assert vault.verify(ev.sha256)
    # the contact is encrypted at rest, and only the key reads it
    assert rows[0].contact is not None and b"555" not in bytes(rows[0].contact)
    assert store.cipher is not None and store.cipher.decrypt(rows[0].contact) == "+1 555 0100"


def test_partial_dates_are_stored_and_compared_as_ranges(
    store: Store, vault: Vault, tmp_path: Path
) -> None:
    import_file(store, _write(tmp_path, "l.csv", CSV), source="FICTIONAL", actor="t")
    pr = schema.person_records
    with store.read() as conn:
        got = {
            r.name: (r.birth_date, r.birth_date_min, r.birth_date_max)
            for r in conn.execute(select(pr))
        }
        # "born in 1961 or later?" — possibly, for 1960/1962 and for ~1988
        possibly = set(
            conn.execute(
                select(pr.c.name).where(pr.c.birth_date_max >= dt.date(1961, 1, 1))
            ).scalars()
        )
        certainly_before_1989 = set(
            conn.execute(
                select(pr.c.name).where(pr.c.birth_date_max < dt.date(1989, 1, 1))
            ).scalars()
        )
    assert got["Abdurehim Heyit"] == ("1975", dt.date(1975, 1, 1), dt.date(1975, 12, 31))
    assert got["Memet Tohti"][1:] == (dt.date(1960, 1, 1), dt.date(1962, 12, 31))
    low, high = got["Aygul Tursun"][1:]
    assert low < dt.date(1988, 5, 1) and high > dt.date(1988, 5, 31)  # "~" widens May 1988
    assert possibly == {"Memet Tohti", "Aygul Tursun", "Abdurehim Heyit"}
    assert "Abdurehim Heyit" in certainly_before_1989 and "Memet Tohti" in certainly_before_1989


def test_reimport_adds_nothing(store: Store, vault: Vault, tmp_path: Path) -> None:
    path = _write(tmp_path, "list.csv", CSV)
    import_file(store, path, source="FICTIONAL", actor="t")
    entries = store.count(schema.audit)
    again = import_file(store, path, source="FICTIONAL", actor="t")
    assert again.already_imported and again.rows == 3
    assert store.count(schema.person_records) == 3
    assert store.count(schema.audit) == entries


BAD_CASES = {
    "invalid date": (
        "fictional,name,birth_date\nFICTIONAL,A,1975\nFICTIONAL,B,31/31/1990\n",
        "utf-8",
        None,
    ),
    "wrong type": (
        "fictional,name,latitude,longitude\nFICTIONAL,F,north,80.1\n",
        "utf-8",
        "facility",
    ),
    "empty file": ("", "utf-8", None),
    "bad vocabulary": ("fictional,name,sex\nFICTIONAL,A,yes\n", "utf-8", None),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_writes_nothing(store: Store, vault: Vault, tmp_path: Path, case: str) -> None:
    text, encoding, kind = BAD_CASES[case]
    path = _write(tmp_path, "bad.csv", text, encoding)
    with pytest.raises(InputError) as err:
        import_file(store, path, source="FICTIONAL", actor="t", kind=kind)
    assert "bad.csv" in str(err.value)
    _nothing_written(store)


def test_every_problem_is_reported_with_row_and_column(
    store: Store, vault: Vault, tmp_path: Path
) -> None:
    text = "fictional,name,birth_date,sex\n" + "".join(
        f"FICTIONAL,P{i},{'never' if i % 3 == 0 else '1980'},{'x' if i % 4 == 0 else 'male'}\n"
        for i in range(1, 13)
    )
    with pytest.raises(InputError) as err:
        import_file(store, _write(tmp_path, "many.csv", text), source="F", actor="t")
    located = {(p.row, p.column) for p in err.value.problems}
    assert {(3, "birth_date"), (6, "birth_date"), (9, "birth_date"), (12, "birth_date")} <= located
    assert {(4, "sex"), (8, "sex"), (12, "sex")} <= located
    _nothing_written(store)


def test_wrong_declared_encoding_writes_nothing(store: Store, vault: Vault, tmp_path: Path) -> None:
    path = _write(tmp_path, "kz.csv", "fictional,name\nFICTIONAL,Әбдірахим Қасымұлы\n", "kz1048")
    mapping = _write(
        tmp_path, "kz.yml", "kind: person_record\nencoding: utf-8\ncolumns:\n  name: name\n"
    )
    with pytest.raises(InputError):
        import_file(store, path, source="F", actor="t", mapping_path=mapping)
    _nothing_written(store)


def test_missing_mapped_column_writes_nothing(store: Store, vault: Vault, tmp_path: Path) -> None:
    path = _write(tmp_path, "l.csv", CSV)
    mapping = _write(tmp_path, "m.yml", "kind: person_record\ncolumns:\n  name: Full name\n")
    with pytest.raises(InputError) as err:
        import_file(store, path, source="F", actor="t", mapping_path=mapping)
    assert "Full name" in str(err.value)
    _nothing_written(store)


def test_truncated_xlsx_writes_nothing(store: Store, vault: Vault, tmp_path: Path) -> None:
    from openpyxl import Workbook

    good = tmp_path / "good.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["fictional", "name"])
    ws.append(["FICTIONAL", "阿不都热依木·艾依提"])
    wb.save(good)
    data = good.read_bytes()
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    assert not zipfile.is_zipfile(bad)
    with pytest.raises(InputError):
        import_file(store, bad, source="F", actor="t")
    _nothing_written(store)


def test_acts_and_allegations_resolve_references(
    store: Store, vault: Vault, tmp_path: Path
) -> None:
    import_file(
        store,
        _write(
            tmp_path,
            "fac.csv",
            "fictional,id,name,kind,latitude,longitude\nFICTIONAL,F-1,Camp One,camp,39.5,76.0\n",
        ),
        source="FICTIONAL imagery",
        actor="t",
        kind="facility",
    )
    import_file(
        store,
        _write(tmp_path, "t.csv", "fictional,id,name\nFICTIONAL,T-1,Aygul Tursun\n"),
        source="FICTIONAL testimony",
        actor="t",
    )
    import_file(
        store,
        _write(
            tmp_path,
            "acts.csv",
            "fictional,id,type,victim,facility,date\n"
            "FICTIONAL,A-1,arbitrary_detention,T-1,F-1,2018-03\n",
        ),
        source="FICTIONAL testimony",
        actor="t",
        kind="act",
    )
    with pytest.raises(InputError) as err:
        import_file(
            store,
            _write(
                tmp_path,
                "alleg.csv",
                "fictional,id,act,credibility\nFICTIONAL,L-1,A-1,2\nFICTIONAL,L-2,A-404,2\n",
            ),
            source="FICTIONAL testimony",
            actor="t",
            kind="allegation",
        )
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "act")]
    with store.read() as conn:
        act = conn.execute(select(schema.acts)).one()
        assert act.victim_record_id is not None and act.facility_id is not None
        assert verify(conn).ok
