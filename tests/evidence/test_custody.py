"""Signed custody: every event signed with the organisation's key and bound to the one
before; edits, removals, reorderings and swapped signatures are named; reading a sealed
file is an event; events from before signing are signed at upgrade and marked."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update
from tests.evidence.local_tsa import fictional_evidence

from credible.config import Settings
from credible.evidence import add_evidence, custody_report, export_file, transfer
from credible.store import (
    CustodyEvent,
    Keyring,
    Store,
    check_chain,
    export_table,
    init_store,
    make_engine,
    rotate_key,
    schema,
    verify,
)
from credible.store.audit import GENESIS, canonical_json, entry_hash, row_hash
from credible.store.custody import custody_message
from credible.store.migrate import upgrade

SRC = Path(__file__).resolve().parents[2] / "src" / "credible"
CONTENT = b"FICTIONAL photograph bytes \x00\x01\x02"


def _evidence(store: Store, tmp_path: Path, content: bytes = CONTENT) -> int:
    return fictional_evidence(store, tmp_path, content, note="handed over by hand")


def _four_events(store: Store, tmp_path: Path) -> int:
    eid = _evidence(store, tmp_path)
    again = tmp_path / "again.jpg"
    again.write_bytes(CONTENT)
    add_evidence(store, again, source="FICTIONAL testimony", actor="second")
    transfer(store, [eid], "FICTIONAL partner NGO", "for their archive", "tester")
    export_file(store, eid, tmp_path / "out.jpg", reason="expert review", actor="reviewer")
    return eid


def test_every_event_is_signed_and_bound_to_the_one_before(store: Store, tmp_path: Path) -> None:
    eid = _four_events(store, tmp_path)
    r = custody_report(store, eid)
    assert [(e.seq, e.action, e.actor) for e in r.events] == [
        (1, "acquired", "tester"),
        (2, "acquired_again", "second"),
        (3, "transferred", "tester"),
        (4, "exported", "reviewer"),
    ]
    assert r.events[0].reason == "handed over by hand"
    assert r.events[2].reason == "for their archive" and "partner NGO" in (
        r.events[2].details or ""
    )
    assert r.problems == [] and r.ok
    assert [e.prev_hash for e in r.events] == [GENESIS] + [e.hash for e in r.events[:-1]]
    assert all(e.key_fingerprint == store.keys.fingerprint for e in r.events)
    assert not any(e.signed_late for e in r.events)
    assert (tmp_path / "out.jpg").read_bytes() == CONTENT
    with store.read() as conn:
        assert verify(conn, public_key=store.keys.public_key).ok


def _tamper(store: Store, eid: int, kind: str) -> None:
    c = schema.custody_events
    with store.engine.connect() as conn:
        conn.execution_options(credible_write=True)
        with conn.begin():
            rows = {r.seq: r for r in conn.execute(select(c).where(c.c.evidence_id == eid))}
            if kind == "edited":
                conn.execute(update(c).where(c.c.id == rows[2].id).values(actor="someone else"))
            elif kind == "removed":
                conn.execute(c.delete().where(c.c.id == rows[2].id))
            elif kind == "reordered":
                for row_id, seq in ((rows[2].id, 99), (rows[3].id, 2), (rows[2].id, 3)):
                    conn.execute(update(c).where(c.c.id == row_id).values(seq=seq))
            elif kind == "signature":
                a, b = rows[2], rows[3]
                conn.execute(update(c).where(c.c.id == a.id).values(signature=b.signature))
                conn.execute(update(c).where(c.c.id == b.id).values(signature=a.signature))


@pytest.mark.parametrize("kind", ["edited", "removed", "reordered", "signature"])
def test_tampering_behind_the_stores_back_is_named(store: Store, tmp_path: Path, kind: str) -> None:
    eid = _four_events(store, tmp_path)
    _tamper(store, eid, kind)
    r = custody_report(store, eid)
    assert not r.ok
    kinds = {p.kind for p in r.problems}
    # In the store the order is the events' numbers: to reorder is to renumber, an edit.
    assert kinds == ({"reordered", "edited"} if kind == "reordered" else {kind}), [
        str(p) for p in r.problems
    ]
    with store.read() as conn:  # the audit chain, which vouches for the rows, agrees
        assert not verify(conn, public_key=store.keys.public_key).ok


def test_reading_a_sealed_file_or_its_text_is_a_custody_event(store: Store, tmp_path: Path) -> None:
    one = _evidence(store, tmp_path)
    two = _evidence(store, tmp_path, b"FICTIONAL second file")
    export_table(store, "evidence", "csv", io.StringIO(), actor="tester")
    assert [e.action for e in custody_report(store, one).events] == ["acquired"]
    export_table(store, "evidence", "csv", io.StringIO(), reveal_sensitive=True, actor="reader")
    for eid in (one, two):
        last = custody_report(store, eid).events[-1]
        assert (last.action, last.actor) == ("accessed", "reader")
        assert "reveal" in (last.reason or "")
    export_file(store, two, tmp_path / "two.bin", reason="court request 12", actor="clerk")
    last = custody_report(store, two).events[-1]
    assert (last.action, last.actor, last.reason) == ("exported", "clerk", "court request 12")
    assert custody_report(store, two).ok


def test_a_refused_export_writes_nothing_and_records_nothing(store: Store, tmp_path: Path) -> None:
    eid = _evidence(store, tmp_path)
    out = tmp_path / "exists.bin"
    out.write_bytes(b"FICTIONAL other")
    from credible.errors import ConfigError, IntegrityError

    with pytest.raises(ConfigError, match="never overwritten"):
        export_file(store, eid, out, reason=None, actor="t")
    vault_file = store.vault.path_for(hashlib.sha256(CONTENT).hexdigest())
    vault_file.chmod(0o600)
    damaged = bytearray(vault_file.read_bytes())
    damaged[-3] ^= 1
    vault_file.write_bytes(bytes(damaged))
    with pytest.raises(IntegrityError):
        export_file(store, eid, tmp_path / "new.bin", reason=None, actor="t")
    assert not (tmp_path / "new.bin").exists()
    assert not list(tmp_path.glob(".new.bin.part-*"))
    assert [e.action for e in custody_report(store, eid).events] == ["acquired"]


def test_events_signed_before_a_key_rotation_still_hold(store: Store, tmp_path: Path) -> None:
    eid = _evidence(store, tmp_path)
    old = store.keys.fingerprint
    rotate_key(store, "tester")
    transfer(store, [eid], "FICTIONAL court", "subpoena", "tester")
    r = custody_report(store, eid)
    assert [e.key_fingerprint for e in r.events] == [old, store.keys.fingerprint]
    assert old != store.keys.fingerprint
    assert r.ok, [str(p) for p in r.problems]


def test_only_the_signing_function_writes_custody_events() -> None:
    writes = re.compile(r"(insert|update)\(\s*(schema\.)?custody_events")
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts
        and p.name != "custody.py"
        and writes.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _old_store_with_unsigned_custody(settings: Settings) -> None:
    """A store as credible wrote it at schema 0008: custody events without signatures,
    each with its audit entry."""
    engine = make_engine(settings.db_url)
    upgrade(engine, "0008")
    prev = GENESIS
    at = "2025-03-01T10:00:00+00:00"
    statements = [
        ("sources", 1, "INSERT INTO sources (id, name, kind, reliability, confidentiality, "
         "created_at) VALUES (1, 'FICTIONAL archive', 'other', 'C', 'restricted', :at)"),
        ("evidence", 1, "INSERT INTO evidence (id, sha256, size, original_name, source_id, "
         f"acquired_at, acquired_by) VALUES (1, '{'b' * 64}', 3, 'a.csv', 1, :at, 'old')"),
        ("custody_events", 1, "INSERT INTO custody_events (id, evidence_id, at, actor, action, "
         "details) VALUES (1, 1, :at, 'old', 'acquired', '{\"original_name\": \"a.csv\"}')"),
        ("custody_events", 2, "INSERT INTO custody_events (id, evidence_id, at, actor, action, "
         "details) VALUES (2, 1, :at, 'old', 'imported', '{\"rows\": 3}')"),
    ]  # fmt: skip
    with engine.connect() as conn:
        conn.execution_options(credible_write=True)
        with conn.begin():
            for n, (table, row_id, sql) in enumerate(statements, start=1):
                conn.execute(text(sql), {"at": at})
                row = conn.execute(text(f"SELECT * FROM {table} WHERE id = {row_id}")).one()
                detail = canonical_json({"row_hash": row_hash(tuple(row)), "values": {}})
                h = entry_hash(prev, at, "old", "insert", table, row_id, detail)
                conn.execute(
                    text(
                        "INSERT INTO audit (id, at, actor, action, entity, entity_id, detail, "
                        "prev_hash, hash) VALUES (:i, :at, 'old', 'insert', :e, :r, :d, :p, :h)"
                    ),
                    {"i": n, "at": at, "e": table, "r": row_id, "d": detail, "p": prev, "h": h},
                )
                prev = h
    engine.dispose()


def test_old_unsigned_events_are_signed_at_upgrade_and_marked(settings: Settings) -> None:
    _old_store_with_unsigned_custody(settings)
    Keyring.generate(settings.key_file)
    store, before, _ = init_store(settings)
    try:
        assert before == "0008"
        r = custody_report(store, 1)
        assert [(e.seq, e.action) for e in r.events] == [(1, "acquired"), (2, "imported")]
        assert all(e.signed_late and e.signed_at > e.at for e in r.events)
        assert r.ok, [str(p) for p in r.problems]
        with store.read() as conn:
            assert verify(conn, public_key=store.keys.public_key).ok
        signed = store.count(schema.custody_events)
        init_store(settings)[0].close()  # a second init signs nothing again
        assert store.count(schema.custody_events) == signed
        assert custody_report(store, 1).events == r.events
    finally:
        store.close()


# ---- the chain's check as a property, on chains built in memory ----------------------

_KEY = Keyring(Path("unused"), b"Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXktLTA=")
_SHA = "c" * 64


def _chain(actions: list[str]) -> list[CustodyEvent]:
    events, prev = [], GENESIS
    for seq, action in enumerate(actions, 1):
        at = f"2026-01-01T00:00:{seq:02d}+00:00"
        msg = custody_message(_SHA, seq, at, "FICTIONAL clerk", action, None, None, at, prev)
        h = hashlib.sha256(msg).hexdigest()
        events.append(
            CustodyEvent(seq, at, "FICTIONAL clerk", action, None, None, at, prev, h,
                         _KEY.sign(msg).hex(), _KEY.fingerprint)
        )  # fmt: skip
        prev = h
    return events


_ACTIONS = st.lists(
    st.sampled_from(["acquired", "accessed", "exported", "transferred"]), min_size=2, max_size=8
)


@settings(max_examples=40, deadline=None)
@given(actions=_ACTIONS, data=st.data())
def test_any_removal_or_reordering_of_a_chain_is_found(actions: list[str], data: st.DataObject):
    keys = {_KEY.fingerprint: _KEY.public_key}
    chain = _chain(actions)
    assert check_chain(_SHA, chain, keys) == []
    n = len(chain)
    gone = data.draw(st.integers(0, n - 2), label="removed")  # the last needs the manifest
    assert check_chain(_SHA, chain[:gone] + chain[gone + 1 :], keys)
    assert check_chain(_SHA, chain[:-1], keys, expect_count=n)
    i, j = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    swapped = list(chain)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert check_chain(_SHA, swapped, keys)


def test_the_source_page_checks_the_chain_it_shows(store: Store, tmp_path: Path) -> None:
    from credible.catalog import source
    from credible.web.models import SourceDetail

    eid = _four_events(store, tmp_path)
    source_id = _source_of(store, eid)
    shown = SourceDetail.model_validate(source(store, source_id))
    (file,) = [e for e in shown.evidence if e.id == eid]
    assert file.custody_intact and file.custody_problems == []
    assert [c.action for c in file.custody] == [
        "acquired", "acquired_again", "transferred", "exported",
    ]  # fmt: skip
    assert file.custody[2].reason == "for their archive"

    _tamper(store, eid, "edited")
    (file,) = [e for e in SourceDetail.model_validate(source(store, source_id)).evidence]
    assert not file.custody_intact
    assert any("edited after it was signed" in p for p in file.custody_problems)


def _source_of(store: Store, eid: int) -> int:
    e = schema.evidence
    with store.read() as conn:
        return int(conn.execute(select(e.c.source_id).where(e.c.id == eid)).scalar_one())
