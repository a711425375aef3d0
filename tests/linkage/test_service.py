"""Linkage against real stores (SQLite and PostgreSQL) on FICTIONAL simulator output."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st
from sqlalchemy import select

from credible.config import Settings
from credible.errors import InputError, NotFoundError
from credible.ingest import import_manifest
from credible.linkage import (
    INPUT_COLUMNS,
    LinkSettings,
    decide,
    describe,
    evaluate_latest,
    explain,
    export_links,
    make_settings,
    recluster,
    review_items,
    run_link,
)
from credible.linkage import results as results_internals
from credible.linkage import service as svc
from credible.simulate import simulate
from credible.store import Store, finish_run, latest_run, now, schema, start_run, verify

FAST = LinkSettings(threads=1, max_pairs=1e5)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(people=400, lists=5, seed=7, out=out)
    return out


def import_sim(store: Store, settings: Settings, sim: Path) -> int:
    """Import the simulated person lists as the demo does; returns the records imported."""
    return sum(r.rows for r in import_manifest(store, sim, actor="tester", lists_only=True))


def persons_of(store: Store, run_id: int) -> dict[int, frozenset[int]]:
    """record id -> the set of records in its Person, for one run."""
    pm, ps = schema.person_members, schema.persons
    with store.read() as conn:
        rows = conn.execute(
            select(pm.c.record_id, pm.c.person_id)
            .join(ps, ps.c.id == pm.c.person_id)
            .where(ps.c.run_id == run_id)
        ).all()
    groups: dict[int, set[int]] = {}
    for rid, pid in rows:
        groups.setdefault(pid, set()).add(rid)
    return {rid: frozenset(g) for g in groups.values() for rid in g}


def check_export(store: Store, sim: Path, n: int, run_id: int) -> None:
    """``export links``: one row per record, its Person, its best score inside it."""
    buf = io.StringIO()
    assert export_links(store, "csv", buf) == n
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert list(rows[0]) == ["record_id", "source", "source_row", "person_id", "match_probability"]
    assert len({r["record_id"] for r in rows}) == n
    groups = persons_of(store, run_id)
    by_person: dict[str, set[int]] = {}
    for r in rows:
        by_person.setdefault(r["person_id"], set()).add(int(r["record_id"]))
    for r in rows:
        members = by_person[r["person_id"]]
        assert members == groups[int(r["record_id"])]
        if len(members) == 1:
            assert r["match_probability"] == ""
        else:
            assert float(r["match_probability"]) >= FAST.match_threshold
    truth = pd.read_csv(sim / "truth" / "records.csv").astype({"source_row": str})
    keys = {(r["source"], r["source_row"]) for r in rows}
    assert keys == set(zip(truth["source"], truth["source_row"], strict=True))
    lines = io.StringIO()
    export_links(store, "jsonl", lines)
    assert len(lines.getvalue().splitlines()) == n


def test_load_records_reads_every_record_in_input_shape(store, settings, sim) -> None:
    n = import_sim(store, settings, sim)
    records = svc.load_records(store)
    assert len(records) == n == store.count(schema.person_records)
    assert set(records.columns) <= set(INPUT_COLUMNS)
    assert records["record_id"].is_unique
    assert records["source"].notna().all() and records["source_row"].notna().all()
    subset = svc.load_records(store, [int(records["record_id"].iloc[0])])
    assert subset["record_id"].tolist() == [records["record_id"].iloc[0]]


@pytest.mark.slow
def test_link_run_is_stored_whole_and_reproducible(store, settings, sim) -> None:
    n = import_sim(store, settings, sim)
    first = run_link(store, FAST, "tester")
    with store.read() as conn:
        run = latest_run(conn, "link")
        assert verify(conn).ok
    assert run is not None and run.id == first.run_id
    assert (run.method, run.seed) == ("splink", FAST.seed)
    assert run.input_fingerprint and len(run.input_fingerprint) == 64
    assert run.parameters["settings"]["match_threshold"] == FAST.match_threshold
    assert run.parameters["model"]["comparisons"]
    assert run.results is not None and run.results["records"] == n
    assert store.count(schema.match_scores, run_id=first.run_id) == first.pairs_stored > 0
    assert store.count(schema.persons, run_id=first.run_id) == first.persons

    groups = persons_of(store, first.run_id)
    assert len(groups) == n  # every record in exactly one Person of the run
    assert first.merged_persons == len({g for g in groups.values() if len(g) > 1})
    assert n > first.persons > n // 3

    # The wiring is right only if records meet their true identities: a run joined to the
    # truth on the wrong rows would score near 0 (model quality is bench/linkage.py's job).
    run_id, metrics = evaluate_latest(store, sim)
    assert run_id == first.run_id and metrics.records == n
    assert metrics.pairwise_f1 > 0.3 and metrics.bcubed_f1 > 0.6, metrics

    second = run_link(store, FAST, "tester")
    assert second.run_id != first.run_id
    assert persons_of(store, second.run_id) == groups
    assert first.changes == {}
    assert second.changes == {"compared_with_run": first.run_id, "merged": 0, "split": 0}
    with store.read() as conn:
        assert latest_run(conn, "link").input_fingerprint == run.input_fingerprint  # type: ignore[union-attr]
    check_export(store, sim, n, second.run_id)


@pytest.mark.slow
def test_review_decisions_hold_after_recluster_and_rerun(store, settings, sim) -> None:
    import_sim(store, settings, sim)
    first = run_link(store, FAST, "tester")
    groups = persons_of(store, first.run_id)
    items = list(review_items(store, 3))
    assert len(items) == min(3, first.review_queue) > 0
    for item in items:
        assert FAST.review_lower <= item.match_probability < FAST.review_upper
        wf = item.waterfall()
        assert wf is not None
        assert wf.match_probability == pytest.approx(item.match_probability, abs=0.02)
        assert dict(describe(item.record_l))["romanised"]
    wf = explain(store, items[0].record_l["record_id"], items[0].record_r["record_id"])
    assert wf.steps and "total" in wf.to_text()
    with pytest.raises(NotFoundError, match="no person record"):
        explain(store, items[0].record_l["record_id"], "99999999")
    with store.read() as conn:
        scores = svc.stored_scores(conn, first.run_id)
    merged = scores[scores["match_probability"] >= FAST.match_threshold].iloc[0]
    pairs = zip(scores.record_id_l, scores.record_id_r, strict=True)
    apart = scores[[int(b) not in groups[int(a)] for a, b in pairs]]
    apart = apart.sort_values("match_probability").iloc[0]
    rejected = (int(merged.record_id_l), int(merged.record_id_r))
    accepted = (int(apart.record_id_l), int(apart.record_id_r))
    # Before review the model merged the one and kept the other apart.
    assert rejected[1] in groups[rejected[0]] and accepted[1] not in groups[accepted[0]]
    decide(store, "reviewer", *map(str, rejected), "reject", "different fathers")
    decide(store, "reviewer", *map(str, accepted), "accept")

    def holds(run_id: int) -> None:
        g = persons_of(store, run_id)
        assert rejected[1] not in g[rejected[0]]
        assert accepted[1] in g[accepted[0]]

    again = recluster(store, "reviewer")
    holds(again.run_id)
    assert again.judgements == 2
    assert again.changes["merged"] >= 1 and again.changes["split"] >= 1
    rerun = run_link(store, FAST, "tester")
    holds(rerun.run_id)
    with store.read() as conn:
        assert verify(conn).ok
    # Reviewed pairs leave the queue.
    reviewed = {tuple(sorted(p)) for p in (rejected, accepted)}
    queue = {
        tuple(sorted((int(i.record_l["record_id"]), int(i.record_r["record_id"]))))
        for i in review_items(store, 1000)
    }
    assert not queue & reviewed


def test_user_errors_are_credible_errors(store, settings, sim, tmp_path) -> None:
    with pytest.raises(NotFoundError, match="import"):
        run_link(store, FAST, "tester")
    for call in (
        lambda: results_internals.links_frame(store),
        lambda: evaluate_latest(store, sim),
        lambda: list(review_items(store)),
        lambda: explain(store, "1", "2"),
    ):
        with pytest.raises(NotFoundError, match="credible link"):
            call()
    with pytest.raises(InputError, match="truth"):
        results_internals.read_truth(tmp_path)
    (tmp_path / "records.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a truth file"):
        results_internals.read_truth(tmp_path)
    with pytest.raises(InputError):
        decide(store, "tester", "1", "2", "maybe")
    with pytest.raises(InputError):
        decide(store, "tester", "one", "2", "accept")
    with pytest.raises(Exception, match="match_threshold"):
        make_settings(match_threshold=1.5)


@settings_(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_stored_persons_and_links_round_trip(store, data) -> None:
    """Whatever the clustering and scores, the stored Persons are that partition and
    ``export links`` gives each record its best score inside its Person."""
    with store.read() as conn:
        ids = [int(r) for r in conn.execute(select(schema.person_records.c.id)).scalars()]
    if not ids:
        with store.write("tester") as uow:
            sid = uow.insert(schema.sources, name="FICTIONAL", created_at=now())
            ids = [
                uow.insert(schema.person_records, source_id=sid, source_row=i, name=f"P{i}")
                for i in range(1, 13)
            ]
    label = data.draw(st.lists(st.integers(0, 5), min_size=len(ids), max_size=len(ids)))
    cluster_of = {}
    for rid, lab in zip(ids, label, strict=True):
        cluster_of[rid] = min(r for r, g in zip(ids, label, strict=True) if g == lab)
    all_pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    chosen = data.draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=30))
    probs = data.draw(st.lists(st.floats(0.01, 1.0), min_size=len(chosen), max_size=len(chosen)))
    clusters = pd.DataFrame(
        {
            "record_id": ids,
            "cluster_id": [cluster_of[r] for r in ids],
            "match_probability": [0.99 if label.count(g) > 1 else None for g in label],
            "decided_by": ["model" if label.count(g) > 1 else None for g in label],
        }
    )
    pairs = pd.DataFrame(
        {
            "record_id_l": pd.Series([a for a, _ in chosen], dtype="int64"),
            "record_id_r": pd.Series([b for _, b in chosen], dtype="int64"),
            "match_probability": probs,
            "match_weight": [0.0] * len(chosen),
        }
    )
    with store.write("tester") as uow:
        run_id = start_run(uow, "link", "splink", {"settings": {}})
        svc._store_scores(uow, run_id, pairs)
        svc._store_persons(uow, run_id, clusters)
        finish_run(uow, run_id, {})

    links = results_internals.links_frame(store)
    assert sorted(links["record_id"].astype(int)) == sorted(ids)
    person = dict(zip(links["record_id"].astype(int), links["person_id"], strict=True))
    for a in ids:
        for b in ids:
            assert (person[a] == person[b]) == (cluster_of[a] == cluster_of[b])
    for rid, p in zip(links["record_id"].astype(int), links["match_probability"], strict=True):
        inside = [
            q
            for (a, b), q in zip(chosen, probs, strict=True)
            if rid in (a, b) and cluster_of[a] == cluster_of[b]
        ]
        size = sum(cluster_of[r] == cluster_of[rid] for r in ids)
        if size == 1:
            assert pd.isna(p)
        else:
            assert p == pytest.approx(max(inside) if inside else 0.99)
