"""Plausible linkages drawn from a link run's match probabilities.

A stored link run is one linkage: each Person a cluster of records. The model behind
it scored every candidate pair with a match probability, and those probabilities say
how sure it was. A *draw* resolves each uncertain pair at random, as a Bernoulli trial
at its probability, and clusters the pairs that came out linked with the same rule the
link run used (``credible.linkage.cluster_pairs``: average linkage at the run's
threshold, reviewers' decisions enforced). Clustering the drawn edges rather than
taking their connected components keeps the rule that stops namesakes chaining
(A–B and B–C linked but A–C not), and makes a draw from probabilities that are all 0
or 1 the stored linkage itself.

Pairs a reviewer decided are not drawn: an accepted pair is linked in every draw, a
rejected pair in none (and the clustering never puts its records in one Person).

Clustering decomposes by connected component of the drawn edges, so only components
of three or more records go through ``cluster_pairs``; a lone drawn edge is a Person
of two, a record without one a Person of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from credible.errors import CredibleError


@dataclass(frozen=True, eq=False)
class Decision:
    """A reviewer's live decision on a pair of records."""

    record_l: int
    record_r: int
    accept: bool


@dataclass(frozen=True, eq=False)
class ScoredLinkage:
    """A link run as estimation sees it: records, scored pairs, decisions, the rule.

    ``records`` is the run's per-record table (``person_id``, ``source``,
    ``record_id`` and stratum columns, as ``credible.store.linked_records`` reads it);
    ``pairs`` has ``record_id_l``, ``record_id_r``, ``match_probability``.
    """

    records: pd.DataFrame
    pairs: pd.DataFrame
    threshold: float
    decisions: Sequence[Decision] = ()
    link_run: int | None = None
    #: Draw only pairs whose probability lies in [low, high): those at or above ``high``
    #: are linked in every draw, those below ``low`` in none. None: draw every pair.
    band: tuple[float, float] | None = None
    #: How a draw's groups are judged. False: only the drawn links count (a pair left
    #: unlinked in the draw counts as 0 in the link run's group average). True: a pair
    #: left unlinked still weighs in the average at its probability, capped just below
    #: the threshold so that it never joins anything by itself. With False a record
    #: joined to a Person by one strong pair and weak pairs to its other records
    #: (0.99, 0.12, 0.12: the stored run's average 0.41 passes a 0.4 threshold) is cut
    #: off in nearly every draw, since the weak pairs are rarely all drawn.
    coherent: bool = False
    #: filled in by __post_init__: positions of each pair's records; the model's
    #: probability (a reviewer's decision as 1 or 0) and the probability a draw uses
    left: np.ndarray = field(init=False, repr=False)
    right: np.ndarray = field(init=False, repr=False)
    model_prob: np.ndarray = field(init=False, repr=False)
    prob: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        missing = [c for c in ("person_id", "source", "record_id") if c not in self.records]
        if missing:
            raise CredibleError(f"linkage draws: the records lack column(s) {missing}")
        ids = self.records["record_id"].to_numpy(np.int64)
        if len(np.unique(ids)) != len(ids):
            raise CredibleError("linkage draws: a record appears twice in the link run")
        pos = pd.Index(ids)
        left = pos.get_indexer(self.pairs["record_id_l"].to_numpy(np.int64))
        right = pos.get_indexer(self.pairs["record_id_r"].to_numpy(np.int64))
        prob = self.pairs["match_probability"].to_numpy(dtype=float).copy()
        # Records scored but not in the run (imported since) take no part.
        keep = (left >= 0) & (right >= 0) & (left != right) & np.isfinite(prob)
        left, right, prob = left[keep], right[keep], np.clip(prob[keep], 0.0, 1.0)
        # The reviewers' decisions replace the model's probability: 1 or 0, never drawn.
        judged = {}
        for d in self.decisions:
            a, b = pos.get_indexer([int(d.record_l), int(d.record_r)])
            if a >= 0 and b >= 0 and a != b:
                judged[(min(a, b), max(a, b))] = 1.0 if d.accept else 0.0
        lo, hi = np.minimum(left, right), np.maximum(left, right)
        key = lo.astype(np.int64) * len(ids) + hi
        # one row per pair (a pair scored twice keeps its highest probability)
        order = np.lexsort((-prob, key))
        first = order[np.r_[True, key[order][1:] != key[order][:-1]]] if len(key) else order
        lo, hi, prob, key = lo[first], hi[first], prob[first], key[first]
        if judged:
            jkey = np.array([a * len(ids) + b for a, b in judged], dtype=np.int64)
            jval = np.array(list(judged.values()))
            at = pd.Index(key).get_indexer(jkey)
            prob[at[at >= 0]] = jval[at >= 0]
            new = at < 0
            jl = np.array([a for a, _ in judged], dtype=np.int64)[new]
            jr = np.array([b for _, b in judged], dtype=np.int64)[new]
            lo, hi = np.r_[lo, jl], np.r_[hi, jr]
            prob = np.r_[prob, jval[new]]
        object.__setattr__(self, "left", lo.astype(np.int64))
        object.__setattr__(self, "right", hi.astype(np.int64))
        object.__setattr__(self, "model_prob", prob)
        if self.band is not None:
            low, high = self.band
            if not 0 <= low <= high <= 1:
                raise CredibleError(f"linkage draws: band {self.band} is not 0 <= low <= high <= 1")
            prob = np.where(prob >= high, 1.0, np.where(prob < low, 0.0, prob))
        object.__setattr__(self, "prob", prob)

    @property
    def n_records(self) -> int:
        return len(self.records)

    def uncertain(self) -> np.ndarray:
        """Pairs a draw can resolve either way: 0 < p < 1 and not decided by a reviewer."""
        return (self.prob > 0) & (self.prob < 1)

    def fixed_labels(self) -> np.ndarray:
        """The stored linkage: each record's Person, as 0 .. (persons - 1)."""
        codes, _ = pd.factorize(self.records["person_id"], sort=True)
        return codes.astype(np.int64)

    def with_labels(self, labels: np.ndarray) -> pd.DataFrame:
        """The records table with ``person_id`` replaced by one drawn linkage."""
        out = self.records.copy()
        out["person_id"] = labels
        return out


def draw_linkages(scored: ScoredLinkage, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``draws`` linkages as a (draws, records) array of Person labels (0-based,
    numbered by first record)."""
    from credible.linkage import Judgement, cluster_pairs

    if draws < 1:
        raise CredibleError("linkage draws: ask for at least one draw")
    n = scored.n_records
    ids = scored.records["record_id"].to_numpy(np.int64)
    judgements = [
        Judgement(int(d.record_l), int(d.record_r), "accept" if d.accept else "reject")
        for d in scored.decisions
    ]
    # One uniform per pair per draw, in pair order: the same seed, the same linkages.
    u = rng.random((draws, len(scored.prob)))
    out = np.empty((draws, n), dtype=np.int64)
    for k in range(draws):
        on = u[k] < scored.prob
        left, right = scored.left[on], scored.right[on]
        graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
        _, comp = connected_components(graph, directed=False)
        sizes = np.bincount(comp)
        big = sizes[comp] >= 3
        labels = comp.copy()
        if big.any():
            members = np.flatnonzero(big)
            inside = big[left] & big[right]
            l_in, r_in, p_in = left[inside], right[inside], np.ones(int(inside.sum()))
            if scored.coherent:
                off = ~on & big[scored.left] & big[scored.right]
                off &= comp[scored.left] == comp[scored.right]
                off &= scored.prob > 0
                l_in = np.r_[l_in, scored.left[off]]
                r_in = np.r_[r_in, scored.right[off]]
                cap = np.nextafter(scored.threshold, 0.0)
                p_in = np.r_[p_in, np.minimum(scored.prob[off], cap)]
            pairs = pd.DataFrame(
                {
                    "record_id_l": ids[l_in],
                    "record_id_r": ids[r_in],
                    "match_probability": p_in,
                }
            )
            clusters = cluster_pairs(ids[members], pairs, scored.threshold, judgements).clusters
            cid = pd.Index(ids).get_indexer(clusters["cluster_id"].to_numpy(np.int64))
            # a split component's parts take the position of their smallest record
            labels[pd.Index(ids).get_indexer(clusters["record_id"].to_numpy(np.int64))] = n + cid
        out[k] = pd.factorize(labels, sort=False)[0]
    return out


def togetherness(labels: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each draw (row of ``labels``) and pair: are its two records one Person?"""
    return labels[:, left] == labels[:, right]


def decisions_from(
    judgements: Iterable[tuple[int, int, str]],
) -> list[Decision]:
    """Live (record_l, record_r, decision) as stored ("positive"/"negative"; others,
    such as "unsure", leave the pair to the model)."""
    out = []
    for a, b, decision in judgements:
        if decision in ("positive", "accept"):
            out.append(Decision(int(a), int(b), True))
        elif decision in ("negative", "reject"):
            out.append(Decision(int(a), int(b), False))
    return out
