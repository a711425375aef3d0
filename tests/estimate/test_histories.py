"""Capture histories: reading, building from records, fingerprints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.estimate.conftest import MSE_DIR

from credible.errors import CredibleError, InputError
from credible.estimate import CaptureHistories, histories_from_records, read_histories
from credible.estimate.run import estimate_from_records


def test_read_published_csv_keeps_counts() -> None:
    h = read_histories(MSE_DIR / "kosovo_1999.csv").overall
    assert h.lists == ("exh", "aba", "osce", "hrw")
    assert h.n_observed == 4400
    assert h.list_sizes() == {"exh": 1910, "aba": 1528, "osce": 1786, "hrw": 685}


def test_bad_csv_reports_every_problem(tmp_path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("a,b,count\n1,0,5\n2,1,3\n1,1,x\n")
    with pytest.raises(InputError) as err:
        read_histories(p)
    probs = err.value.problems
    assert {(q.row, q.column) for q in probs} == {(2, "a"), (3, "count")}


def test_missing_count_column(tmp_path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("a,b\n1,0\n")
    with pytest.raises(InputError, match="count"):
        read_histories(p)


def test_stratified_csv(tmp_path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("a,b,c,count,region\n1,0,0,5,x\n1,1,0,2,x\n0,1,1,4,y\n1,0,0,1,y\n")
    hs = read_histories(p, by="region")
    assert set(hs.strata) == {"x", "y"}
    assert hs.overall.n_observed == 12
    assert sum(s.n_observed for s in hs.strata.values()) == 12


def test_from_records_dedupes_and_assigns_strata() -> None:
    records = pd.DataFrame(
        {
            "person_id": ["p1", "p1", "p1", "p2", "p3", "p3"],
            "source": ["police", "police", "media", "media", "testimony", "police"],
            "county": ["A", "A", "B", "B", None, "C"],
        }
    )
    hs = histories_from_records(records, by="county")
    assert hs.overall.lists == ("media", "police", "testimony")
    assert hs.overall.n_observed == 3
    # p1 has two records in A, one in B: the most frequent value wins
    assert {k: v.n_observed for k, v in hs.strata.items()} == {"A": 1, "B": 1, "C": 1}


def test_a_link_run_without_records_is_a_clear_error() -> None:
    empty = pd.DataFrame({"person_id": [], "source": [], "record_id": []})
    with pytest.raises(CredibleError, match="links no records"):
        estimate_from_records(empty)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1), min_size=3, max_size=3), min_size=1, max_size=60))
def test_fingerprint_ignores_row_order(rows: list[list[int]]) -> None:
    mat = np.array(rows)
    h1 = CaptureHistories.from_matrix(mat, ["a", "b", "c"])
    h2 = CaptureHistories.from_matrix(mat[::-1], ["a", "b", "c"])
    assert h1.fingerprint() == h2.fingerprint()
    assert h1.n_observed == int((mat.sum(axis=1) > 0).sum())
    # aggregate and individual forms agree
    h3 = CaptureHistories.from_frame(h1.to_frame())
    assert h3.fingerprint() == h1.fingerprint()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 15), st.sampled_from("xyz"), st.sampled_from(["n", "s", None])),
        min_size=1,
        max_size=80,
    )
)
def test_from_records_matches_a_plain_count(rows: list[tuple[int, str, str | None]]) -> None:
    records = pd.DataFrame(rows, columns=["person_id", "source", "region"])
    hs = histories_from_records(records, by="region")
    lists = sorted({r[1] for r in rows})
    on: dict[int, set[str]] = {}
    seen: dict[int, list[str]] = {}
    for pid, src, region in rows:
        on.setdefault(pid, set()).add(src)
        if region is not None:
            seen.setdefault(pid, []).append(region)
    expected: dict[tuple[int, ...], int] = {}
    for sources in on.values():
        key = tuple(int(name in sources) for name in lists)
        expected[key] = expected.get(key, 0) + 1
    pairs = zip(hs.overall.patterns, hs.overall.counts, strict=True)
    got = {tuple(int(v) for v in p): int(c) for p, c in pairs}
    assert got == expected

    # strata: the most frequent region (ties: alphabetical), else "unknown"
    def region_of(pid: int) -> str:
        vals = seen.get(pid)
        if not vals:
            return "unknown"
        return sorted(set(vals), key=lambda v: (-vals.count(v), v))[0]

    sizes: dict[str, int] = {}
    for pid in on:
        sizes[region_of(pid)] = sizes.get(region_of(pid), 0) + 1
    assert {k: v.n_observed for k, v in hs.strata.items()} == sizes
