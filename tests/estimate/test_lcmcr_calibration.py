"""The LCMCR sampler checked against truths it must get right, not against R.

1. With K = 1 the model is Mt with Beta(1, 1) capture probabilities and p(N) ~ 1/N,
   whose posterior of N is known in closed form: the Gibbs draws of N (the
   negative-binomial step for the unlisted and the lambda step) must match it.
2. Simulation-based calibration (Talts et al. 2018): draw N and every parameter from
   LCMCR's own prior (N made proper by truncating 1/N to a range), draw the data, run
   the sampler. The posterior under the truncated prior is the sampler's posterior
   restricted to the range, so its 90% intervals must cover the true N in about 90% of
   replicates and the rank of the truth must be uniform. This exercises every step:
   classes, lambda, stick-breaking weights, alpha, N and the classes of the unlisted.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from credible.estimate import CaptureHistories
from credible.estimate.lcmcr import prior_population, sample_lcmcr


def _exact_mt_posterior(h: CaptureHistories, upper: int) -> tuple[np.ndarray, np.ndarray]:
    n = h.n_observed
    sizes = np.array(list(h.list_sizes().values()))
    big_n = np.arange(n, upper + 1)
    logp = (
        -np.log(big_n)
        + special.gammaln(big_n + 1)
        - special.gammaln(big_n - n + 1)
        + sum(special.betaln(1 + s, 1 + big_n - s) for s in sizes)
    )
    p = np.exp(logp - logp.max())
    return big_n, p / p.sum()


@pytest.mark.parametrize("seed", [1, 2])
def test_k1_matches_closed_form_posterior(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mat = (rng.random((600, 3)) < np.array([0.3, 0.2, 0.25])).astype(np.int8)
    h = CaptureHistories.from_matrix(mat)
    grid, post = _exact_mt_posterior(h, 20 * h.n_observed)
    cdf = np.cumsum(post)
    exact = [grid[np.searchsorted(cdf, q)] for q in (0.05, 0.5, 0.95)]
    draws, _, _, _ = sample_lcmcr(
        h, np.random.default_rng(seed), K=1, burnin=500, samples=4000, thinning=2, chains=2
    )
    got = np.quantile(draws.reshape(-1), [0.05, 0.5, 0.95])
    spread = exact[2] - exact[0]
    # Monte Carlo error of a quantile from ~8,000 well-mixed draws is a few % of the spread
    assert np.all(np.abs(got - np.array(exact)) < 0.06 * spread), (got, exact)


@pytest.mark.slow
def test_simulation_based_calibration() -> None:
    rng = np.random.default_rng(2018)
    lo, hi, K = 150, 600, 5
    ranks, covered = [], []
    for _ in range(120):
        n_true, mat = prior_population(rng, lo, hi, 4, K)
        h = CaptureHistories.from_matrix(mat)
        draws, _, _, _ = sample_lcmcr(
            h, rng, K=K, burnin=1000, samples=500, thinning=4, chains=2, workers=1
        )
        inside = draws.reshape(-1)
        inside = inside[(inside >= lo) & (inside <= hi)]
        if inside.size < 200:
            continue
        q05, q95 = np.quantile(inside, [0.05, 0.95])
        covered.append(q05 <= n_true <= q95)
        # N is discrete: ties with the truth are broken at random
        ranks.append(np.mean(inside < n_true) + np.mean(inside == n_true) * rng.random())
    assert len(ranks) >= 100
    assert 0.82 <= np.mean(covered) <= 0.97
    counts = np.histogram(ranks, bins=5, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > 0.001, counts


def test_collapsed_moves_keep_the_posterior() -> None:
    """The collapsed moves on the unlisted change how the chain moves, not where it
    goes: with and without them the posterior of N is the same (within Monte Carlo
    error), on data with a hard-to-see class where the two samplers differ most."""
    rng = np.random.default_rng(11)
    lam = np.array([[0.6, 0.1], [0.5, 0.08], [0.55, 0.12], [0.4, 0.05]])
    z = rng.random(3000) < 0.4
    mat = (rng.random((3000, 4)) < lam[:, z.astype(int)].T).astype(np.int8)
    h = CaptureHistories.from_matrix(mat[mat.any(axis=1)])
    quantiles = []
    for moves in (False, True):
        draws, _, _, _ = sample_lcmcr(
            h,
            np.random.default_rng(3),
            K=5,
            burnin=1000,
            samples=2000,
            thinning=10,
            chains=2,
            collapsed_moves=moves,
        )
        quantiles.append(np.quantile(draws.reshape(-1), [0.1, 0.5, 0.9]))
    plain, collapsed = quantiles
    spread = plain[2] - plain[0]
    assert np.all(np.abs(collapsed - plain) < 0.15 * spread), (plain, collapsed)
