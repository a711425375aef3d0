"""Which columns are sealed comes from the model: every contact column, kept or mapped,
and nothing sealed ever reaches the audit log, an error, or the mapping kept with an
import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from credible.errors import InputError, StoreError
from credible.ingest import import_file
from credible.model import fields
from credible.store import Store, export_table, schema

PHONE, MAIL, WECHAT = "+1 555 0100", "aygul@example.invalid", "fictional_wechat_77"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _everything_in_clear(store: Store) -> str:
    """Every table and the search index, as text: what someone with the database sees."""
    out = []
    with store.engine.connect() as conn:
        for table in schema.EXPORTABLE.values():
            out += [repr(tuple(r)) for r in conn.execute(table.select())]
        out += [repr(tuple(r)) for r in conn.exec_driver_sql(f"SELECT * FROM {store.search.table}")]
    return "\n".join(out)


def test_phone_and_email_are_both_sealed(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "l.csv", f"name,phone,email\nFICTIONAL Aygul Tursun,{PHONE},{MAIL}\n")
    import_file(store, path, source="FICTIONAL ngo", actor="t")
    dump = _everything_in_clear(store)
    assert PHONE not in dump and MAIL not in dump
    with store.read() as conn:
        sealed = conn.execute(select(schema.person_records.c.contact)).scalar_one()
    assert store.cipher.decrypt(sealed) == f"{PHONE}; {MAIL}"


def test_kept_contact_columns_are_sealed(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "l.csv",
        "name,WeChat ID,Witness phone 2,notes,shoe size\n"
        f"FICTIONAL Aygul Tursun,{WECHAT},{PHONE},FICTIONAL note,38\n",
    )
    import_file(store, path, source="FICTIONAL ngo", actor="t")
    assert WECHAT not in _everything_in_clear(store)
    with store.read() as conn:
        row = conn.execute(select(schema.person_records)).one()
    assert json.loads(row.extra) == {"shoe size": "38"}
    kept = json.loads(store.cipher.decrypt(row.extra_sealed) or "{}")
    assert kept["WeChat ID"] == WECHAT
    out = __import__("io").StringIO()
    export_table(store, "person_records", "jsonl", out)
    assert WECHAT not in out.getvalue() and "[encrypted]" in out.getvalue()


def test_a_mapping_can_seal_any_kept_column(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "l.csv", "name,informant\nFICTIONAL Aygul,FICTIONAL brother Memet\n")
    mapping = _write(
        tmp_path,
        "m.yml",
        "columns:\n  name: name\nkeep_columns: all\nsealed_columns: [informant]\n",
    )
    import_file(store, path, source="FICTIONAL ngo", actor="t", mapping_path=mapping)
    assert "brother Memet" not in _everything_in_clear(store)


def test_a_sealed_constant_is_not_kept_in_the_mapping(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "l.csv", "name\nFICTIONAL Aygul Tursun\n")
    mapping = _write(
        tmp_path, "m.yml", f"columns:\n  name: name\nconstants:\n  contact: '{PHONE}'\n"
    )
    import_file(store, path, source="FICTIONAL ngo", actor="t", mapping_path=mapping)
    assert PHONE not in _everything_in_clear(store)
    with store.read() as conn:
        kept = json.loads(conn.execute(select(schema.imports.c.mapping)).scalar_one())
    assert kept["constants"]["contact"] == "[sealed]"


def _echoes_phone(text: str) -> bool:
    """The phone's own digits, written either way: its "555" alone also turns up by chance
    in the random hex of an audit entry (a store id, a fingerprint)."""
    return "555 0100" in text or "5550100" in text


def test_errors_never_echo_a_sealed_value(store: Store, tmp_path: Path) -> None:
    ragged = _write(tmp_path, "r.csv", f"name,phone\nA,{PHONE},extra,cells\n")
    with pytest.raises(InputError) as err:
        import_file(store, ragged, source="FICTIONAL ngo", actor="t")
    assert not _echoes_phone(str(err.value))
    bad_json = _write(tmp_path, "j.json", f'[{{"name": "A", "phone": {{"n": "{PHONE}"}}}}]')
    with pytest.raises(InputError) as err:
        import_file(store, bad_json, source="FICTIONAL ngo", actor="t")
    assert not _echoes_phone(str(err.value))
    with store.read() as conn:
        details = "".join(r.detail for r in conn.execute(select(schema.audit)))
    assert not _echoes_phone(details)


def test_a_sensitive_field_without_a_sealed_column_is_refused(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declared sensitive in the model, a field must be sealed or not stored at all."""
    notes = next(f for f in fields.PERSON_RECORD_FIELDS if f.name == "notes")
    sensitive_notes = fields.Field("notes", sensitive=True, aliases=notes.aliases)
    changed = tuple(
        sensitive_notes if f.name == "notes" else f for f in fields.KINDS["person_record"]
    )
    monkeypatch.setitem(fields.KINDS, "person_record", changed)
    path = _write(tmp_path, "l.csv", "name,notes\nFICTIONAL A,FICTIONAL secret\n")
    with pytest.raises(StoreError, match="sensitive"):
        import_file(store, path, source="FICTIONAL ngo", actor="t")
    assert store.count(schema.person_records) == 0


def test_a_header_that_is_really_a_data_row_is_not_echoed(store: Store, tmp_path: Path) -> None:
    """A file without a header row: its first row is read as the header."""
    path = _write(tmp_path, "l.csv", f"FICTIONAL Aygul,{PHONE},{MAIL}\nFICTIONAL B,1,2\n")
    mapping = _write(tmp_path, "m.yml", "columns:\n  name: name\n")
    with pytest.raises(InputError) as err:
        import_file(store, path, source="FICTIONAL ngo", actor="t", mapping_path=mapping)
    assert not _echoes_phone(str(err.value)) and "example.invalid" not in str(err.value)
