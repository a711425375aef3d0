"""Exports: sealed values stay sealed unless revealed (and a reveal is audited); CSV meant
for spreadsheets carries no live formula."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from credible.store import Store, schema
from credible.store.audit import now
from credible.store.export import export_table, neutralised


def _records(store: Store) -> None:
    with store.write("tester") as uow:
        sid = uow.insert(schema.sources, name="FICTIONAL list", created_at=now())
        uow.insert(
            schema.person_records,
            source_id=sid,
            name='=HYPERLINK("http://example.invalid","FICTIONAL")',
            notes="-12.5",
            contact=store.cipher.encrypt("+1 555 0100"),
        )


def _csv(store: Store, **kwargs: object) -> list[dict[str, str]]:
    out = io.StringIO()
    export_table(store, "person_records", "csv", out, **kwargs)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_formulas_are_neutralised_in_csv_numbers_are_not(store: Store) -> None:
    _records(store)
    (row,) = _csv(store, neutralise_formulas=True)
    assert row["name"].startswith("'=HYPERLINK")
    assert row["notes"] == "-12.5"
    (raw,) = _csv(store, neutralise_formulas=False)
    assert raw["name"].startswith("=HYPERLINK")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@given(st.text())
def test_a_neutralised_value_never_starts_a_formula(value: str) -> None:
    out = neutralised(value)
    assert out in (value, "'" + value)
    if out == value and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert _is_number(value)  # only a number is left as it is


def test_sealed_values_stay_sealed_and_a_reveal_is_audited(store: Store) -> None:
    _records(store)
    (row,) = _csv(store)
    assert row["contact"] == "[encrypted]"
    (shown,) = _csv(store, reveal_sensitive=True, actor="auditor")
    assert shown["contact"] == "+1 555 0100"
    with store.read() as conn:
        last = conn.execute(select(schema.audit).order_by(schema.audit.c.id.desc()).limit(1)).one()
    assert (last.action, last.entity, last.actor) == ("reveal", "person_records", "auditor")
    # The phone's own digits (its "555" alone can turn up in the detail's random hex).
    assert "555 0100" not in last.detail and "5550100" not in last.detail
    out = io.StringIO()
    export_table(store, "audit", "jsonl", out)
    assert "555 0100" not in out.getvalue()
    assert all(json.loads(line) for line in out.getvalue().splitlines())
