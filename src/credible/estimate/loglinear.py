"""Hierarchical log-linear models on the incomplete table, the best chosen by AIC (or BIC).

A model is a set of interaction terms (pairs and triples of lists) on top of the
main effects; hierarchical means a triple is only allowed when its three pairs are
in. With up to four lists every such model is fitted; with more, a stepwise search
(add or drop the term that most improves the criterion, until none does) starts from
independence. Models whose fit is not identifiable (design rank-deficient on the
observed cells) or whose MLE does not exist (IRLS drives a fitted cell to zero, a
parameter to infinity) are set aside, not chosen: on sparse lists those are exactly
the fits that give absurd totals.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from credible.errors import CredibleError
from credible.estimate.glm import (
    PoissonFit,
    fit_poisson,
    independent_columns,
    n_hat,
    profile_interval,
)
from credible.estimate.histories import CaptureHistories
from credible.estimate.rcapture import all_patterns
from credible.estimate.result import Estimate

Term = tuple[int, ...]


@dataclass
class Candidate:
    terms: tuple[Term, ...]
    fit: PoissonFit | None
    aic: float
    bic: float
    estimate: float
    reason: str | None = None  # why it was set aside


def model_name(terms: tuple[Term, ...], lists: tuple[str, ...]) -> str:
    if not terms:
        return "independence"
    return " + ".join(":".join(lists[i] for i in t) for t in terms)


def design(pats: np.ndarray, terms: tuple[Term, ...]) -> np.ndarray:
    cols = [np.ones(pats.shape[0]), *(pats[:, j] for j in range(pats.shape[1]))]
    cols += [np.prod(pats[:, list(t)], axis=1) for t in terms]
    return np.column_stack(cols)


def _fit(pats: np.ndarray, y: np.ndarray, n: int, terms: tuple[Term, ...]) -> Candidate:
    X = design(pats, terms)
    if not independent_columns(X).all():
        return Candidate(terms, None, math.inf, math.inf, math.nan, "not identifiable")
    fit = fit_poisson(y, X)
    est, _ = n_hat(fit, n)
    zero_cells = y == 0
    if not fit.converged or not math.isfinite(est):
        reason = "did not converge"
    elif np.any(fit.mu[zero_cells] < 1e-6) and not n_is_bounded(X, y):
        reason = "the estimate of N does not exist (the unlisted cell tends to 0 or infinity)"
    else:
        reason = None
    bic = fit.aic - 2 * fit.rank + math.log(max(n, 1)) * fit.rank
    return Candidate(terms, fit, fit.aic, bic, est, reason)


def n_is_bounded(X: np.ndarray, y: np.ndarray) -> bool:
    """Whether the MLE of the unlisted cell (intercept) is finite and positive.

    A fitted cell can drift to 0 (a parameter to infinity, the MLE of the parameters
    does not exist) while N stays well defined. N itself is lost when some direction
    d keeps every positive cell fixed (X_pos d = 0), lowers no zero cell's
    likelihood (X_zero d <= 0) and moves the intercept (d_0 != 0); a linear programme
    finds such a direction if there is one.
    """
    pos, zero = X[y > 0], X[y == 0]
    p = X.shape[1]
    bounds = [(-1.0, 1.0)] + [(None, None)] * (p - 1)
    a_ub = zero if len(zero) else None
    b_ub = np.zeros(len(zero)) if len(zero) else None
    for sign in (-1.0, 1.0):
        c = np.zeros(p)
        c[0] = sign  # minimise sign * d0: finds the most negative / positive d0
        res = optimize.linprog(
            c,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=pos,
            b_eq=np.zeros(len(pos)),
            bounds=bounds,
            method="highs",
        )
        if res.status == 0 and abs(res.fun) > 1e-7:
            return False
    return True


def _hierarchical_exhaustive(j: int) -> list[tuple[Term, ...]]:
    pairs = list(itertools.combinations(range(j), 2))
    models: list[tuple[Term, ...]] = []
    for r in range(len(pairs) + 1):
        for edges in itertools.combinations(pairs, r):
            es = set(edges)
            triples = [
                t
                for t in itertools.combinations(range(j), 3)
                if j > 3 and all(p in es for p in itertools.combinations(t, 2))
            ]
            for q in range(len(triples) + 1):
                for tri in itertools.combinations(triples, q):
                    models.append(tuple(edges) + tuple(tri))
    return models


def _neighbours(terms: tuple[Term, ...], j: int) -> list[tuple[Term, ...]]:
    have = set(terms)
    out = []
    for p in itertools.combinations(range(j), 2):
        if p not in have:
            out.append((*terms, p))
    for t in itertools.combinations(range(j), 3):
        if t not in have and all(p in have for p in itertools.combinations(t, 2)):
            out.append((*terms, t))
    for term in terms:
        if len(term) == 2 and any(len(o) == 3 and set(term) <= set(o) for o in terms):
            continue
        out.append(tuple(x for x in terms if x != term))
    return out


def fit_loglinear_model(
    h: CaptureHistories, terms: tuple[Term, ...], level: float = 0.95
) -> tuple[float, float, float, float]:
    """One given model: (estimate, lower, upper, AIC), profile-likelihood interval."""
    pats = all_patterns(h.n_lists)
    y = h.full_table()[1:].astype(float)
    cand = _fit(pats, y, h.n_observed, terms)
    if cand.fit is None or cand.reason is not None:
        raise CredibleError(f"model {model_name(terms, h.lists)}: {cand.reason}")
    X = design(pats, terms)
    zero_row = np.zeros(X.shape[1])
    zero_row[0] = 1.0
    lower, upper, _ = profile_interval(y, X, zero_row, level)
    return cand.estimate, lower, upper, cand.aic


def fit_loglinear(
    h: CaptureHistories,
    level: float = 0.95,
    criterion: str = "AIC",
    exhaustive_max_lists: int = 4,
    max_steps: int = 60,
) -> Estimate:
    if criterion not in ("AIC", "BIC"):
        raise CredibleError("criterion must be AIC or BIC")
    j = h.n_lists
    if j < 2:
        raise CredibleError("log-linear models need at least two lists")
    pats = all_patterns(j)
    y = h.full_table()[1:].astype(float)
    n = h.n_observed
    key = (lambda c: c.aic) if criterion == "AIC" else (lambda c: c.bic)
    seen: dict[tuple[Term, ...], Candidate] = {}

    def get(terms: tuple[Term, ...]) -> Candidate:
        canon = tuple(sorted(terms, key=lambda t: (len(t), t)))
        if canon not in seen:
            seen[canon] = _fit(pats, y, n, canon)
        return seen[canon]

    search = "exhaustive" if j <= exhaustive_max_lists else "stepwise"
    if search == "exhaustive":
        for terms in _hierarchical_exhaustive(j):
            get(terms)
    else:
        current = get(())
        for _ in range(max_steps):
            options = [get(t) for t in _neighbours(current.terms, j)]
            valid = [c for c in options if c.reason is None]
            best_next = min(valid, key=key, default=None)
            if best_next is None or key(best_next) >= key(current) - 1e-9:
                break
            current = best_next
    valid = sorted((c for c in seen.values() if c.reason is None), key=key)
    warnings: list[str] = []
    if not valid:
        return Estimate(
            method="loglinear",
            model="none",
            estimate=math.nan,
            lower=math.nan,
            upper=math.nan,
            level=level,
            n_observed=n,
            converged=False,
            warnings=["no log-linear model could be fitted: every candidate failed"],
            diagnostics={"models_tried": len(seen), "search": search},
        )
    best = valid[0]
    assert best.fit is not None
    set_aside = sum(1 for c in seen.values() if c.reason is not None)
    if set_aside:
        warnings.append(
            f"{set_aside} of {len(seen)} models set aside (not identifiable or no MLE): "
            "the lists overlap too little to support them"
        )
    X = design(pats, best.terms)
    zero_row = np.zeros(X.shape[1])
    zero_row[0] = 1.0
    lower, upper, notes = profile_interval(y, X, zero_row, level)
    warnings += notes
    if len(valid) > 1:
        runner = valid[1]
        if key(runner) - key(best) < 2 and abs(runner.estimate / best.estimate - 1) > 0.2:
            warnings.append(
                f"a model almost as good by {criterion} ({model_name(runner.terms, h.lists)}) "
                f"gives {runner.estimate:.0f} instead of {best.estimate:.0f}: model choice "
                "matters here"
            )
    _, se = n_hat(best.fit, n)
    top = [
        {
            "model": model_name(c.terms, h.lists),
            "estimate": c.estimate,
            "AIC": c.aic,
            "BIC": c.bic,
        }
        for c in valid[:5]
    ]
    return Estimate(
        method="loglinear",
        model=model_name(best.terms, h.lists),
        estimate=best.estimate,
        lower=lower,
        upper=upper,
        level=level,
        n_observed=n,
        converged=best.fit.converged,
        iterations=best.fit.iterations,
        warnings=warnings,
        diagnostics={
            "criterion": criterion,
            "AIC": best.aic,
            "BIC": best.bic,
            "deviance": best.fit.deviance,
            "df": best.fit.df_resid,
            "stderr": se,
            "search": search,
            "models_tried": len(seen),
            "models_set_aside": set_aside,
            "top_models": top,
            "interval": "profile likelihood (multinomial, Cormack 1992)",
        },
        settings={"criterion": criterion, "exhaustive_max_lists": exhaustive_max_lists},
    )
