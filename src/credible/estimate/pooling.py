"""Combining the estimates of several drawn linkages into one, per method.

Bayesian methods (LCMCR, dga) pool their posterior draws of N across the linkages: the
pooled sample is a draw from the posterior averaged over the linkages (Sadinle's
linkage-averaging), and its median and quantiles are the estimate and interval.

The likelihood methods use Rubin's rules. Their intervals are profile-likelihood or
log-normal intervals, not a point ± a standard error, so each is turned into a
variance as ((upper − lower) / 2z)², z the normal quantile of the level: the variance
of the normal whose interval has that width. With K linkages, Q̄ = mean of the K
estimates, W = mean of those variances, B = the variance of the K estimates,
T = W + (1 + 1/K) B. The interval keeps each draw's asymmetry: it is
Q̄ − ā·f, Q̄ + b̄·f, where ā and b̄ are the mean distances from estimate to lower and
upper bound and f = (t_ν / z) · √(T / W), t_ν the Student quantile at Barnard and
Rubin's degrees of freedom ν = (K − 1)(1 + 1/r)², r = (1 + 1/K) B / W. With B = 0 it is
the draws' own interval.

For either, the share of the uncertainty that linkage adds is the between-linkage part
of the total variance: (1 + 1/K) B / T for Rubin's rules, and the variance of the
draws' posterior means over the pooled posterior variance for pooled draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import stats

from credible.estimate.result import Estimate

#: Effective sample size the linkages' single chains must add up to (see ``_mixed``).
POOLED_ESS = 400


def _finite(e: Estimate) -> bool:
    return e.model != "not run" and all(math.isfinite(v) for v in (e.estimate, e.lower, e.upper))


def rubin(
    estimates: Sequence[float], lowers: Sequence[float], uppers: Sequence[float], level: float
) -> dict[str, float]:
    """Rubin's rules on K (estimate, interval) triples; see the module's docstring."""
    q = np.asarray(estimates, dtype=float)
    lo = np.asarray(lowers, dtype=float)
    hi = np.asarray(uppers, dtype=float)
    k = len(q)
    z = float(stats.norm.ppf(0.5 + level / 2))
    qbar = float(q.mean())
    within = float(np.mean(((hi - lo) / (2 * z)) ** 2))
    between = float(q.var(ddof=1)) if k > 1 else 0.0
    extra = (1 + 1 / k) * between
    total = within + extra
    a_bar, b_bar = float(np.mean(q - lo)), float(np.mean(hi - q))
    if extra == 0:
        df, factor = math.inf, 1.0
    elif within == 0:
        df = float(k - 1)
        factor = math.nan
    else:
        r = extra / within
        df = (k - 1) * (1 + 1 / r) ** 2
        factor = float(stats.t.ppf(0.5 + level / 2, df)) / z * math.sqrt(total / within)
    if math.isnan(factor):  # no within-draw width: the interval is the between spread alone
        half = float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(total)
        lower, upper = qbar - half, qbar + half
    else:
        lower, upper = qbar - a_bar * factor, qbar + b_bar * factor
    return {
        "estimate": qbar,
        "lower": lower,
        "upper": upper,
        "within": within,
        "between": between,
        "total": total,
        "df": df,
        "linkage_share": extra / total if total > 0 else 0.0,
    }


def pooled_posterior(samples: Sequence[np.ndarray], level: float) -> dict[str, Any]:
    """Median and interval of the pooled posterior draws of N, and the linkage share.

    Each linkage weighs the same: a longer sample (a linkage estimated with more
    chains) is thinned, evenly, to the length of the shortest.
    """
    size = min(len(s) for s in samples)
    samples = [
        np.asarray(s, dtype=float)[np.linspace(0, len(s) - 1, size).round().astype(int)]
        for s in samples
    ]
    pooled = np.concatenate(samples)
    tail = (1 - level) / 2
    lo, med, hi = np.quantile(pooled, [tail, 0.5, 1 - tail])
    means = np.array([float(np.mean(s)) for s in samples])
    total = float(pooled.var())
    between = float(means.var())
    return {
        "estimate": float(med),
        "lower": float(lo),
        "upper": float(hi),
        "within": float(np.mean([np.var(s) for s in samples])),
        "between": between,
        "total": total,
        "linkage_share": between / total if total > 0 else 0.0,
        "draws": pooled,
    }


def combine(fixed: Estimate, per_draw: Sequence[Estimate], distinct: int) -> Estimate:
    """One method's estimate with the linkage uncertainty of ``per_draw`` carried in.

    ``fixed`` is the estimate on the stored linkage; ``distinct`` how many different
    sets of capture histories the draws gave. The result's ``estimate``, ``lower`` and
    ``upper`` carry the linkage uncertainty; ``diagnostics["linkage"]`` keeps the
    fixed-linkage figures beside them.
    """
    if fixed.model == "not run":  # not applicable to these lists: no linkage changes that
        return fixed
    k = len(per_draw)
    usable = [e for e in per_draw if _finite(e)]
    info: dict[str, Any] = {
        "draws": k,
        "usable_draws": len(usable),
        "distinct_histories": distinct,
        "fixed": {"estimate": fixed.estimate, "lower": fixed.lower, "upper": fixed.upper},
    }
    warnings = list(fixed.warnings)
    if not usable:
        info["combination"] = "none: no drawn linkage gave a usable estimate"
        return replace(
            fixed,
            estimate=math.nan,
            lower=math.nan,
            upper=math.nan,
            converged=False,
            warnings=[*warnings, "no drawn linkage gave a usable estimate"],
            diagnostics={**fixed.diagnostics, "linkage": info},
            draws=None,
        )
    if len(usable) < k:
        warnings.append(
            f"{k - len(usable)} of {k} drawn linkages gave no usable estimate; "
            "the interval combines the others"
        )
    bayes = all(e.draws is not None and len(e.draws) for e in usable)
    if distinct == 1 and len(usable) == k and _same_as(fixed, usable[0]):
        # Every draw is the stored linkage: the answer is the fixed one, exactly.
        combined: dict[str, Any] = {
            "estimate": fixed.estimate,
            "lower": fixed.lower,
            "upper": fixed.upper,
            "within": math.nan,
            "between": 0.0,
            "linkage_share": 0.0,
            "draws": fixed.draws,
        }
        info["combination"] = "every draw is the stored linkage"
    elif bayes:
        combined = pooled_posterior([e.draws for e in usable if e.draws is not None], fixed.level)
        info["combination"] = "posterior draws pooled over the linkages"
    else:
        combined = {
            **rubin(
                [e.estimate for e in usable],
                [e.lower for e in usable],
                [e.upper for e in usable],
                fixed.level,
            ),
            "draws": None,
        }
        info["combination"] = "Rubin's rules over the linkages"
        info["df"] = combined["df"]
    floor = min(e.n_observed for e in usable)
    lower = max(float(combined["lower"]), float(floor))
    upper = float(combined["upper"])
    width_fixed = fixed.upper - fixed.lower if _finite(fixed) else math.nan
    width = upper - lower
    info.update(
        {
            "within_variance": combined["within"],
            "between_variance": combined["between"],
            "linkage_share": combined["linkage_share"],
            "width_fixed": width_fixed,
            "width": width,
            "width_added": width - width_fixed,
            "n_observed": {
                "min": min(e.n_observed for e in usable),
                "max": max(e.n_observed for e in usable),
                "mean": float(np.mean([e.n_observed for e in usable])),
            },
        }
    )
    return replace(
        fixed,
        estimate=float(combined["estimate"]),
        lower=lower,
        upper=upper,
        converged=fixed.converged and _mixed(usable, info),
        warnings=warnings,
        diagnostics={**fixed.diagnostics, "linkage": info},
        draws=combined["draws"],
    )


def _mixed(usable: Sequence[Estimate], info: dict[str, Any]) -> bool:
    """Every draw converged; or, for single chains (one per linkage, no R-hat), their
    effective sample sizes add up to at least ``POOLED_ESS``: the pooled quantiles rest
    on as much information as one four-chain run needs (100 per chain)."""
    if all(e.converged for e in usable):
        return True
    single = [e for e in usable if _single_chain(e)]
    if len(single) < len(usable) - sum(e.converged for e in usable):
        return False
    total = float(sum(float(e.diagnostics.get("ess") or 0.0) for e in single))
    info["pooled_ess"] = total
    return total >= POOLED_ESS


def _single_chain(e: Estimate) -> bool:
    rhat = e.diagnostics.get("rhat")
    return isinstance(rhat, float) and math.isnan(rhat)


def _same_as(a: Estimate, b: Estimate) -> bool:
    return (a.estimate, a.lower, a.upper) == (b.estimate, b.lower, b.upper)
