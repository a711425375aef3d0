"""Cross-script linkage on FICTIONAL simulator output read with the ingest reader."""

from __future__ import annotations

import pytest

from credible.linkage import LinkSettings, evaluate, prepare_records, train_and_predict

pytestmark = pytest.mark.slow


def test_links_across_scripts(simulated):
    records, truth = simulated
    result = train_and_predict(prepare_records(records), LinkSettings(threads=1, max_pairs=3e5))
    metrics = evaluate(result.clusters, truth)
    # Floors, not targets: the benchmark (bench/linkage.py) measures the real figures.
    assert metrics.pairwise_f1 >= 0.7, metrics
    assert metrics.bcubed_f1 >= 0.85, metrics
    # Persons that join a list in Chinese characters with one in Uyghur Arabic script.
    by_cluster = result.clusters.groupby("cluster_id")["source"].apply(set)
    assert sum({"police_spreadsheet", "diaspora_list"} <= s for s in by_cluster) >= 5


def test_training_on_a_county_sample_still_links(simulated):
    # Above train_max_records EM learns m on whole counties holding about that many
    # records and copies it into the model of every record.
    records, truth = simulated
    settings = LinkSettings(threads=1, max_pairs=3e5, train_max_records=300)
    result = train_and_predict(prepare_records(records), settings)
    passes = [s for s in result.metadata["em_sessions"] if "records" in s]
    assert passes and all(s["records"] < len(records) for s in passes), passes
    assert any(s.get("converged") for s in passes), passes
    metrics = evaluate(result.clusters, truth)
    assert metrics.pairwise_f1 >= 0.6, metrics


@pytest.mark.parametrize("train_max_records", [None, 300])
def test_pairwise_model_still_links(simulated, train_max_records, monkeypatch):
    # exclusive=False: plain Fellegi-Sunter with a "same list" comparison and the prior
    # by EM, on the blocked pairs or (above train_max_records) on a county sample, here
    # of 300 records rather than 30,000.
    monkeypatch.setattr("credible.linkage.train.PRIOR_SAMPLE_RECORDS", 300)
    records, truth = simulated
    settings = LinkSettings(
        threads=1, max_pairs=3e5, exclusive=False, train_max_records=train_max_records
    )
    result = train_and_predict(prepare_records(records), settings)
    names = [c["output_column_name"] for c in result.model["comparisons"]]
    assert "source" in names and "list_odds" not in result.model.get("credible", {})
    prior = result.metadata["prior"]
    assert 0 < prior["value"] < 1, prior
    assert ("sample_records" in prior) == (train_max_records is not None), prior
    metrics = evaluate(result.clusters, truth)
    assert metrics.pairwise_f1 >= 0.6, metrics
