"""Linkage draws: drawn linkages, their combination, and the run against a real store."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

from credible.cli import app
from credible.config import Settings
from credible.errors import CredibleError
from credible.estimate import (
    Decision,
    ScoredLinkage,
    draw_linkages,
    estimate_from_records,
    estimate_in_store,
    estimate_with_draws,
    pooled_posterior,
    render_html,
    rubin,
    scored_linkage,
)
from credible.ingest import import_manifest
from credible.linkage import Judgement, LinkSettings, cluster_pairs, recluster, run_link
from credible.simulate import simulate
from credible.store import Store, add_judgement, latest_run

FAST_LCMCR = {"burnin": 200, "samples": 200, "thinning": 2, "chains": 2}
QUICK = ["chapman", "loglinear", "Mth-Darroch", "lcmcr", "dga"]


def _population(seed: int, people: int = 600) -> tuple[pd.DataFrame, pd.DataFrame]:
    """FICTIONAL records of ``people`` persons on 3 lists, and pairs joining each
    person's records (probability 1) plus some false candidates (probability 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    for person in range(people):
        on = rng.random(3) < [0.5, 0.4, 0.45]
        for j in np.flatnonzero(on):
            for _ in range(1 + int(rng.random() < 0.1)):  # a list's own duplicates
                rows.append((person, f"list{j}"))
    records = pd.DataFrame(rows, columns=["person_id", "source"])
    records["record_id"] = np.arange(len(records)) + 1
    pairs = []
    for _, grp in records.groupby("person_id"):
        ids = grp["record_id"].tolist()
        pairs += [(a, b, 1.0) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    ids = records["record_id"].to_numpy()
    for a, b in rng.choice(ids, size=(people // 3, 2)):
        if a != b:
            pairs.append((int(a), int(b), 0.0))
    frame = pd.DataFrame(pairs, columns=["record_id_l", "record_id_r", "match_probability"])
    return records, frame


def _partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_certain_linkage_reproduces_the_fixed_result_exactly() -> None:
    records, pairs = _population(3)
    clusters = cluster_pairs(records["record_id"].tolist(), pairs, 0.4).clusters
    records["person_id"] = records["record_id"].map(
        dict(zip(clusters["record_id"], clusters["cluster_id"], strict=True))
    )
    scored = ScoredLinkage(records, pairs, 0.4)
    labels = draw_linkages(scored, 5, np.random.default_rng(1))
    fixed = _partition(scored.fixed_labels())
    assert all(_partition(row) == fixed for row in labels)
    with_draws = estimate_with_draws(scored, 5, QUICK, seed=4, lcmcr_settings=FAST_LCMCR)
    held = estimate_from_records(records, QUICK, seed=4, lcmcr_settings=FAST_LCMCR)
    for a, b in zip(with_draws.estimates, held.estimates, strict=True):
        assert (a.method, a.estimate, a.lower, a.upper) == (b.method, b.estimate, b.lower, b.upper)
        assert a.diagnostics["linkage"]["linkage_share"] == 0.0
        assert a.diagnostics["linkage"]["distinct_histories"] == 1


def _uncertain(seed: int) -> ScoredLinkage:
    records, pairs = _population(seed, 300)
    rng = np.random.default_rng(seed)
    pairs["match_probability"] = np.where(
        pairs["match_probability"] > 0, rng.uniform(0.3, 1.0, len(pairs)), rng.uniform(0, 0.5)
    )
    return ScoredLinkage(records, pairs, 0.4)


def test_draws_are_reproducible_for_a_seed_and_vary_between_seeds() -> None:
    scored = _uncertain(5)
    a = draw_linkages(scored, 4, np.random.default_rng(11))
    b = draw_linkages(scored, 4, np.random.default_rng(11))
    c = draw_linkages(scored, 4, np.random.default_rng(12))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    # the draws differ from one another: there is something to propagate
    assert len({tuple(row) for row in a}) > 1


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_accept=st.integers(0, 6),
    n_reject=st.integers(0, 6),
)
def test_reviewer_decisions_are_never_redrawn(seed: int, n_accept: int, n_reject: int) -> None:
    scored = _uncertain(seed % 50)
    rng = np.random.default_rng(seed)
    ids = scored.records["record_id"].to_numpy()
    chosen = rng.choice(ids, size=(n_accept + n_reject, 2), replace=False)
    decisions = [Decision(int(a), int(b), i < n_accept) for i, (a, b) in enumerate(chosen.tolist())]
    decided = ScoredLinkage(scored.records, scored.pairs, 0.4, decisions)
    labels = draw_linkages(decided, 6, np.random.default_rng(seed))
    pos = {int(r): i for i, r in enumerate(ids)}
    judgements = [
        Judgement(d.record_l, d.record_r, "accept" if d.accept else "reject") for d in decisions
    ]
    conflicts = cluster_pairs(ids.tolist(), scored.pairs.iloc[:0], 0.4, judgements).conflicts
    for d in decisions:
        together = labels[:, pos[d.record_l]] == labels[:, pos[d.record_r]]
        if d.accept and not conflicts:
            assert together.all()
        elif not d.accept:
            assert not together.any()
    # decided pairs are not among the pairs drawn
    assert decided.uncertain().sum() <= scored.uncertain().sum()


def test_rubins_rules_by_hand() -> None:
    q, lo, hi = [1000.0, 1100.0, 1060.0], [900.0, 980.0, 950.0], [1150.0, 1260.0, 1200.0]
    got = rubin(q, lo, hi, 0.95)
    z = stats.norm.ppf(0.975)
    qbar = (1000 + 1100 + 1060) / 3
    w = ((250 / (2 * z)) ** 2 + (280 / (2 * z)) ** 2 + (250 / (2 * z)) ** 2) / 3
    b = ((1000 - qbar) ** 2 + (1100 - qbar) ** 2 + (1060 - qbar) ** 2) / 2
    t = w + (1 + 1 / 3) * b
    r = (1 + 1 / 3) * b / w
    df = 2 * (1 + 1 / r) ** 2
    f = stats.t.ppf(0.975, df) / z * math.sqrt(t / w)
    a_bar = ((1000 - 900) + (1100 - 980) + (1060 - 950)) / 3
    b_bar = ((1150 - 1000) + (1260 - 1100) + (1200 - 1060)) / 3
    assert got["estimate"] == pytest.approx(qbar)
    assert got["within"] == pytest.approx(w)
    assert got["between"] == pytest.approx(b)
    assert got["df"] == pytest.approx(df)
    assert got["lower"] == pytest.approx(qbar - a_bar * f)
    assert got["upper"] == pytest.approx(qbar + b_bar * f)
    assert got["linkage_share"] == pytest.approx((1 + 1 / 3) * b / t)
    same = rubin([1000.0] * 3, [900.0] * 3, [1150.0] * 3, 0.95)
    assert (same["lower"], same["upper"], same["linkage_share"]) == pytest.approx((900, 1150, 0))


@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(500, 5000), st.floats(1, 500), st.floats(1, 800)
        ),  # estimate, distance down, distance up
        min_size=2,
        max_size=30,
    )
)
def test_rubin_never_narrows_the_mean_interval(draws: list[tuple[float, float, float]]) -> None:
    q = [d[0] for d in draws]
    got = rubin(q, [d[0] - d[1] for d in draws], [d[0] + d[2] for d in draws], 0.95)
    mean_width = float(np.mean([d[1] + d[2] for d in draws]))
    assert got["upper"] - got["lower"] >= mean_width * (1 - 1e-9)
    assert got["lower"] <= got["estimate"] <= got["upper"]
    assert 0 <= got["linkage_share"] <= 1


def test_pooled_posterior_is_the_mixture() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(1000, 10, 4000), rng.normal(1100, 10, 4000)
    got = pooled_posterior([a, b], 0.95)
    both = np.concatenate([a, b])
    assert got["lower"] == pytest.approx(np.quantile(both, 0.025))
    assert got["upper"] == pytest.approx(np.quantile(both, 0.975))
    # the spread between the two linkages dominates: (50^2) / (50^2 + 10^2)
    assert got["linkage_share"] == pytest.approx(2500 / 2600, rel=0.02)


def test_uncertain_linkage_widens_the_interval() -> None:
    scored = _uncertain(8)
    run = estimate_with_draws(scored, 8, ["chapman", "lcmcr"], seed=2, lcmcr_settings=FAST_LCMCR)
    for e in run.overall():
        info = e.diagnostics["linkage"]
        assert info["distinct_histories"] > 1
        assert 0 < info["linkage_share"] < 1
        assert e.upper - e.lower > info["fixed"]["upper"] - info["fixed"]["lower"]
    assert run.linkage["review"]["candidates"] > 0
    first = run.linkage["review"]["pairs"][0]
    assert 0 < first["probability"] < 1 and first["share_of_draws_differing"] > 0
    json.dumps(run.to_dict(), allow_nan=False)  # storable as it is
    page = render_html(run)
    assert "interval with linkage uncertainty" in page and "Review these pairs first" in page
    fixed = run.overall()[0].diagnostics["linkage"]["fixed"]
    assert f"{fixed['lower']:,.0f}–{fixed['upper']:,.0f}" in page
    correction = run.linkage["bias_correction"]
    assert correction["expected_false_links"] > 0 and correction["expected_missed_links"] > 0


def test_stratified_draws_combine_each_stratum_and_total() -> None:
    scored = _uncertain(13)
    records = scored.records.copy()
    records["region"] = np.where(records["person_id"] % 2 == 0, "north", "south")
    strat = ScoredLinkage(records, scored.pairs, 0.4)
    run = estimate_with_draws(strat, 4, ["chapman", "dga"], by="region", seed=1)
    slots = {(e.method, e.stratum, e.of_strata) for e in run.estimates}
    assert ("dga", "north", False) in slots and ("dga", None, True) in slots
    for e in run.estimates:
        info = e.diagnostics["linkage"]
        assert info["draws"] == 4 and info["usable_draws"] >= 1
        assert e.lower <= e.estimate <= e.upper


# ---- against a real store (SQLite and PostgreSQL) ------------------------------------------


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(people=300, lists=4, seed=9, out=out)
    return out


def _linked(store: Store, sim: Path) -> None:
    list(import_manifest(store, sim, actor="tester", lists_only=True))
    run_link(store, LinkSettings(threads=1, max_pairs=1e5), "tester")


def test_draws_from_a_stored_link_run(
    store: Store, sim: Path, settings: Settings, tmp_path: Path
) -> None:
    _linked(store, sim)
    scored = scored_linkage(store)
    assert scored.uncertain().sum() > 0
    # a reviewer decides the two most uncertain pairs, one each way
    unc = np.flatnonzero(scored.uncertain())
    order = unc[np.argsort(np.abs(scored.prob[unc] - 0.5))][:2]
    ids = scored.records["record_id"].to_numpy()
    (a1, b1), (a2, b2) = [(int(ids[scored.left[k]]), int(ids[scored.right[k]])) for k in order]
    with store.write("tester") as uow:
        add_judgement(uow, a1, b1, "positive")
        add_judgement(uow, a2, b2, "negative")
    recluster(store, "tester")
    decided = scored_linkage(store)
    assert len(decided.decisions) == 2
    labels = draw_linkages(decided, 8, np.random.default_rng(3))
    pos = {int(r): i for i, r in enumerate(decided.records["record_id"])}
    assert (labels[:, pos[a1]] == labels[:, pos[b1]]).all()
    assert not (labels[:, pos[a2]] == labels[:, pos[b2]]).any()

    run, _ = estimate_in_store(store, "tester", ["chapman", "Mt"], seed=5, linkage_draws=4)
    again, _ = estimate_in_store(store, "tester", ["chapman", "Mt"], seed=5, linkage_draws=4)
    assert [e.to_dict() for e in run.estimates] == [e.to_dict() for e in again.estimates]
    with store.read() as conn:
        stored = latest_run(conn, "estimate")
    assert stored is not None and stored.parameters["linkage_draws"] == 4
    results = stored.results or {}
    assert results["linkage"]["draws"] == 4
    assert results["linkage"]["decided_pairs"] == 2
    for e in results["estimates"]:
        assert set(e["diagnostics"]["linkage"]["fixed"]) == {"estimate", "lower", "upper"}
    held, _ = estimate_in_store(store, "tester", ["chapman"], seed=5, linkage_draws=0)
    assert held.linkage == {} and "linkage" not in held.estimates[0].diagnostics

    out = tmp_path / "cli"
    res = CliRunner().invoke(
        app,
        [
            *("--db", settings.db_url, "estimate", "--method", "Mt"),
            *("--linkage-draws", "3", "--out", str(out)),
        ],
        terminal_width=200,
    )
    assert res.exit_code == 0, res.output
    assert "3 linkages drawn" in res.output
    assert "2 decided by reviewers held fixed" in res.output
    page = (out / "estimate.html").read_text()
    assert "What the linkage" in page


def test_cli_rejects_draws_without_a_link_run(tmp_path: Path) -> None:
    csv = tmp_path / "h.csv"
    csv.write_text("a,b,c,count\n1,0,0,10\n0,1,0,12\n1,1,0,4\n0,0,1,9\n1,0,1,3\n")
    res = CliRunner().invoke(
        app,
        [
            "--db",
            str(tmp_path / "none.db"),
            "estimate",
            "--histories",
            str(csv),
            "--linkage-draws",
            "5",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code != 0
    assert isinstance(res.exception, CredibleError)  # main() prints it as a message
    assert "needs a link run" in str(res.exception)
    assert not (tmp_path / "o" / "estimate.json").exists()


def test_drawn_linkages_lcmcr_chains_start_where_the_stored_run_ended() -> None:
    from credible.estimate import histories_from_records
    from credible.estimate.lcmcr import ChainState, sample_lcmcr

    scored = _uncertain(5)
    run = estimate_with_draws(scored, 3, ["lcmcr"], seed=1, lcmcr_settings=FAST_LCMCR)
    assert run.linkage["lcmcr_per_draw"]["warm_start"]
    h = histories_from_records(scored.records).overall
    n = int(h.counts.sum())
    _, _, _, states = sample_lcmcr(
        h, np.random.default_rng(0), burnin=200, samples=20, thinning=1, chains=1
    )
    s = states[0]

    def first(start: ChainState | None, seed: int) -> np.ndarray:
        draws, _, _, _ = sample_lcmcr(
            h, np.random.default_rng(seed), burnin=0, samples=3, thinning=1, chains=1, start=start
        )
        return draws[0]

    # the same start and seed, the same chain
    assert np.array_equal(first(s, 4), first(s, 4))
    # a start is used: from a state with a hundred times as many unlisted as listed
    # the first capture probabilities are tiny and the first draw of N far above the
    # listed; from the run's own state, not
    k = len(s.count0)
    far = ChainState(s.lam, s.pi, s.alpha, 100 * n, np.full(k, 100 * n // k, dtype=np.int64))
    assert first(far, 4)[0] > 5 * n
    assert first(s, 4)[0] < 3 * n


def test_drawn_linkages_start_from_the_stored_runs_chains_in_turn() -> None:
    from credible.estimate.propagate import _nth

    starts = {None: ["a", "b", "c", "d"], "x": ["e"]}
    assert [_nth(starts, k)[None] for k in range(6)] == ["a", "b", "c", "d", "a", "b"]
    assert _nth(starts, 3)["x"] == "e"
