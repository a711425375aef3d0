"""Closed-population log-linear models of Rcapture's ``closedp.t``: Mt and the Mth family.

Mt: each list has its own capture probability, lists independent. Mth adds
heterogeneity between people through a function of the number of lists a person is
on (Rivest & Baillargeon 2007): Chao's lower bound (columns max(0, k - j + 1),
j = 3..J, with negative eta removed one at a time and the model refitted, as
Rcapture does), Darroch (k^2 / 2) and Poisson2 (2^k - 1).

Each estimate carries Rcapture's fit-problem code ``infoFit`` (diagnostic
``info_fit``), worked out by the same rule as Rcapture's (see ``fit_info``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from credible.errors import CredibleError
from credible.estimate.glm import (
    R_MAXIT,
    PoissonFit,
    asymptotic_bias,
    fit_poisson,
    n_hat,
    profile_interval,
)
from credible.estimate.histories import CaptureHistories
from credible.estimate.result import Estimate

RCAPTURE_MODELS = ("Mt", "Mth-Chao", "Mth-Darroch", "Mth-Poisson2")


def all_patterns(j: int) -> np.ndarray:
    """Every non-zero pattern over j lists, by code 1 .. 2^j - 1 (list 0 = lowest bit)."""
    codes = np.arange(1, 1 << j)
    return ((codes[:, None] >> np.arange(j)) & 1).astype(float)


def observed_table(h: CaptureHistories) -> tuple[np.ndarray, np.ndarray]:
    """Patterns and counts for every non-zero cell, zero counts included."""
    table = h.full_table()
    return all_patterns(h.n_lists), table[1:].astype(float)


def heterogeneity_columns(kind: str, k: np.ndarray, j: int) -> np.ndarray:
    if kind == "Chao":
        return np.column_stack([np.maximum(k - c + 1, 0) for c in range(3, j + 1)])
    if kind == "Darroch":
        return (k**2 / 2.0)[:, None]
    if kind == "Poisson2":
        return (2.0**k - 1.0)[:, None]
    raise CredibleError(f"unknown heterogeneity form {kind!r}")


def design(model: str, pats: np.ndarray) -> np.ndarray:
    ones = np.ones((pats.shape[0], 1))
    if model == "Mt":
        return np.hstack([ones, pats])
    kind = model.split("-", 1)[1]
    k = pats.sum(axis=1)
    return np.hstack([ones, pats, heterogeneity_columns(kind, k, pats.shape[1])])


def _fit_chao_lb(y: np.ndarray, X: np.ndarray, nca: int) -> tuple[list[PoissonFit], np.ndarray]:
    """Rcapture's Chao.neg: drop the first negative eta, refit, until none is negative.

    Returns every fit in order (the last is the model's) and the columns it kept;
    Rcapture keeps the warnings of all of them, so its fit-problem flag does too.
    """
    cols = np.arange(X.shape[1])
    fits = [fit_poisson(y, X, maxit=R_MAXIT)]
    while len(cols) > nca:
        eta = fits[-1].coef[nca:]
        if not np.any(eta < 0):
            break
        first = nca + int(np.flatnonzero(eta < 0)[0])
        cols = np.delete(cols, first)
        fits.append(fit_poisson(y, X[:, cols], maxit=R_MAXIT))
    return fits, cols


# Rcapture flags a fit whose asymptotic bias exceeds this share of N (getBiasWarn).
BIAS_LIMIT = 0.1


def fit_info(fits: Sequence[PoissonFit], bias: float, estimate: float) -> tuple[int, list[str]]:
    """Rcapture's ``infoFit`` code for a model, with the reasons for it in words.

    Rcapture (1.4-3 and 1.4-4, closedp.t) records every warning R's glm() gives while
    fitting a model (for Chao's lower bound, the fits before each negative eta is
    dropped too) plus one of its own, and sums them up in one code; the
    "Rcapture-package" help page documents it:

    * -1: the fit failed (R: glm stopped with an error; credible: the deviance became
      infinite and the IRLS was abandoned);
    * 1: the fit is questionable: "algorithm did not converge" (in R's 25
      iterations), or the asymptotic bias of N is more than 10% of N;
    * 2: "design matrix not of full rank": some parameter is not estimable;
    * 3: any other warning, in practice "fitted rates numerically 0 occurred" (a
      fitted cell below 10 machine epsilons), which the help page says is common
      with small counts and does not always mean the fit is questionable.

    Several kinds give the distinct digits in increasing order (13 = a type-1 and a
    type-3 warning), 0 none. This is that rule on the same conditions, tested as
    glm.fit tests them; glm's "algorithm stopped at boundary value" (a fitted value
    underflowing to exactly 0, which this IRLS does not let happen) has no
    counterpart.
    """
    if any(f.failed for f in fits):
        return -1, ["the fit failed: the deviance became infinite"]
    kinds: dict[int, list[str]] = {}
    if not all(f.converged for f in fits):
        kinds.setdefault(1, []).append(f"the fit did not converge in {R_MAXIT} iterations")
    if not math.isnan(bias) and abs(bias) > BIAS_LIMIT * estimate:
        kinds.setdefault(1, []).append(
            f"the asymptotic bias of N ({bias:+,.1f}) is more than {BIAS_LIMIT:.0%} of the estimate"
        )
    if not all(f.kept.all() for f in fits):
        kinds.setdefault(2, []).append(
            "the design is not of full rank: some parameters are not estimable"
        )
    if any(f.fitted_zero for f in fits):
        kinds.setdefault(3, []).append(
            "a fitted cell is numerically 0 (often harmless with small counts)"
        )
    code = int("".join(str(k) for k in sorted(kinds))) if kinds else 0
    return code, [reason for k in sorted(kinds) for reason in kinds[k]]


def fit_rcapture(
    h: CaptureHistories, model: str, level: float = 0.95, interval: bool = True
) -> Estimate:
    if model not in RCAPTURE_MODELS:
        raise CredibleError(f"unknown model {model!r}; choose from {', '.join(RCAPTURE_MODELS)}")
    j = h.n_lists
    if model != "Mt" and j < 3:
        raise CredibleError(f"{model} needs at least 3 lists (these histories have {j})")
    pats, y = observed_table(h)
    X = design(model, pats)
    warnings: list[str] = []
    dropped = 0
    cols = np.arange(X.shape[1])
    if model == "Mth-Chao":
        fits, cols = _fit_chao_lb(y, X, j + 1)
        fit = fits[-1]
        dropped = len(fits) - 1
        if dropped:
            warnings.append(
                f"{dropped} negative heterogeneity parameter(s) set to 0 (Chao lower bound)"
            )
    else:
        fit = fit_poisson(y, X, maxit=R_MAXIT)
        fits = [fit]
        eta = fit.coef[j + 1 :]
        if model != "Mt" and np.any(eta < 0):
            warnings.append(
                "negative heterogeneity parameter: the data show less heterogeneity than the "
                "model assumes; prefer Mt or Mth-Chao here"
            )
    # The IRLS's own warnings (no convergence, a rate numerically 0, a failed fit) are
    # the conditions of Rcapture's flag, which reports them below for every fit made.
    est, se = n_hat(fit, h.n_observed)
    bias = asymptotic_bias(fit, X[:, cols])
    info, info_reasons = fit_info(fits, bias, est)
    # A parameter running off to infinity shows as a fitted cell near 0 together with a
    # large coefficient; tiny fitted cells alone are normal in tables with many lists.
    boundary = bool(np.any(fit.mu < 1e-6)) and bool(np.nanmax(np.abs(fit.coef[1:])) > 10)
    ok = fit.converged and bool(np.isfinite(est))
    lower, upper = np.nan, np.nan
    if interval and ok:
        Xk = X[:, cols][:, fit.kept]
        lower, upper, notes = profile_interval(y, Xk, _zero_row(Xk), level)
        warnings += notes
    if boundary:
        warnings.append(
            "a fitted cell is numerically 0 (a parameter on the boundary): treat the estimate "
            "with caution"
        )
    if info != 0:
        verdict = (
            "not always a problem"
            if info == 3
            else "Rcapture calls such fits unreliable: treat the estimate with caution"
        )
        warnings.append(
            f"fit problem (Rcapture infoFit {info}): {'; '.join(info_reasons)}; {verdict}"
        )
    return Estimate(
        method=model,
        model=f"{model} (Rcapture closedp.t)",
        estimate=est,
        lower=lower,
        upper=upper,
        level=level,
        n_observed=h.n_observed,
        converged=ok,
        iterations=fit.iterations,
        warnings=warnings,
        diagnostics={
            "stderr": se,
            "deviance": fit.deviance,
            "df": fit.df_resid,
            "AIC": fit.aic,
            "parameters": fit.rank,
            "eta_set_to_zero": dropped,
            "boundary": boundary,
            "info_fit": info,
            "asymptotic_bias": bias,
            "interval": "profile likelihood (multinomial, Cormack 1992)",
        },
    )


def _zero_row(Xk: np.ndarray) -> np.ndarray:
    """Design row of the unobserved cell: intercept 1, every other column 0.

    All columns here (list indicators and heterogeneity terms) are 0 at k = 0, which
    holds for max(0, k - j + 1), k^2/2 and 2^k - 1 alike.
    """
    row = np.zeros(Xk.shape[1])
    row[0] = 1.0
    return row
