"""Poisson log-linear fits on the incomplete 2^J table, as R's ``glm.fit`` does them.

The IRLS here follows R's ``glm.fit`` step for step (start at y + 0.1, the same
convergence test; Rcapture's models pass R's iteration limit, ``R_MAXIT``), because
Rcapture's figures for hard, nearly divergent fits depend on where the iterations
stop; matching the algorithm is the only way to match those figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

EPS = 1e-8
R_MAXIT = 25  # glm.control()'s maxit, which Rcapture leaves at its default
# glm.fit warns "fitted rates numerically 0 occurred" below 10 * .Machine$double.eps.
ZERO_RATE = 10 * np.finfo(float).eps


@dataclass
class PoissonFit:
    coef: np.ndarray  # NaN for aliased columns
    mu: np.ndarray
    deviance: float
    aic: float
    df_resid: int
    rank: int
    converged: bool
    iterations: int
    cov: np.ndarray  # covariance of the non-aliased coefficients, full size with NaN
    kept: np.ndarray  # bool mask of non-aliased columns
    warnings: list[str] = field(default_factory=list)
    fitted_zero: bool = False  # some fitted value below ZERO_RATE (R's glm.fit warns)
    failed: bool = False  # the deviance became infinite and the fit was abandoned


def independent_columns(X: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    """Greedy in-order column selection, like R's limited-pivoting QR (dqrdc2)."""
    keep = np.zeros(X.shape[1], dtype=bool)
    basis = np.zeros((X.shape[0], 0))
    for j in range(X.shape[1]):
        col = X[:, j].astype(float)
        norm = np.linalg.norm(col)
        if norm == 0:
            continue
        resid = col - basis @ (basis.T @ col) if basis.shape[1] else col
        if np.linalg.norm(resid) > tol * norm:
            keep[j] = True
            basis = np.column_stack([basis, resid / np.linalg.norm(resid)])
    return keep


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2.0 * np.sum(term - (y - mu)))


def poisson_loglik(y: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogmu = np.where(y > 0, y * np.log(mu), 0.0)
    return float(np.sum(ylogmu - mu - special.gammaln(y + 1.0)))


def fit_poisson(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray | None = None, maxit: int = 200
) -> PoissonFit:
    """Fit log E[y] = offset + X b by IRLS (X includes the intercept column)."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    off = np.zeros_like(y) if offset is None else np.asarray(offset, dtype=float)
    kept = independent_columns(X)
    Xk = X[:, kept]
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = poisson_deviance(y, mu)
    converged = False
    beta = np.zeros(Xk.shape[1])
    it = 0
    warnings: list[str] = []
    failed = False
    w = np.sqrt(mu)  # the working weights of the last step (kept for the covariance)
    for it in range(1, maxit + 1):  # noqa: B007 - the count is reported
        w = np.sqrt(mu)
        z = (eta - off) + (y - mu) / mu
        beta, *_ = np.linalg.lstsq(Xk * w[:, None], z * w, rcond=None)
        eta = off + Xk @ beta
        mu = np.exp(np.clip(eta, -700, 700))
        dev = poisson_deviance(y, mu)
        if not math.isfinite(dev):
            warnings.append("deviance became infinite; fit abandoned")
            failed = True
            break
        if abs(dev - dev_old) / (abs(dev) + 0.1) < EPS:
            converged = True
            break
        dev_old = dev
    if not converged and not warnings:
        warnings.append(f"the fit did not converge in {maxit} iterations")
    fitted_zero = bool(np.any(mu < ZERO_RATE))
    if fitted_zero:
        warnings.append("fitted rates numerically 0 occurred (a parameter is at infinity)")
    # R's glm.fit keeps the QR decomposition of the last weighted least-squares step,
    # whose weights are the fitted values *before* that step's update; summary.glm's
    # covariance comes from it. For a well-behaved fit the two are the same to the
    # convergence tolerance; for a fit with a cell running off to 0 they differ by a
    # factor of about e on that cell, and Rcapture's standard error and asymptotic
    # bias (hence its infoFit flag) are computed from R's version.
    info = (Xk * w[:, None]).T @ (Xk * w[:, None])
    try:
        cov_k = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov_k = np.full(info.shape, np.nan)
    coef = np.full(X.shape[1], np.nan)
    coef[kept] = beta
    cov = np.full((X.shape[1], X.shape[1]), np.nan)
    cov[np.ix_(kept, kept)] = cov_k
    rank = int(kept.sum())
    dev = poisson_deviance(y, mu)
    aic = -2.0 * poisson_loglik(y, mu) + 2.0 * rank
    return PoissonFit(
        coef,
        mu,
        dev,
        aic,
        len(y) - rank,
        rank,
        converged,
        it,
        cov,
        kept,
        warnings,
        fitted_zero=fitted_zero,
        failed=failed,
    )


def n_hat(fit: PoissonFit, n: int) -> tuple[float, float]:
    """Abundance n + exp(b0) and Rcapture's standard error for it."""
    b0 = float(fit.coef[0])
    m0 = math.exp(b0) if b0 < 700 else math.inf
    var0 = float(fit.cov[0, 0])
    se = math.sqrt(m0 + m0 * m0 * var0) if math.isfinite(m0) and var0 >= 0 else math.nan
    return n + m0, se


def asymptotic_bias(fit: PoissonFit, X: np.ndarray) -> float:
    """Second-order bias of the unlisted-cell estimate exp(b0), hence of N = n + exp(b0).

    This is the bias Rcapture reports for its log-linear models (Rivest & Levesque
    2001) and tests against 10% of N for its ``infoFit`` flag. For a Poisson model
    with the log (canonical) link the O(1/n) bias of the coefficients is
    ``-1/2 V X' (mu * z)``, with V the inverse information and z_i = x_i' V x_i
    (Cordeiro & McCullagh 1991); the delta method to second order adds ``V00 / 2``
    for the exponential:

        bias(exp(b0)) = exp(b0) * (bias(b0) + V00 / 2).

    X is the design the fit was given (intercept first), V is ``fit.cov`` (R's
    convention, see ``fit_poisson``) and mu the final fitted values, as in R. NaN
    when a column is aliased: R does not compute the bias then.
    """
    b0 = float(fit.coef[0])
    if not fit.kept.all() or not b0 < 700:
        return math.nan
    V = fit.cov
    z = np.einsum("ij,jk,ik->i", X, V, X)
    bias_beta = -0.5 * V @ (X.T @ (fit.mu * z))
    return math.exp(b0) * (float(bias_beta[0]) + 0.5 * float(V[0, 0]))


def profile_interval(
    y_obs: np.ndarray,
    X_obs: np.ndarray,
    x0: np.ndarray,
    level: float = 0.95,
    max_factor: float = 200.0,
) -> tuple[float, float, list[str]]:
    """Profile-likelihood interval for N (Cormack 1992), multinomial likelihood.

    For a candidate N, the complete 2^J table with N - n in the unobserved cell is
    fitted by the same log-linear model; the multinomial log-likelihood of N is then
    log N!/(N-n)! + sum y log(mu/N). The interval holds every N within
    chi2_1(level)/2 of the maximum.
    """
    n = float(np.sum(y_obs))
    X_full = np.vstack([x0[None, :], X_obs])
    const = -float(np.sum(special.gammaln(y_obs + 1.0)))
    notes: list[str] = []

    def loglik(N: float) -> float:
        y = np.concatenate([[N - n], y_obs])
        fit = fit_poisson(y, X_full, maxit=100)
        mu = np.maximum(fit.mu, 1e-300)
        with np.errstate(divide="ignore", invalid="ignore"):
            ll = np.where(y > 0, y * np.log(mu / N), 0.0).sum()
        return float(special.gammaln(N + 1) - special.gammaln(N - n + 1) + const + ll)

    hi_limit = n * max_factor + 1000
    res = optimize.minimize_scalar(
        lambda t: -loglik(n + math.exp(t)), bounds=(-5.0, math.log(hi_limit)), method="bounded"
    )
    n_max = n + math.exp(res.x)
    l_max = -float(res.fun)
    crit = stats.chi2.ppf(level, 1) / 2.0

    def gap(N: float) -> float:
        return l_max - loglik(N) - crit

    lower = n
    if gap(n + 1e-9) > 0:
        lower = optimize.brentq(gap, n + 1e-9, n_max, xtol=1e-6, rtol=1e-10)
    upper = math.inf
    hi = n_max
    while hi < hi_limit:
        nxt = min(hi_limit, n + (hi - n) * 2.0 + 1.0)
        if gap(nxt) > 0:
            upper = optimize.brentq(gap, hi, nxt, xtol=1e-6, rtol=1e-10)
            break
        hi = nxt
    if not math.isfinite(upper):
        notes.append(
            f"the upper end of the interval is beyond {hi_limit:.0f} ({max_factor:g} x n): "
            "the data do not bound N from above under this model"
        )
    return lower, upper, notes
