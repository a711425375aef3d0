"""Convergence diagnostics across MCMC chains: split R-hat and effective sample size.

Both follow Gelman et al., Bayesian Data Analysis (3rd ed.), 11.4-11.5, as Stan
computes them: chains are split in halves, R-hat compares between- and within-chain
variance, and ESS sums autocorrelations (combined across chains) over Geyer's
initial monotone positive sequence.
"""

from __future__ import annotations

import numpy as np


def _split(chains: np.ndarray) -> np.ndarray:
    n = chains.shape[1]
    half = n // 2
    return np.vstack([chains[:, :half], chains[:, n - half :]])


def split_rhat(chains: np.ndarray) -> float:
    """Potential scale reduction; near 1 (say < 1.01-1.05) means the chains agree."""
    x = _split(np.asarray(chains, dtype=float))
    n = x.shape[1]
    if n < 2:
        return float("nan")
    means = x.mean(axis=1)
    w = x.var(axis=1, ddof=1).mean()
    b = n * means.var(ddof=1)
    if w == 0:
        return 1.0 if b == 0 else float("inf")
    var_plus = (n - 1) / n * w + b / n
    return float(np.sqrt(var_plus / w))


def _autocov(x: np.ndarray) -> np.ndarray:
    n = len(x)
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(x - x.mean(), size)
    ac = np.fft.irfft(f * np.conj(f), size)[:n]
    return ac / n


def ess(chains: np.ndarray) -> float:
    """Effective sample size of the pooled draws (Stan's multi-chain estimator)."""
    x = _split(np.asarray(chains, dtype=float))
    m, n = x.shape
    if n < 4:
        return float("nan")
    acov = np.array([_autocov(c) for c in x])
    chain_var = acov[:, 0] * n / (n - 1)
    w = chain_var.mean()
    var_plus = w * (n - 1) / n
    if m > 1:
        var_plus += x.mean(axis=1).var(ddof=1)
    if var_plus == 0:
        return float(m * n)
    rho = 1.0 - (w - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    # Geyer: sum pairs while positive, enforcing a monotone decrease.
    total = 0.0
    prev = np.inf
    t = 0
    while t + 1 < n:
        pair = rho[t] + rho[t + 1]
        if pair <= 0:
            break
        pair = min(pair, prev)
        total += pair
        prev = pair
        t += 2
    tau = -1.0 + 2.0 * total
    return float(m * n / max(tau, 1.0 / np.log10(m * n)))
