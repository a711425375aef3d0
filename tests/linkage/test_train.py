"""End to end on DuckDB: train, predict, cluster, review, explain, reproduce."""

from __future__ import annotations

import pytest

from credible.errors import InputError
from credible.linkage import (
    Judgement,
    LinkSettings,
    apply_model,
    evaluate,
    explain_pair,
    prepare_records,
    train_and_predict,
)
from credible.linkage.datasets import febrl4

# Fewer u-sampling pairs than the default keeps the suite quick on two shared cores.
FAST = LinkSettings(threads=1, max_pairs=3e5)


@pytest.fixture(scope="module")
def run(febrl_small):
    records, truth = febrl_small
    prepared = prepare_records(records)
    return prepared, truth, train_and_predict(prepared, FAST)


def test_links_febrl_well(run):
    _, truth, result = run
    metrics = evaluate(result.clusters, truth)
    assert metrics.pairwise_f1 >= 0.9, metrics
    assert metrics.pairwise_precision >= 0.97, metrics
    sessions = result.metadata["em_sessions"]
    assert any(s.get("converged") for s in sessions), sessions
    assert all("iterations" in s or s["failed"] for s in sessions)
    list_aware = [s for s in sessions if "list-aware" in str(s["blocking_rule"])]
    assert list_aware and list_aware[0]["converged"] and list_aware[0]["settled"], sessions
    stored = result.model["credible"]["list_odds"]
    (aa, ab), (ba, bb) = stored["odds"]
    assert stored["lists"] == ["A", "B"] and ab == ba
    # everyone is in both files once: matches across them, hardly any within either
    assert 0 < aa < ab and bb < ab / 100, stored


def test_result_is_complete_and_traceable(run):
    prepared, _, result = run
    assert sorted(result.clusters["record_id"]) == sorted(prepared["record_id"])
    assert result.clusters[["source", "source_row"]].notna().all().all()
    assert (result.pairs["record_id_l"] < result.pairs["record_id_r"]).all()
    meta = result.metadata
    assert meta["input_fingerprint"] and meta["versions"]["splink"]
    assert LinkSettings.model_validate(meta["settings"]) == FAST
    assert result.model["comparisons"] and result.model["probability_two_random_records_match"]
    p = result.review["match_probability"]
    assert ((p >= FAST.review_lower) & (p < FAST.review_upper)).all()


@pytest.mark.slow
def test_second_run_on_same_input_is_reproducible(run):
    prepared, _, first = run
    again = train_and_predict(prepared.sample(frac=1, random_state=3), FAST)
    assert again.metadata["input_fingerprint"] == first.metadata["input_fingerprint"]
    a = first.clusters.set_index("record_id")["cluster_id"].sort_index()
    b = again.clusters.set_index("record_id")["cluster_id"].sort_index()
    assert a.equals(b)


def test_judgements_are_honoured_on_rerun(run):
    prepared, _, first = run
    merged = first.pairs[first.pairs["match_probability"] >= FAST.match_threshold].iloc[0]
    cluster_of = first.clusters.set_index("record_id")["cluster_id"]
    a_side = first.clusters[first.clusters["source"] == "A"]["record_id"]
    apart = {"record_id_l": a_side.iloc[0], "record_id_r": a_side.iloc[1]}
    assert cluster_of[apart["record_id_l"]] != cluster_of[apart["record_id_r"]]
    judgements = [
        Judgement(merged["record_id_l"], merged["record_id_r"], "reject", who="t"),
        Judgement(apart["record_id_l"], apart["record_id_r"], "accept", who="t"),
    ]
    again = apply_model(first.model, prepared, FAST, judgements)
    cluster = again.clusters.set_index("record_id")["cluster_id"]
    assert cluster[merged["record_id_l"]] != cluster[merged["record_id_r"]]
    assert cluster[apart["record_id_l"]] == cluster[apart["record_id_r"]]
    judged = {j.pair for j in judgements}
    assert (
        not {
            (a, b)
            for a, b in zip(again.review["record_id_l"], again.review["record_id_r"], strict=True)
        }
        & judged
    )


def test_explain_adds_up_to_the_predicted_weight(run):
    prepared, _, result = run
    by_id = prepared.set_index("record_id", drop=False)
    for _, pair in result.pairs.sample(5, random_state=1).iterrows():
        records = (
            by_id.loc[pair["record_id_l"]].to_dict(),
            by_id.loc[pair["record_id_r"]].to_dict(),
        )
        alone = explain_pair(result.model, *records, result.term_frequencies)
        # the pair's own evidence, before its rivals: the run can only have taken away
        assert alone.match_weight >= pair["match_weight"] - 1e-6
        assert all(s.comparison != "other candidates" for s in alone.steps)
        waterfall = explain_pair(
            result.model, *records, result.term_frequencies, run_weight=pair["match_weight"]
        )
        rivals = [s for s in waterfall.steps if s.comparison == "other candidates"]
        assert len(rivals) == 1 and rivals[0].match_weight <= 1e-6
        assert waterfall.match_weight == pytest.approx(pair["match_weight"], abs=1e-6)
        assert "total" in waterfall.to_text()


def test_a_common_name_written_two_ways_counts_for_less_than_a_rare_one(run):
    # Two records whose name parts are alike but not spelt the same (the "similar parts,
    # same order" level), once with the commonest name key of the run and once with
    # the rarest: the term-frequency adjustment must favour the rare name.
    prepared, _, result = run
    table = result.term_frequencies["name_key"].sort_values("tf_name_key")
    rare, common = table["name_key"].iloc[0], table["name_key"].iloc[-1]
    assert table["tf_name_key"].iloc[-1] > table["tf_name_key"].iloc[0]
    base = prepared.loc[prepared["n1_rom"].str.len() >= 6].iloc[0].to_dict()
    other = dict(base, record_id=10**9, n1_rom=base["n1_rom"][:-1] + "x")
    other["name_ordered"] = f"{other['n1_rom']} {other['n2_rom']}"
    adjustments = {}
    for key in (rare, common):
        a, b = dict(base, name_key=key), dict(other, name_key=key)
        (name,) = [
            s
            for s in explain_pair(result.model, a, b, result.term_frequencies).steps
            if s.comparison == "name"
        ]
        assert name.level == "similar parts, same order"
        adjustments[key] = name.tf_adjustment
    assert adjustments[rare] > adjustments[common]


def test_too_few_records_is_an_input_error():
    with pytest.raises(InputError):
        train_and_predict(prepare_records(__import__("pandas").DataFrame({"record_id": [1]})))


def test_training_sample_keeps_whole_counties_within_the_limit():
    import numpy as np
    import pandas as pd

    from credible.linkage.settings import LinkSettings
    from credible.linkage.train import _training_sample

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"residence_county": rng.choice(list("abcdefghij"), 2_000)})
    assert _training_sample(frame, LinkSettings(train_max_records=5_000)) is None
    rows = _training_sample(frame, LinkSettings(train_max_records=700))
    assert rows is not None and 700 // 4 <= len(rows) <= 700
    chosen = set(frame["residence_county"].iloc[rows])
    # Every record of a chosen county is in, none of the others.
    assert set(rows) == set(np.flatnonzero(frame["residence_county"].isin(chosen)))
    again = _training_sample(frame, LinkSettings(train_max_records=700))
    assert again is not None and list(again) == list(rows)


def test_a_term_frequency_table_that_cannot_be_read_is_a_warning_of_the_run(monkeypatch):
    # The backend fails on one table: the run goes on without it, and says so, rather
    # than leaving `explain` without the adjustment and nobody the wiser.
    from credible.linkage import splink_adapter
    from credible.linkage.service import _warnings

    read = splink_adapter.term_frequency_table

    def failing(linker, column):
        if column == "name_key":
            raise splink_adapter.BackendError("Catalog Error: table was dropped")
        return read(linker, column)

    monkeypatch.setattr(splink_adapter, "term_frequency_table", failing)
    records, _ = febrl4(200)
    result = train_and_predict(prepare_records(records), FAST)
    assert set(result.term_frequencies) == {"name_ordered"}
    (warning,) = result.metadata["warnings"]
    assert "name_key" in warning and "Catalog Error" in warning
    assert warning in _warnings(result.metadata, [])  # stored with the run, printed by link


def test_the_library_leaves_logging_to_the_application():
    import logging

    splink_logger = logging.getLogger("splink")
    level, handlers = splink_logger.level, list(splink_logger.handlers)
    splink_logger.setLevel(logging.NOTSET)
    try:
        records, _ = febrl4(200)
        train_and_predict(prepare_records(records), FAST)
        assert splink_logger.level == logging.NOTSET
        assert splink_logger.handlers == handlers
    finally:
        splink_logger.setLevel(level)
