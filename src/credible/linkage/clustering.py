"""Persons from scored pairs and reviewers' judgements.

Judgements are append-only rows (who, when, accept/reject/unsure, retracted). The latest
live judgement on a pair wins. Persons are built greedily from the strongest evidence
down: accepted pairs first, then model edges in decreasing match probability, skipping
any union that would put two records of a rejected pair in the same Person. Without
rejections this is exactly the connected components of the edges at the threshold; with
them, a rejected pair inside what would have been one component is cut at its weakest
links, the ones merged last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd

Decision = Literal["accept", "reject", "unsure"]


@dataclass(frozen=True)
class Judgement:
    """A reviewer's decision on a pair of records. Never edited: a change is a new row."""

    record_id_l: str
    record_id_r: str
    decision: Decision
    who: str = ""
    when: datetime | None = None
    retracted: bool = False
    note: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return _pair(self.record_id_l, self.record_id_r)


def _pair(a: object, b: object) -> tuple[str, str]:
    x, y = str(a), str(b)
    return (x, y) if x <= y else (y, x)


def live_decisions(judgements: Iterable[Judgement]) -> dict[tuple[str, str], Decision]:
    """The decision in force on each judged pair: the latest one not retracted.

    Judgements without a time keep their order in the input (later rows are newer).
    """
    ordered = sorted(
        enumerate(judgements),
        key=lambda ij: (ij[1].when is None, ij[1].when or datetime.min, ij[0]),
    )
    # Judgements without a time sort after timed ones only when all are untimed; mixing
    # is the store's concern (it always stamps a time).
    state: dict[tuple[str, str], Decision] = {}
    for _, j in ordered:
        if j.retracted:
            state.pop(j.pair, None)
        else:
            state[j.pair] = j.decision
    return state


@dataclass
class Clustering:
    """Persons as ``record_id -> cluster_id`` plus what the judgements changed."""

    clusters: pd.DataFrame  # record_id, cluster_id, match_probability, decided_by
    cut_edges: list[tuple[str, str, float]]  # model edges not merged because of a rejection
    conflicts: list[tuple[str, str]]  # accepted pairs that a rejection kept apart


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)
        self.size = np.ones(n, dtype=np.int64)
        self.cannot: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return int(root)

    def union(self, a: int, b: int) -> bool:
        """Merge unless a rejected pair would end up together; True if now together."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        forbidden = self.cannot.get(ra, set())
        if any(self.find(x) == rb for x in forbidden):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        merged = self.cannot.pop(rb, set())
        if merged:
            self.cannot.setdefault(ra, set()).update(merged)
        return True


def cluster_pairs(
    record_ids: Sequence[str],
    pairs: pd.DataFrame,
    threshold: float,
    judgements: Iterable[Judgement] = (),
) -> Clustering:
    """Cluster records into Persons.

    ``pairs`` has ``record_id_l, record_id_r, match_probability``. A record that no edge
    reaches is its own Person. ``cluster_id`` is the smallest record id of the cluster,
    so it does not depend on the order of the input or on the backend.
    """
    ids = [str(r) for r in record_ids]
    index = {r: i for i, r in enumerate(ids)}
    decisions = live_decisions(judgements)
    rejected = {p for p, d in decisions.items() if d == "reject"}
    accepted = sorted(p for p, d in decisions.items() if d == "accept")

    uf = _UnionFind(len(ids))
    for a, b in rejected:
        if a in index and b in index:
            ia, ib = index[a], index[b]
            uf.cannot.setdefault(ia, set()).add(ib)
            uf.cannot.setdefault(ib, set()).add(ia)

    best = np.full(len(ids), np.nan)
    decided_by = np.array(["model"] * len(ids), dtype=object)
    conflicts: list[tuple[str, str]] = []
    for a, b in accepted:
        if a not in index or b not in index:
            continue
        ia, ib = index[a], index[b]
        if uf.union(ia, ib):
            best[[ia, ib]] = 1.0
            decided_by[[ia, ib]] = "reviewer"
        else:
            conflicts.append((a, b))

    cut: list[tuple[str, str, float]] = []
    edges = pairs.loc[pairs["match_probability"] >= threshold]
    if len(edges):
        left = edges["record_id_l"].astype(str).to_numpy()
        right = edges["record_id_r"].astype(str).to_numpy()
        prob = edges["match_probability"].to_numpy(dtype=float)
        # Strongest first; ties broken by ids so the result is order-independent.
        order = np.lexsort((right, left, -prob))
        for k in order:
            a, b, p = left[k], right[k], float(prob[k])
            if _pair(a, b) in rejected or a not in index or b not in index:
                continue
            ia, ib = index[a], index[b]
            if uf.union(ia, ib):
                for i in (ia, ib):
                    if not best[i] >= p:
                        best[i] = p
            else:
                cut.append((*_pair(a, b), p))

    roots = np.array([uf.find(i) for i in range(len(ids))], dtype=np.int64)
    frame = pd.DataFrame({"record_id": ids, "root": roots})
    frame["cluster_id"] = frame.groupby("root")["record_id"].transform("min")
    frame["match_probability"] = best
    frame["decided_by"] = decided_by
    frame.loc[frame["match_probability"].isna(), "decided_by"] = None
    return Clustering(
        clusters=frame[["record_id", "cluster_id", "match_probability", "decided_by"]],
        cut_edges=cut,
        conflicts=conflicts,
    )


@dataclass(frozen=True)
class ClusterChange:
    """How Persons changed between two clusterings, for the audit log.

    ``kind`` is "merge" (several earlier Persons are now one), "split" (one earlier
    Person is now several) or "regroup" (both at once).
    """

    kind: Literal["merge", "split", "regroup"]
    before: tuple[str, ...]  # earlier cluster ids involved
    after: tuple[str, ...]  # later cluster ids involved
    records: tuple[str, ...]


def cluster_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[ClusterChange]:
    """Merges and splits from ``before`` to ``after`` (both ``record_id, cluster_id``).

    Records present in only one of them are ignored: they were added or removed, not
    merged or split. Groups whose membership did not change produce nothing.
    """
    both = (
        before[["record_id", "cluster_id"]]
        .astype(str)
        .merge(
            after[["record_id", "cluster_id"]].astype(str), on="record_id", suffixes=("_b", "_a")
        )
    )
    if both.empty:
        return []
    # Connected components of the bipartite graph earlier cluster <-> later cluster.
    links = both[["cluster_id_b", "cluster_id_a"]].drop_duplicates()
    nodes = [f"b:{c}" for c in links["cluster_id_b"].unique()] + [
        f"a:{c}" for c in links["cluster_id_a"].unique()
    ]
    index = {n: i for i, n in enumerate(nodes)}
    uf = _UnionFind(len(nodes))
    for b, a in zip(links["cluster_id_b"], links["cluster_id_a"], strict=True):
        uf.union(index[f"b:{b}"], index[f"a:{a}"])
    groups: dict[int, tuple[set[str], set[str]]] = {}
    for n, i in index.items():
        olds, news = groups.setdefault(uf.find(i), (set(), set()))
        (olds if n.startswith("b:") else news).add(n[2:])
    members = both.groupby("cluster_id_b")["record_id"].apply(list).to_dict()
    changes = []
    for olds, news in groups.values():
        if len(olds) == 1 and len(news) == 1:
            continue
        kind: Literal["merge", "split", "regroup"]
        kind = "merge" if len(news) == 1 else "split" if len(olds) == 1 else "regroup"
        records = sorted(r for o in olds for r in members.get(o, []))
        changes.append(
            ClusterChange(kind, tuple(sorted(olds)), tuple(sorted(news)), tuple(records))
        )
    return sorted(changes, key=lambda c: c.records)
