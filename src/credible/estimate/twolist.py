"""Two-list estimators: Lincoln-Petersen and Chapman's bias-corrected form.

Both assume the two lists are independent and everyone is equally likely to be
listed; with more than two lists the pair of largest lists is used and every pair is
reported in the diagnostics (pairs that disagree are evidence of dependence).
"""

from __future__ import annotations

import itertools
import math

from scipy import stats

from credible.errors import CredibleError
from credible.estimate.histories import CaptureHistories
from credible.estimate.result import Estimate


def _pair_counts(h: CaptureHistories, a: int, b: int) -> tuple[int, int, int]:
    on_a = h.patterns[:, a] == 1
    on_b = h.patterns[:, b] == 1
    n1 = int(h.counts[on_a].sum())
    n2 = int(h.counts[on_b].sum())
    m = int(h.counts[on_a & on_b].sum())
    return n1, n2, m


def chapman_values(
    n1: float, n2: float, m: float, level: float = 0.95
) -> tuple[float, float, float]:
    """Chapman estimate with Chao's (1987) log-transformed interval for the unseen part
    (counts may be expectations, as in a correction for linkage errors)."""
    est = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    r = n1 + n2 - m
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    f0 = est - r
    if f0 <= 0 or var <= 0:
        return est, est, est
    z = stats.norm.ppf(0.5 + level / 2)
    c = math.exp(z * math.sqrt(math.log(1 + var / f0**2)))
    return est, r + f0 / c, r + f0 * c


def lincoln_petersen(n1: int, n2: int, m: int) -> float:
    return math.inf if m == 0 else n1 * n2 / m


def fit_chapman(h: CaptureHistories, level: float = 0.95) -> Estimate:
    if h.n_lists < 2:
        raise CredibleError("two-list estimators need at least two lists")
    sizes = h.list_sizes()
    order = sorted(range(h.n_lists), key=lambda i: (-sizes[h.lists[i]], i))
    a, b = sorted(order[:2])
    n1, n2, m = _pair_counts(h, a, b)
    est, lower, upper = chapman_values(n1, n2, m, level)
    warnings: list[str] = []
    if h.n_lists > 2:
        warnings.append(
            f"two-list estimate from the two largest lists ({h.lists[a]}, {h.lists[b]}); "
            "the other lists are ignored and the lists are assumed independent"
        )
    if m < 7:
        warnings.append(f"only {m} people are on both lists: the estimate is unstable")
    pairs = []
    for i, j in itertools.combinations(range(h.n_lists), 2):
        p1, p2, pm = _pair_counts(h, i, j)
        pe, pl, pu = chapman_values(p1, p2, pm, level)
        pairs.append(
            {
                "lists": [h.lists[i], h.lists[j]],
                "n1": p1,
                "n2": p2,
                "m": pm,
                "chapman": pe,
                "lower": pl,
                "upper": pu,
                "lincoln_petersen": lincoln_petersen(p1, p2, pm),
            }
        )
    return Estimate(
        method="chapman",
        model=f"Chapman ({h.lists[a]} x {h.lists[b]})",
        estimate=est,
        lower=lower,
        upper=upper,
        level=level,
        n_observed=h.n_observed,
        warnings=warnings,
        diagnostics={
            "n1": n1,
            "n2": n2,
            "m": m,
            "lincoln_petersen": lincoln_petersen(n1, n2, m),
            "pairs": pairs,
            "interval": "Chao (1987) log-normal interval for the unseen",
        },
    )
