"""Runs are stored with what produced them; judgements are append-only."""

from __future__ import annotations

from credible import __version__
from credible.store import Store, schema, verify
from credible.store.audit import now
from credible.store.runs import (
    add_judgement,
    fingerprint,
    finish_run,
    latest_run,
    live_judgements,
    retract_judgement,
    start_run,
)


def _records(store: Store, n: int) -> list[int]:
    with store.write("tester") as uow:
        sid = uow.insert(schema.sources, name="FICTIONAL", created_at=now())
        return [uow.insert(schema.person_records, source_id=sid, name=f"P{i}") for i in range(n)]


def test_run_keeps_parameters_seed_version_and_fingerprint(store: Store) -> None:
    fp = fingerprint([(1, "a"), (2, "b")])
    with store.write("tester") as uow:
        run = start_run(uow, "link", "splink", {"threshold": 0.9}, seed=7, input_fingerprint=fp)
        finish_run(uow, run, {"pairs": 3})
    with store.read() as conn:
        info = latest_run(conn, "link")
    assert info is not None
    assert (info.id, info.seed, info.input_fingerprint) == (run, 7, fp)
    assert info.parameters == {"threshold": 0.9}
    assert info.results == {"pairs": 3}
    assert info.software_version == __version__


def test_fingerprint_depends_on_content_and_order() -> None:
    assert fingerprint([(1, "a"), (2, "b")]) == fingerprint([(1, "a"), (2, "b")])
    assert fingerprint([(1, "a"), (2, "b")]) != fingerprint([(2, "b"), (1, "a")])
    assert fingerprint([(1, "a")]) != fingerprint([(1, "b")])


def test_judgements_are_appended_and_retracted_never_edited(store: Store) -> None:
    a, b, c = _records(store, 3)
    with store.write("reviewer") as uow:
        j1 = add_judgement(uow, b, a, "positive", "same father, same county")
        add_judgement(uow, a, c, "negative")
    with store.write("reviewer") as uow:
        retract_judgement(uow, j1, "second look: different birth years")
    with store.read() as conn:
        live = live_judgements(conn)
        assert {(j.record_l, j.record_r, j.decision) for j in live} == {(a, c, "negative")}
        assert verify(conn).ok
    assert store.count(schema.judgements) == 3


def test_the_latest_run_is_read_again_when_another_finishes(store: Store) -> None:
    with store.write("tester") as uow:
        first = start_run(uow, "link", "splink", {"threshold": 0.9})
        finish_run(uow, first, {"pairs": 3})
    with store.read() as conn:
        info = latest_run(conn, "link")
        assert info is not None and info.id == first
        assert latest_run(conn, "link") is info  # a finished run is read once
    with store.write("tester") as uow:
        second = start_run(uow, "link", "splink", {"threshold": 0.8})
    with store.read() as conn:
        assert latest_run(conn, "link") is info  # the new one is not finished
        running = latest_run(conn, "link", status="running")
        assert running is not None and running.id == second
    with store.write("tester") as uow:
        finish_run(uow, second, {"pairs": 4})
    with store.read() as conn:
        now_latest = latest_run(conn, "link")
    assert now_latest is not None and now_latest.id == second
    assert now_latest.parameters == {"threshold": 0.8} and now_latest.results == {"pairs": 4}
