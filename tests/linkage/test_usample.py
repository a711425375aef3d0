"""u probabilities from random pairs (credible.linkage.usample), against counts made
directly in pandas over the same pairs."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credible.linkage import LinkSettings, prepare_records, usample
from credible.linkage import splink_adapter as splink
from credible.linkage.train import MODEL_COLUMNS, _register, make_db_api
from credible.linkage.usample import estimate_u, pair_chunks, sample_pairs


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    from credible.ingest import read_lists
    from credible.simulate import simulate

    out = tmp_path_factory.mktemp("sim")
    simulate(250, 5, seed=5, out=out)
    return prepare_records(read_lists(out).assign(record_id=lambda r: range(len(r))))


def _linker(prepared):
    settings = LinkSettings()
    present = {c for c in MODEL_COLUMNS if prepared[c].notna().any()}
    linker, _ = _register(make_db_api(settings, None), prepared, settings, present, None)
    return linker


def _u(linker, name):
    (comparison,) = [c for c in splink.parameters(linker) if c.name == name]
    return dict(zip(comparison.labels, comparison.u.tolist(), strict=True))


def test_every_pair_of_a_small_list_gives_the_exact_share(prepared):
    # max_pairs above the number of pairs: the sample is every record, so u of "same sex"
    # is exactly the share of the pairs (both sexes known) that agree.
    linker = _linker(prepared)
    info = estimate_u(linker, prepared, max_pairs=1e9, seed=1)
    assert info["records"] == len(prepared)
    assert info["pairs"] == len(prepared) * (len(prepared) - 1) // 2
    sex = prepared["sex"].dropna().tolist()
    agree = [a == b for a, b in itertools.combinations(sex, 2)]
    assert info["pairs_by_level"]["sex"] == {
        "same": sum(agree),
        "different": len(agree) - sum(agree),
    }
    u = _u(linker, "sex")
    assert u["same"] == pytest.approx(np.mean(agree), rel=1e-12)
    assert u["different"] == pytest.approx(1 - np.mean(agree), rel=1e-12)


def test_u_is_each_levels_share_of_the_sampled_pairs_and_the_seed_fixes_it(prepared):
    first, second, other = _linker(prepared), _linker(prepared), _linker(prepared)
    info = estimate_u(first, prepared, max_pairs=5_000, seed=3)
    estimate_u(second, prepared, max_pairs=5_000, seed=3)
    estimate_u(other, prepared, max_pairs=5_000, seed=4)
    for name, counts in info["pairs_by_level"].items():
        total = sum(counts.values())
        u = _u(first, name)
        for label, count in counts.items():
            if count:
                assert u[label] == pytest.approx(count / total, rel=1e-12), (name, label)
        assert u == _u(second, name)
    assert any(_u(first, c.name) != _u(other, c.name) for c in splink.parameters(first))


@pytest.mark.parametrize(
    ("records", "max_pairs", "per_record", "expected"),
    [
        (10, 1e6, None, 0),  # 45 pairs: all of them
        (10_000, 1e6, None, 1_000_000),
        (10_000, 1e6, 50, 500_000),
        (100_000, 1e6, 50, 1_000_000),  # the cap
        (1_000, 1e6, 50, 50_000),
        (11, 1e6, 50, 0),  # 55 pairs, fewer than 550: all of them
    ],
)
def test_pairs_drawn_grow_with_the_records_up_to_the_cap(records, max_pairs, per_record, expected):
    assert sample_pairs(records, max_pairs, per_record) == expected


def test_drawn_pairs_are_counted_and_their_records_are_many(prepared):
    # 250 records, 5 pairs per record: fewer pairs than the list has, so they are drawn
    # independently, over (nearly) every record rather than a subset's every pair.
    linker = _linker(prepared)
    info = estimate_u(linker, prepared, max_pairs=1e9, seed=1, pairs_per_record=5)
    drawn = 5 * len(prepared)
    assert info["pairs"] == drawn
    assert info["records"] > 0.9 * len(prepared)
    for name, counts in info["pairs_by_level"].items():
        assert sum(counts.values()) <= drawn, name
    assert sum(info["pairs_by_level"]["sex"].values()) > 0.5 * drawn


def test_drawn_pairs_estimate_the_share_over_every_pair(prepared):
    # u of "same sex" from 20 pairs per record against the exact share over all pairs:
    # within four binomial standard errors.
    sex = prepared["sex"].dropna().tolist()
    exact = np.mean([a == b for a, b in itertools.combinations(sex, 2)])
    linker = _linker(prepared)
    info = estimate_u(linker, prepared, max_pairs=1e9, seed=7, pairs_per_record=20)
    known = sum(info["pairs_by_level"]["sex"].values())
    assert abs(_u(linker, "sex")["same"] - exact) < 4 * np.sqrt(exact * (1 - exact) / known)


def test_a_level_no_sampled_pair_reaches_keeps_its_u(prepared):
    linker = _linker(prepared)
    before = _u(linker, "where")
    info = estimate_u(linker, prepared.assign(facility_key=pd.NA), max_pairs=1e9, seed=1)
    assert info["pairs_by_level"]["where"]["same home, same facility"] == 0
    assert _u(linker, "where")["same home, same facility"] == before["same home, same facility"]
    assert (
        _u(linker, "where")["same home, facility unknown"] != before["same home, facility unknown"]
    )


@given(st.integers(2, 60), st.integers(1, 200))
def test_pair_chunks_give_every_pair_once_in_bounded_chunks(size, chunk_pairs):
    chunks = list(pair_chunks(size, chunk_pairs))
    left = np.concatenate([a for a, _ in chunks])
    right = np.concatenate([b for _, b in chunks])
    expected_left, expected_right = np.triu_indices(size, k=1)
    assert np.array_equal(left, expected_left) and np.array_equal(right, expected_right)
    assert all(len(a) <= max(chunk_pairs, size - 1) for a, _ in chunks)


def test_chunked_counts_are_the_unchunked_ones(prepared, monkeypatch):
    whole, chunked = _linker(prepared), _linker(prepared)
    once = estimate_u(whole, prepared, max_pairs=1e9, seed=2)
    monkeypatch.setattr(usample, "CHUNK_PAIRS", 997)
    in_pieces = estimate_u(chunked, prepared, max_pairs=1e9, seed=2)
    assert in_pieces == once
