"""Clustering into Persons with append-only judgements (no backend needed). Record ids
are whole numbers; 1, 2, 3 ... read as the records a, b, c ..."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.linkage import Judgement, cluster_pairs, live_decisions


def _pairs(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "match_probability"])


def _persons(clustering) -> set[frozenset[int]]:
    groups = clustering.clusters.groupby("cluster_id")["record_id"].apply(frozenset)
    return set(groups)


def test_groups_at_threshold_and_singletons():
    pairs = _pairs([(1, 2, 0.99), (2, 3, 0.95), (1, 3, 0.9), (3, 4, 0.2), (5, 6, 0.91)])
    out = cluster_pairs([1, 2, 3, 4, 5, 6, 7], pairs, threshold=0.9)
    assert _persons(out) == {
        frozenset({1, 2, 3}),
        frozenset({4}),
        frozenset({5, 6}),
        frozenset({7}),
    }
    by_id = out.clusters.set_index("record_id")
    assert by_id.loc[3, "cluster_id"] == 1  # smallest id names the cluster
    assert pd.isna(by_id.loc[7, "match_probability"])


def test_likely_pairs_do_not_chain_unlikely_ones():
    # a-b and b-c are likely, a-c was never scored (born ten years apart, say): the
    # mean across {a, b} and {c} is (0.95 + 0) / 2, below the threshold.
    pairs = _pairs([(1, 2, 0.99), (2, 3, 0.95)])
    out = cluster_pairs([1, 2, 3], pairs, threshold=0.5)
    assert _persons(out) == {frozenset({1, 2}), frozenset({3})}
    assert out.cut_edges == []


def test_rejected_pair_is_cut_where_the_groups_would_meet():
    # Two strong pairs, likely links across them, and a reviewer saying a and d differ.
    pairs = _pairs([(1, 2, 0.99), (3, 4, 0.999), (1, 3, 0.95), (2, 4, 0.95), (2, 3, 0.92)])
    out = cluster_pairs([1, 2, 3, 4], pairs, 0.5, [Judgement(4, 1, "reject")])
    assert _persons(out) == {frozenset({1, 2}), frozenset({3, 4})}
    assert out.cut_edges == [(1, 3, 0.95), (2, 4, 0.95), (2, 3, 0.92)]


def test_rejected_direct_edge_is_never_merged():
    pairs = _pairs([(1, 2, 0.999)])
    out = cluster_pairs([1, 2], pairs, 0.5, [Judgement(1, 2, "reject")])
    assert _persons(out) == {frozenset({1}), frozenset({2})}


def test_accepted_pair_stays_merged_even_below_threshold_or_unscored():
    pairs = _pairs([(1, 2, 0.1)])
    out = cluster_pairs(
        [1, 2, 3],
        pairs,
        0.9,
        [Judgement(1, 2, "accept"), Judgement(3, 2, "accept", who="ana")],
    )
    assert _persons(out) == {frozenset({1, 2, 3})}
    assert set(out.clusters["decided_by"]) == {"reviewer"}


def test_latest_live_judgement_wins_and_retraction_restores_the_model():
    t0 = datetime(2024, 1, 1)
    history = [
        Judgement(1, 2, "reject", when=t0),
        Judgement(1, 2, "accept", when=t0 + timedelta(days=1)),
    ]
    assert live_decisions(history) == {(1, 2): "accept"}
    history.append(Judgement(1, 2, "accept", when=t0 + timedelta(days=2), retracted=True))
    assert live_decisions(history) == {}
    # Order of the rows does not matter when they carry times.
    assert live_decisions(reversed(history[:2])) == {(1, 2): "accept"}


def test_conflicting_accepts_are_reported_not_merged_across_a_rejection():
    judgements = [
        Judgement(1, 2, "accept"),
        Judgement(2, 3, "accept"),
        Judgement(1, 3, "reject"),
    ]
    out = cluster_pairs([1, 2, 3], _pairs([]), 0.9, judgements)
    assert (2, 3) in out.conflicts
    by_id = out.clusters.set_index("record_id")["cluster_id"]
    assert by_id[1] != by_id[3]


ids = st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8])
edge = st.tuples(ids, ids, st.floats(0, 1)).filter(lambda e: e[0] != e[1])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(edge, max_size=25), st.lists(st.tuples(ids, ids), max_size=4), st.floats(0.05, 0.95)
)
def test_invariants(edges, rejects, threshold):
    record_ids = [1, 2, 3, 4, 5, 6, 7, 8]
    judgements = [Judgement(a, b, "reject") for a, b in rejects if a != b]
    out = cluster_pairs(record_ids, _pairs(edges), threshold, judgements)
    cluster = out.clusters.set_index("record_id")["cluster_id"]
    # Every record is in exactly one Person.
    assert sorted(cluster.index) == record_ids
    # No rejected pair shares a Person.
    for j in judgements:
        assert cluster[j.record_id_l] != cluster[j.record_id_r]
    # A Person never reaches beyond the connected components of the edges at or above
    # the threshold: averaging only ever splits what components would join.
    rejected = {j.pair for j in judgements}
    component = {r: r for r in record_ids}

    def root(r: int) -> int:
        while component[r] != r:
            r = component[r]
        return r

    for a, b, p in edges:
        if p >= threshold and tuple(sorted((a, b))) not in rejected:
            component[root(a)] = root(b)
    for members in cluster.groupby(cluster).groups.values():
        assert len({root(m) for m in members}) == 1
    # An edge at or above the threshold between two Persons was too weak on average or
    # was cut by a rejection; a lone edge between two singletons is never too weak.
    for a, b, p in edges:
        key = tuple(sorted((a, b)))
        if p >= threshold and key not in rejected and cluster[a] != cluster[b]:
            alone = (cluster == cluster[a]).sum() == 1 and (cluster == cluster[b]).sum() == 1
            assert not alone or key in {(x, y) for x, y, _ in out.cut_edges}
    # The result does not depend on the order of the edges.
    again = cluster_pairs(record_ids, _pairs(list(reversed(edges))), threshold, judgements)
    assert again.clusters.set_index("record_id")["cluster_id"].equals(cluster)


def _frame(mapping: dict[int, int]) -> pd.DataFrame:
    return pd.DataFrame({"record_id": list(mapping), "cluster_id": list(mapping.values())})


def test_cluster_changes_reports_merges_and_splits():
    from credible.linkage import cluster_changes

    before = _frame({1: 1, 2: 2, 3: 3, 4: 3, 5: 5})
    after = _frame({1: 1, 2: 1, 3: 3, 4: 4, 5: 5, 9: 9})
    changes = cluster_changes(before, after)
    assert [(c.kind, c.before, c.after, c.records) for c in changes] == [
        ("merge", (1, 2), (1,), (1, 2)),
        ("split", (3,), (3, 4), (3, 4)),
    ]
    assert cluster_changes(before, before) == []
