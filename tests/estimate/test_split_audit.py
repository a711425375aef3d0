"""The split audit: its sample, its answers in the store, and its correction of the draws.

All data FICTIONAL: simulated populations and lists.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from credible.cli import app
from credible.config import Settings
from credible.errors import CredibleError
from credible.estimate import (
    ScoredLinkage,
    SplitAudit,
    answer_split_audit,
    correct_draw,
    draw_split_audit,
    estimate_in_store,
    estimate_with_draws,
    scored_linkage,
    split_rate,
    stored_split_audit,
)
from credible.estimate.splitaudit import one_list_persons
from credible.ingest import import_manifest
from credible.linkage import LinkSettings, run_link
from credible.simulate import simulate
from credible.store import Store, latest_run, verify


def _split_population(seed: int, people: int = 800, split: float = 0.3) -> dict:
    """FICTIONAL: ``people`` persons on 3 lists, captured independently; a share
    ``split`` of the persons seen on two or more lists are cut in two by a "linkage"
    that never scored the pair (a split blocking never proposed). Returns the stored
    linkage (with the splits), the truth, and certain pairs for what was linked."""
    rng = np.random.default_rng(seed)
    rows = []
    for person in range(people):
        for j in np.flatnonzero(rng.random(3) < [0.45, 0.4, 0.35]):
            rows.append((person, f"list{j}"))
    records = pd.DataFrame(rows, columns=["true_person", "source"])
    records["record_id"] = np.arange(len(records)) + 1
    stored = records["true_person"].to_numpy().copy()
    multi = records.groupby("true_person")["source"].nunique()
    cut = set(multi[(multi > 1) & (rng.random(len(multi)) < split)].index.tolist())
    for person in cut:
        # the person's first record becomes a Person of its own
        first = records.index[records["true_person"] == person][0]
        stored[first] = people + person
    records["person_id"] = stored
    pairs = []
    for _, grp in records.groupby("person_id"):
        ids = grp["record_id"].tolist()
        pairs += [(a, b, 1.0) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    frame = pd.DataFrame(pairs, columns=["record_id_l", "record_id_r", "match_probability"])
    return {"records": records, "pairs": frame, "people": people}


def _answered_audit(pop: dict, size: int, seed: int) -> SplitAudit:
    """A reviewer with perfect search answers a uniform sample of one-list Persons."""
    records = pop["records"]
    frame = one_list_persons(records)
    rng = np.random.default_rng(seed)
    sample = [int(r) for r in rng.choice(frame["record_id"], size=size, replace=False)]
    by_id = records.set_index("record_id")
    answers: dict[int, int | None] = {}
    for rec in sample:
        truth, person = by_id.loc[rec, "true_person"], by_id.loc[rec, "person_id"]
        others = records[(records["true_person"] == truth) & (records["person_id"] != person)]
        answers[rec] = int(others["record_id"].iloc[0]) if len(others) else None
    return SplitAudit(tuple(sample), answers)


def _scored(pop: dict) -> ScoredLinkage:
    return ScoredLinkage(pop["records"].drop(columns=["true_person"]), pop["pairs"], 0.5)


def test_the_correction_moves_the_estimate_towards_the_truth() -> None:
    pop = _split_population(1)
    scored = _scored(pop)
    audit = _answered_audit(pop, 150, 2)
    rate = split_rate(scored, audit)
    assert rate.found > 0 and rate.audited == 150
    truth = pop["records"].assign(person_id=pop["records"]["true_person"])
    methods = ["Mt", "chapman"]
    plain = estimate_with_draws(scored, 6, methods, seed=3)
    corrected = estimate_with_draws(scored, 6, methods, seed=3, audit=audit)
    true_run = estimate_with_draws(
        ScoredLinkage(truth.drop(columns=["true_person"]), pop["pairs"].iloc[:0], 0.5),
        0,
        methods,
        seed=3,
    )
    by = {e.method: e for e in true_run.overall()}
    for p, c in zip(plain.overall(), corrected.overall(), strict=True):
        # splits inflate the count; the correction brings it down, nearer the truth,
        # and the audit's sampling error enters the interval (the linkage is certain:
        # without the audit the draws add nothing)
        assert c.estimate < p.estimate
        assert abs(c.estimate - by[c.method].estimate) < abs(p.estimate - by[c.method].estimate)
        assert p.diagnostics["linkage"]["linkage_share"] == 0.0
        assert c.diagnostics["linkage"]["linkage_share"] > 0.0
    # fewer persons in the corrected draws than in the stored (split) linkage
    info = corrected.linkage
    assert info["persons_drawn"]["mean"] < info["persons_fixed"]
    assert info["split_audit"]["used"] and info["split_audit"]["found"] == rate.found


def test_an_audit_that_finds_nobody_barely_moves_anything() -> None:
    pop = _split_population(4, split=0.0)
    scored = _scored(pop)
    audit = _answered_audit(pop, 150, 5)
    assert split_rate(scored, audit).found == 0
    labels = scored.fixed_labels()
    rng = np.random.default_rng(0)
    rate = split_rate(scored, audit)
    joined = [
        labels.max() - correct_draw(scored, labels, rate, list(audit.answers), rng).max()
        for _ in range(50)
    ]
    # a Jeffreys posterior with no finds still allows a rate of well under 1%
    frame = len(one_list_persons(scored.records))
    assert np.mean(joined) < 0.01 * frame


def test_audited_persons_are_never_taken_as_fragments_and_the_finds_always_join() -> None:
    pop = _split_population(6)
    scored = _scored(pop)
    audit = _answered_audit(pop, 120, 7)
    run = estimate_with_draws(scored, 3, ["Mt"], seed=1, audit=audit)
    assert run.linkage["split_audit"]["used"]
    from credible.estimate import draw_linkages
    from credible.estimate.linkdraws import Decision

    with_finds = ScoredLinkage(
        scored.records,
        scored.pairs,
        0.5,
        [Decision(a, b, True) for a, b in audit.answers.items() if b is not None],
    )
    labels = draw_linkages(with_finds, 5, np.random.default_rng(2))
    pos = {int(r): i for i, r in enumerate(scored.records["record_id"])}
    rate = split_rate(scored, audit)
    rng = np.random.default_rng(8)
    for row in labels:
        out = correct_draw(with_finds, row, rate, list(audit.answers), rng)
        for rec, found in audit.answers.items():
            if found is not None:
                assert out[pos[rec]] == out[pos[found]]
            else:
                # not found: still a Person of its own records only
                mates = np.flatnonzero(out == out[pos[rec]])
                assert set(mates) == set(np.flatnonzero(row == row[pos[rec]]))


def test_same_seed_same_corrected_estimate() -> None:
    pop = _split_population(9)
    scored = _scored(pop)
    audit = _answered_audit(pop, 100, 1)
    a = estimate_with_draws(scored, 4, ["Mt", "chapman"], seed=7, audit=audit)
    b = estimate_with_draws(scored, 4, ["Mt", "chapman"], seed=7, audit=audit)
    c = estimate_with_draws(scored, 4, ["Mt", "chapman"], seed=8, audit=audit)
    assert [e.to_dict() for e in a.estimates] == [e.to_dict() for e in b.estimates]
    assert [e.estimate for e in a.estimates] != [e.estimate for e in c.estimates]


# ---- against a real store ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(people=300, lists=4, seed=9, out=out)
    return out


def _cli(settings: Settings, *args: str) -> tuple[int, str, BaseException | None]:
    res = CliRunner().invoke(app, ["--db", settings.db_url, *args], terminal_width=200)
    return res.exit_code, res.output, res.exception


def test_audit_drawn_once_answered_in_the_store_and_used_by_estimate(
    store: Store, sim: Path, settings: Settings, tmp_path: Path
) -> None:
    list(import_manifest(store, sim, actor="tester", lists_only=True))
    run_link(store, LinkSettings(threads=1, max_pairs=1e5), "tester")
    code, out, exc = _cli(settings, "split-audit", "draw", "--size", "20", "--seed", "4")
    assert code == 0, (out, exc)
    audit = stored_split_audit(store)
    assert audit is not None and len(audit.sample) == 20
    # the sample is drawn once: drawing again is refused, and the stored sample stays
    with pytest.raises(CredibleError, match="already drawn"):
        draw_split_audit(store, "tester", 20, seed=5)
    again = stored_split_audit(store)
    assert again is not None and again.sample == audit.sample

    records = scored_linkage(store).records.set_index("record_id")
    first, second, third = audit.sample[:3]
    other = int(records.index[records["person_id"] != records.loc[first, "person_id"]][0])
    code, out, exc = _cli(settings, "split-audit", "answer", str(first), "--found", str(other))
    assert code == 0, (out, exc)
    answer_split_audit(store, "tester", second, None, note="searched all lists")
    with pytest.raises(CredibleError, match="not in split audit"):
        answer_split_audit(store, "tester", 10**9, None)
    code, _, exc = _cli(settings, "split-audit", "answer", str(third))
    assert code != 0 and "exactly one of" in str(exc)
    answers = stored_split_audit(store)
    assert answers is not None and answers.answers == {first: other, second: None}

    run, _ = estimate_in_store(store, "tester", ["Mt"], seed=2, linkage_draws=3)
    used = run.linkage["split_audit"]
    assert used["used"] and used["audited"] == 2 and used["found"] == 1
    code, out, exc = _cli(
        settings, "estimate", "--method", "Mt", "--linkage-draws", "3", "--out", str(tmp_path / "o")
    )
    assert code == 0, (out, exc)
    assert "split audit" in out and "1 of 2" in out
    assert "A split audit (run" in (tmp_path / "o" / "estimate.html").read_text()

    # a new sample, asked for: the first audit and its answers stay on record
    draw_split_audit(store, "tester", 10, seed=6, new=True)
    with store.read() as conn:
        latest = latest_run(conn, "split-audit")
        assert latest is not None and latest.parameters["replaces"] == audit.audit_run
        assert verify(conn).ok
    fresh = stored_split_audit(store)
    assert fresh is not None and fresh.answers == {}
    unanswered, _ = estimate_in_store(store, "tester", ["Mt"], seed=2, linkage_draws=2)
    assert not unanswered.linkage["split_audit"]["used"]


def test_each_lists_fragments_follow_that_lists_own_rate() -> None:
    """Splits are not spread evenly over the lists: a list whose sampled Persons were
    all found elsewhere loses many of its one-list Persons as fragments, one whose
    sampled Persons were never found hardly any (a pooled rate would treat them alike)."""
    from credible.estimate.splitaudit import SplitRate

    rng = np.random.default_rng(8)
    rows = [
        (person, f"list{j}")
        for person in range(1_500)
        for j in np.flatnonzero(rng.random(3) < [0.5, 0.5, 0.5])
    ]
    records = pd.DataFrame(rows, columns=["person_id", "source"])
    records["record_id"] = np.arange(len(records)) + 1
    scored = ScoredLinkage(records, pd.DataFrame(
        columns=["record_id_l", "record_id_r", "match_probability"]), 0.5)  # fmt: skip
    labels = scored.fixed_labels()
    src = scored.records["source"].astype(str).to_numpy()
    rate = SplitRate(
        frame=len(one_list_persons(records)), audited=80, found=40, partner_one_list=0,
        drawn_on=None, link_run=None, sampled=80,
        by_list=(("list0", 40, 40), ("list1", 40, 0)),
    )  # fmt: skip
    lists_before = {int(k): frozenset(v) for k, v in pd.Series(src).groupby(labels)}
    one_list = {m for m, lists in lists_before.items() if len(lists) == 1}
    lost = {"list0": 0, "list1": 0, "list2": 0}
    for seed in range(5):
        after = correct_draw(scored, labels, rate, [], np.random.default_rng(seed))
        for m in one_list:
            members = np.unique(labels[after == after[labels == m][0]])
            if len(members) > 1:
                lost[next(iter(lists_before[m]))] += 1
    per_draw = {k: v / 5 for k, v in lost.items()}
    n = {k: sum(lists_before[m] == {k} for m in one_list) for k in lost}
    assert per_draw["list0"] > 0.8 * n["list0"]  # rate ~ Beta(40.5, 0.5)
    assert per_draw["list1"] < 0.1 * n["list1"]  # rate ~ Beta(0.5, 40.5)
    # list2, none of its Persons sampled, at the pooled rate of one half
    assert 0.3 * n["list2"] < per_draw["list2"] < 0.7 * n["list2"]
