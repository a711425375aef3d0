"""Each list names a person once: match probabilities that weigh a pair against the
other candidates in the same lists.

Fellegi–Sunter scores a pair as if it were alone. But a media record that resembles one
police record is a different case from one that resembles four: at most one of the four
is the same person. On 100,000 simulated records, pairs that Fellegi–Sunter scored
0.2–0.3 were matches 57 % of the time when the record had one candidate in the other
list and 8 % when it had four or more.

The model is Jaro's one-to-one assignment made probabilistic (cf. Sadinle 2017,
"Bayesian estimation of bipartite matchings for record linkage"): a record's person
appears at most once in each list, apart from the list's own duplicates. The matches
between two lists are then a matching, with prior odds rho_ST for each matched pair
of records of lists S and T, and the Bayes factor BF_ab of the pair's comparisons
(m/u with the term-frequency adjustment) as its evidence. The probability of each pair
under all of it is found by belief propagation (the sum-product algorithm for
matchings, exact on a tree of candidates and close on the rest): the factor "record a
has at most one match in list S" sends pair {a, b} the message
1 / (1 + sum over a's other candidates c in S of w_ac * (c's own message)), with
w = rho * BF, and P(a ~ b) = w M1 M2 / (1 + w M1 M2) for its two messages. A candidate
that is itself a duplicate of b (a within-list pair) is b's person, not b's rival, and
is left out of the sum in proportion to that probability.

A list may also name a person three or more times (sheets of a police cache, FEBRL 2
and 3). Within its own list a record may then have several duplicates, so there "at
most one" is too strong: under it a person's third and later records were one another's
rivals, and the true pairs of a person listed six times scored 0.3. The factor of a
record in its own list weighs its d duplicates by beta^(d - 1) instead (``_message``),
beta the list's continuation probability: 0 is "at most one duplicate", 1 scores each
pair on its own. EM estimates beta for every list from the triangles of likely
within-list pairs (``_repeat``), starting from 0.

EM estimates m, rho and beta together: each E-step is a sweep of belief propagation,
the M-step sets each m to the probability-weighted share of pairs at each level (with a
floor and a cap on outright disagreement, as for Splink's passes), rho_ST from the
expected number of matches between S and T, and beta from the list's triangles. u
stays as estimated from random pairs. Because a record's namesakes compete for one
match, they cannot fill EM's "match" class as they do in pairwise EM on a large list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

#: The prior odds converge when they move by less than this times EM's tolerance,
#: relatively (0.1 % at Splink's default tolerance of 1e-4).
ODDS_TOLERANCE_SCALE = 10.0

#: Smallest duplicate probability whose triangle correction is computed: a candidate
#: that is b's duplicate with probability q frees q of its weight as b's rival, which
#: below this changes no probability by more than a few per cent of itself.
DUPLICATE_FLOOR = 0.05

#: A continuation probability this small is 0: below it the geometric message's terms
#: underflow (beta * r is subnormal) while it differs from at-most-one by O(beta).
BETA_FLOOR = 1e-12


@dataclass(frozen=True)
class Comparison:
    """One comparison's non-null levels, strongest first, as the model has them."""

    name: str
    labels: tuple[str, ...]
    u: np.ndarray
    m: np.ndarray
    #: Levels whose share of matches is capped (outright disagreement).
    disagree: tuple[int, ...] = ()


@dataclass(frozen=True)
class PairVectors:
    """Scored pairs as arrays: record rows, the level of each comparison, TF factor."""

    left: np.ndarray  # int64 row of the left record
    right: np.ndarray  # int64 row of the right record
    levels: Mapping[str, np.ndarray]  # comparison -> int8 index into its levels, -1 null
    tf_bayes_factor: np.ndarray  # float64, 1.0 where no term-frequency adjustment applies
    source: np.ndarray  # int64 list of every record (by row)
    n_sources: int

    def __len__(self) -> int:
        return len(self.left)


@dataclass
class Fit:
    """What EM found: m per comparison, prior odds per pair of lists, probabilities."""

    m: dict[str, np.ndarray]
    odds: np.ndarray  # n_sources x n_sources, symmetric
    repeat: np.ndarray  # per list: P(a record with a duplicate in it has another)
    probability: np.ndarray  # per pair
    iterations: int
    converged: bool
    history: list[float] = field(default_factory=list)  # largest relative change per step


def subset(vectors: PairVectors, keep: np.ndarray) -> PairVectors:
    """The pairs where ``keep`` is true (records and lists unchanged)."""
    return PairVectors(
        left=vectors.left[keep],
        right=vectors.right[keep],
        levels={name: level[keep] for name, level in vectors.levels.items()},
        tf_bayes_factor=vectors.tf_bayes_factor[keep],
        source=vectors.source,
        n_sources=vectors.n_sources,
    )


def bayes_factors(
    vectors: PairVectors, comparisons: Sequence[Comparison], m: Mapping[str, np.ndarray]
) -> np.ndarray:
    """The product of m/u over the comparisons (null levels count 1), with TF."""
    bf = vectors.tf_bayes_factor.astype(np.float64, copy=True)
    for comp in comparisons:
        level = vectors.levels[comp.name]
        seen = level >= 0
        bf[seen] *= (m[comp.name] / comp.u)[level[seen]]
    return bf


def list_sizes(vectors: PairVectors) -> np.ndarray:
    return np.bincount(vectors.source, minlength=vectors.n_sources).astype(np.float64)


class _Graph:
    """The pairs as directed edges (each pair both ways round), with the index structures
    every sweep reuses. Edge ``2p`` runs from pair p's left record to its right one,
    ``2p + 1`` back; the factor of an edge is (its source record, its target's list):
    "this record has at most one match in that list"."""

    def __init__(self, v: PairVectors) -> None:
        n, k = len(v.source), v.n_sources
        self.n, self.pairs = n, len(v)
        self.src = np.empty(2 * len(v), dtype=np.int64)
        self.src[0::2], self.src[1::2] = v.left, v.right
        self.dst = np.empty_like(self.src)
        self.dst[0::2], self.dst[1::2] = v.right, v.left
        self.factor = self.src * k + v.source[self.dst]
        self.n_factors = n * k
        self.list_pair = np.minimum(v.source[v.left], v.source[v.right]) * k + np.maximum(
            v.source[v.left], v.source[v.right]
        )
        self.same_list = v.source[v.left] == v.source[v.right]
        self.edge_same = np.repeat(self.same_list, 2)
        self.edge_list = v.source[self.src]
        # Edges by (source, target), to find the edge x -> y of a triangle.
        key = self.src * n + self.dst
        self.order = np.argsort(key, kind="stable")
        self.sorted_key = key[self.order]
        # Edges by source record (CSR).
        self.by_src = np.argsort(self.src, kind="stable")
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(self.src, minlength=n))])
        self._tri_known = np.zeros(0, dtype=np.int64)
        self._tri_rival = np.zeros(0, dtype=np.int64)
        self._tri_target = np.zeros(0, dtype=np.int64)
        self._tri_pair = np.zeros(0, dtype=np.int64)

    def edge(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of the edge x -> y and whether the pair {x, y} was scored."""
        key = x * self.n + y
        pos = np.minimum(np.searchsorted(self.sorted_key, key), len(self.sorted_key) - 1)
        hit = (self.sorted_key[pos] == key) & (x != y)
        return self.order[pos], hit

    def _triangles(self, duplicates: np.ndarray) -> None:
        """Index, once for every within-list pair in ``duplicates``, the triangles it
        closes: for the pair (t, c) and each edge x -> c, the edge x -> t whose factor
        c's weight must leave. Grown, never shrunk, as more pairs become likely."""
        new = np.setdiff1d(duplicates, self._tri_known, assume_unique=True)
        if not len(new):
            return
        self._tri_known = np.union1d(self._tri_known, new)
        t = np.concatenate([self.src[2 * new], self.src[2 * new + 1]])
        c = np.concatenate([self.dst[2 * new], self.dst[2 * new + 1]])
        dup = np.concatenate([new, new])
        degree = self.indptr[c + 1] - self.indptr[c]
        which = np.repeat(np.arange(len(c)), degree)
        first = np.repeat(self.indptr[c], degree)
        offset = np.arange(len(which)) - np.repeat(np.cumsum(degree) - degree, degree)
        from_c = self.by_src[first + offset]
        target, hit = self.edge(self.dst[from_c], t[which])
        self._tri_rival = np.concatenate([self._tri_rival, (from_c ^ 1)[hit]])
        self._tri_target = np.concatenate([self._tri_target, target[hit]])
        self._tri_pair = np.concatenate([self._tri_pair, dup[which][hit]])

    def duplicate_weight(
        self, rival: np.ndarray, duplicate: np.ndarray, repeat: np.ndarray
    ) -> np.ndarray:
        """D per edge s -> t: what the records c that are t's duplicates add to s's
        factor as rivals, each in proportion to P(c ~ t). They are t's person, not t's
        rivals. In a factor of at-most-one (``repeat`` 0) a rival adds its weight r, so
        D is the sum of r * P(c ~ t); in a factor of a list that repeats people it adds
        log(1 + repeat * r) (``_message``), so D is what that sum loses when r becomes
        r * (1 - P(c ~ t))."""
        likely = np.flatnonzero(self.same_list & (duplicate >= DUPLICATE_FLOOR))
        self._triangles(likely)
        if not len(self._tri_pair):
            return np.zeros(len(rival))
        # Every indexed triangle counts with its current q, also below the floor: a
        # correction that switched off at the floor made some pairs swing for ever.
        r = rival[self._tri_rival]
        q = duplicate[self._tri_pair]
        beta = repeat[self._tri_target]
        weight = r * q
        geo = beta > BETA_FLOOR
        weight[geo] = np.log1p(beta[geo] * r[geo]) - np.log1p(beta[geo] * r[geo] * (1 - q[geo]))
        return np.bincount(self._tri_target, weights=weight, minlength=len(rival))

    def sweep(
        self,
        w: np.ndarray,
        messages: np.ndarray,
        previous: np.ndarray | None,
        repeat: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One round of belief propagation: new factor messages and pair probabilities.

        The message of factor (s, list of t) to pair {s, t} weighs the rival weights
        of t's listmates in that factor (``_message``), a rival c weighing w_sc times
        c's own factor's message (c may be taken elsewhere). The pair's probability is
        w M1 M2 / (1 + w M1 M2), M1 and M2 its two messages. ``repeat`` is each list's
        continuation probability (``_message``); it shapes the factors of a record in
        its own list only: across lists a person is at most one person of the other list.
        """
        w_edge = np.repeat(w, 2)
        rival = w_edge * messages[np.arange(len(messages)) ^ 1]
        beta = np.where(self.edge_same, repeat[self.edge_list], 0.0)
        geo = beta > BETA_FLOOR
        x = rival.copy()
        x[geo] = np.log1p(beta[geo] * rival[geo])
        total = np.bincount(self.factor, weights=x, minlength=self.n_factors)
        others = total[self.factor] - x
        if previous is not None:
            others -= self.duplicate_weight(rival, previous, beta)
        new = _message(np.maximum(others, 0.0), beta)
        # Damped (geometric mean with the last messages): undamped, belief propagation
        # on the loops of a large list of namesakes swings between two states.
        new = np.sqrt(new * messages)
        both = w * new[0::2] * new[1::2]
        return new, both / (1.0 + both)


def _message(others: np.ndarray, repeat: np.ndarray) -> np.ndarray:
    """A factor's message to one of its pairs, from what its other pairs weigh.

    The factor "record a has at most one duplicate in its own list" (or "at most one
    match in another list") sends 1 / (1 + R), R the sum of the rivals' weights r: of
    a and its candidates at most one pair can hold. A list that repeats people allows
    more: the factor weighs a record's d duplicates by beta^(d - 1) for d >= 1 (each
    duplicate beyond the first costs beta, the list's continuation probability, 0 for
    a list that names a person at most twice, 1 for one with no limit). Summed over
    every subset of the rivals, its message is beta / (1 - (1 - beta) e^-L) with
    L = sum of log(1 + beta r) (which ``others`` holds for those factors): 1 / (1 + R)
    as beta -> 0, and 1 at beta = 1, where a pair is scored on its own.
    """
    out = np.empty_like(others)
    lin = repeat <= BETA_FLOOR
    out[lin] = 1.0 / (1.0 + others[lin])
    geo = ~lin
    b, big_l = repeat[geo], others[geo]
    out[geo] = b / (-np.expm1(-big_l) + b * np.exp(-big_l))
    return out


def probabilities(
    vectors: PairVectors,
    comparisons: Sequence[Comparison],
    m: Mapping[str, np.ndarray],
    odds: np.ndarray,
    tolerance: float = 1e-6,
    max_sweeps: int = 100,
    graph: _Graph | None = None,
    repeat: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """P(match) of every pair given the other candidates, by belief propagation to its
    fixed point (which candidates are duplicates of each other depends on the
    probabilities themselves); and whether it was reached within ``max_sweeps``.
    ``repeat``: each list's continuation probability (``_message``; None = 0, every
    list names a person at most twice)."""
    g = graph or _Graph(vectors)
    w = odds.ravel()[g.list_pair] * bayes_factors(vectors, comparisons, m)
    beta = np.zeros(vectors.n_sources) if repeat is None else np.asarray(repeat, float)
    messages = np.ones(2 * len(vectors))
    probability: np.ndarray | None = None
    for _ in range(max_sweeps):
        messages, new = g.sweep(w, messages, probability, beta)
        if probability is not None and float(np.abs(new - probability).max(initial=0)) < tolerance:
            return new, True
        probability = new
    return (probability if probability is not None else np.zeros(0)), len(vectors) == 0


def _odds(
    expected: np.ndarray, sizes: np.ndarray, k: int, repeat: np.ndarray, once: np.ndarray
) -> np.ndarray:
    """Prior odds per pair of lists from the expected matches between them.

    Each list names a person once, so the matches between lists S and T form a
    matching, and a prior of odds rho per matched pair makes the most likely number of
    matches M the one where adding a pair stops paying: (|S| - M)(|T| - M) rho = M.
    Within one list, M duplicate pairs among the ``once`` records that have a
    duplicate leave |S| - once records without one: two of those may pair at no cost, a
    pair touching a record that has a duplicate already costs beta (the list's
    continuation probability, ``repeat``; ``_message``), one touching two of them
    beta^2. Counting the pairs so weighted, (|S| - (1 - beta) once)^2 / 2 rho = M: at
    beta = 0, where the duplicates form a matching (once = 2M), (|S| - 2M)^2 / 2 rho = M;
    at beta = 1 the pairwise prior, |S|^2 / 2 rho = M.
    """
    s = np.repeat(sizes, k).reshape(k, k)
    t = s.T
    m = expected.reshape(k, k)
    m = np.triu(m) + np.triu(m, 1).T
    with np.errstate(divide="ignore", invalid="ignore"):
        across = m / (np.maximum(s - m, 1.0) * np.maximum(t - m, 1.0))
        free = s - (1 - repeat[:, None]) * once[:, None]
        within = 2 * m / np.maximum(free, 1.0) ** 2
    odds = np.where(np.eye(k, dtype=bool), within, across)
    # No upper bound but the floors above (at most M): when nearly everyone is in both
    # lists (FEBRL 4) the odds are rightly large.
    return np.maximum(np.nan_to_num(odds, nan=0.0), 1e-15)


def _m_step(
    vectors: PairVectors,
    comp: Comparison,
    probability: np.ndarray,
    floor: float,
    cap: float,
) -> np.ndarray:
    level = vectors.levels[comp.name]
    seen = level >= 0
    counts = np.bincount(level[seen], weights=probability[seen], minlength=len(comp.labels))
    total = counts.sum()
    if total <= 0:
        return comp.m.copy()
    m = counts / total
    against = list(comp.disagree)
    if against:
        share = m[against].sum()
        rest = 1.0 - share
        if share > cap and rest > 0:
            others = [i for i in range(len(m)) if i not in comp.disagree]
            m[against] *= cap / share
            m[others] *= (1.0 - cap) / rest
    m = np.maximum(m, floor)
    return m / m.sum()


def fit(
    vectors: PairVectors,
    comparisons: Sequence[Comparison],
    odds: np.ndarray,
    *,
    m_floor: float,
    m_disagree_max: float,
    max_iterations: int,
    tolerance: float,
    repeat: np.ndarray | None = None,
) -> Fit:
    """EM for m and the prior odds of each pair of lists, from starting values.

    Each E-step is one sweep of belief propagation from the last step's messages, so
    the messages and the parameters converge together. Converged means that within
    ``max_iterations`` no m moved by more than ``tolerance`` and no prior odds by more
    than ``ODDS_TOLERANCE_SCALE`` times it, relatively. The probabilities returned are
    those of the last E-step; ``probabilities`` gives them under the final parameters,
    from fresh messages, the same steps a stored model re-scores with.
    """
    g = _Graph(vectors)
    sizes = list_sizes(vectors)
    k = vectors.n_sources
    m = {c.name: c.m.copy() for c in comparisons}
    odds = odds.copy()
    beta = np.zeros(k) if repeat is None else np.asarray(repeat, float).copy()
    messages = np.ones(2 * len(vectors))
    probability: np.ndarray | None = None
    history: list[float] = []
    converged = False
    for _ in range(max_iterations):
        w = odds.ravel()[g.list_pair] * bayes_factors(vectors, comparisons, m)
        messages, probability = g.sweep(w, messages, probability, beta)
        expected = np.bincount(g.list_pair, weights=probability, minlength=k * k)
        new_beta, once = _repeat(vectors, g, probability, beta)
        new_odds = _odds(expected, sizes, k, new_beta, once)
        # Odds relative to a tenth of their scale, m absolute (as Splink's EM): small
        # m values of rare levels wander in the fourth decimal long after the rest.
        change = _relative_change(odds, new_odds) / ODDS_TOLERANCE_SCALE
        change = max(change, float(np.abs(new_beta - beta).max(initial=0)))
        odds, beta = new_odds, new_beta
        for comp in comparisons:
            new_m = _m_step(vectors, comp, probability, m_floor, m_disagree_max)
            change = max(change, float(np.abs(new_m - m[comp.name]).max(initial=0)))
            m[comp.name] = new_m
        history.append(change)
        if change < tolerance:
            converged = True
            break
    if probability is None:
        probability = np.zeros(len(vectors))
    return Fit(m, odds, beta, probability, len(history), converged, history)


def _repeat(
    vectors: PairVectors, g: _Graph, probability: np.ndarray, current: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each list's continuation probability: of the records that have a duplicate in
    their own list, the share that have two or more.

    A record has two duplicates only if they are duplicates of each other: three
    records of one person close a triangle of pairs that all match. A record whose
    namesakes each might be its duplicate has several likely pairs but, as long as the
    namesakes differ from each other, no likely triangle, so it counts once however many
    it has. (Counting d by its pairs alone, as if they were independent, took such
    records for repeated ones: on 100,000 simulated records, seed 11, the Kazakhstan and
    police lists, which name nobody more than twice, came out at 0.56 and 0.21 after 50
    EM steps, not converged; by triangles 0.05 and 0.01.) Per
    record, P(d >= 1) = 1 - prod(1 - p) over its within-list pairs and
    P(d >= 2) = 1 - prod(1 - p_ab p_ac p_bc) over the triangles it is in, pairs below
    ``DUPLICATE_FLOOR`` left out. The share is their ratio, summed over the list; a list
    with no within-list pair keeps ``current``. Also returned: the expected number of
    records with a duplicate, per list (``once``, for ``_odds``).
    """
    k, n = vectors.n_sources, len(vectors.source)
    within = np.flatnonzero(g.same_list)
    p = probability[within]
    lo = np.minimum(vectors.left[within], vectors.right[within])
    hi = np.maximum(vectors.left[within], vectors.right[within])
    with np.errstate(divide="ignore"):
        none = np.log1p(-np.minimum(p, 1.0))
    log_none = np.bincount(lo, weights=none, minlength=n) + np.bincount(
        hi, weights=none, minlength=n
    )
    once = np.bincount(vectors.source, weights=-np.expm1(log_none), minlength=k)
    log_no_triangle = np.zeros(n)
    likely = p >= DUPLICATE_FLOOR
    a, b, q = lo[likely], hi[likely], p[likely]
    if len(q):
        # Triangles a < b < c of likely pairs: each pair (a, b) with every likely pair
        # (a, c), c > b, whose (b, c) is likely too.
        order = np.lexsort((b, a))
        a, b, q = a[order], b[order], q[order]
        key = a * n + b
        # Sorted by a, then b: the pairs (a, c) with c > b are the rest of a's run.
        after = np.searchsorted(a, a, side="right") - (np.arange(len(a)) + 1)
        ab = np.repeat(np.arange(len(a)), after)
        ac = ab + 1 + np.arange(after.sum()) - np.repeat(np.cumsum(after) - after, after)
        bc_key = b[ab] * n + b[ac]
        pos = np.minimum(np.searchsorted(key, bc_key), len(key) - 1)
        hit = key[pos] == bc_key
        t = q[ab[hit]] * q[ac[hit]] * q[pos[hit]]
        with np.errstate(divide="ignore"):
            gone = np.log1p(-np.minimum(t, 1.0))
        for corner in (a[ab[hit]], b[ab[hit]], b[ac[hit]]):
            log_no_triangle += np.bincount(corner, weights=gone, minlength=n)
    twice = np.bincount(vectors.source, weights=-np.expm1(log_no_triangle), minlength=k)
    out = current.copy()
    seen = once > 0
    out[seen] = np.clip(twice[seen] / once[seen], 0.0, 1.0)
    return out, once


def _relative_change(old: np.ndarray, new: np.ndarray) -> float:
    scale = np.maximum(np.abs(old), 1e-12)
    return float(np.max(np.abs(new - old) / scale)) if old.size else 0.0
