"""Linkage results feed estimation through the store, and estimation runs are recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from credible.errors import NotFoundError
from credible.estimate.stored import estimate_in_store
from credible.store import Store, schema
from credible.store.audit import now
from credible.store.linked import linked_records
from credible.store.runs import finish_run, latest_run, start_run

# FICTIONAL: which lists document which person (person -> sources).
MEMBERSHIP = {
    1: ["a", "b", "c"],
    2: ["a", "b"],
    3: ["a"],
    4: ["b", "c"],
    5: ["c"],
    6: ["a", "c"],
    7: ["a"],
    8: ["b"],
    9: ["a", "b", "c"],
    10: ["c"],
    11: ["a", "b"],
    12: ["b"],
}


def _link_run(store: Store) -> int:
    with store.write("tester") as uow:
        src = {n: uow.insert(schema.sources, name=n, created_at=now()) for n in ("a", "b", "c")}
        run = start_run(uow, "link", "splink", {"threshold": 0.9}, seed=1)
        for person, lists in MEMBERSHIP.items():
            pid = uow.insert(schema.persons, run_id=run, size=len(lists))
            for s in lists:
                rid = uow.insert(
                    schema.person_records,
                    source_id=src[s],
                    name=f"P{person}",
                    sex="female" if person % 2 else "male",
                    detained="2018",
                    detained_min=dt.date(2018, 1, 1),
                    detained_max=dt.date(2018, 12, 31),
                )
                uow.insert(schema.person_members, person_id=pid, record_id=rid)
        finish_run(uow, run, {})
    return run


def test_linked_records_needs_a_link_run(store: Store) -> None:
    with pytest.raises(NotFoundError, match="credible link"):
        linked_records(store)


def test_linked_records_list_every_membership_with_strata(store: Store) -> None:
    run = _link_run(store)
    frame = linked_records(store)
    assert frame.attrs["run_id"] == run
    assert len(frame) == sum(len(v) for v in MEMBERSHIP.values())
    assert frame.groupby("person_id")["source"].apply(sorted).map(tuple).value_counts().sum() == 12
    assert set(frame["detained_year"]) == {"2018"}
    assert set(frame["sex"]) == {"male", "female"}


def test_estimation_runs_are_recorded_and_reproducible(store: Store) -> None:
    _link_run(store)
    first, run_a = estimate_in_store(store, "tester", ["chapman", "loglinear"], seed=5)
    second, run_b = estimate_in_store(store, "tester", ["chapman", "loglinear"], seed=5)
    assert run_a != run_b
    assert [e.estimate for e in first.estimates] == [e.estimate for e in second.estimates]
    assert first.n_observed == len(MEMBERSHIP)
    with store.read() as conn:
        info = latest_run(conn, "estimate")
    assert info is not None and info.seed == 5
    assert info.parameters["link_run"] is not None
    assert info.input_fingerprint == first.fingerprint
    assert info.results is not None
    assert info.results["estimates"] == json.loads(json.dumps(first.to_dict()["estimates"]))
