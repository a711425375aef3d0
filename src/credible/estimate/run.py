"""Run several estimators on a set of histories, overall and by stratum, reproducibly.

Every method and stratum gets its own random stream derived from the run's seed and
its own name, so adding a method or a stratum never changes another's answer.
Stratified totals are summed draw by draw (Bayesian methods) or, for likelihood
methods, from normal approximations on the log scale fitted to each stratum's
interval, drawn with the same seeded generator; an interval is never added to an
interval.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

import credible
from credible.errors import CredibleError
from credible.estimate.dga import fit_dga
from credible.estimate.histories import CaptureHistories, HistorySet, histories_from_records
from credible.estimate.lcmcr import fit_lcmcr
from credible.estimate.loglinear import fit_loglinear
from credible.estimate.rcapture import fit_rcapture
from credible.estimate.result import METHODS, Estimate, EstimationRun
from credible.estimate.twolist import fit_chapman

BAYESIAN = ("lcmcr", "dga")
SPARSE_STRATUM = 20  # fewer observed people than this: warn
MIN_OVERLAP = 3


def method_rng(seed: int, method: str, stratum: str | None) -> np.random.Generator:
    tag = hashlib.sha256(f"{method}\0{stratum or ''}".encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(tag[:8], "little")])


def applicable(method: str, h: CaptureHistories) -> str | None:
    """Why ``method`` cannot run on ``h``, or None."""
    j = h.n_lists
    if h.n_observed == 0:
        return "no one is observed"
    if method in ("Mth-Chao", "Mth-Darroch", "Mth-Poisson2", "lcmcr") and j < 3:
        return f"{method} needs at least 3 lists"
    if method == "dga" and not 3 <= j <= 5:
        return "dga works with 3 to 5 lists"
    return None


def estimate_one(
    h: CaptureHistories,
    method: str,
    seed: int,
    level: float = 0.95,
    stratum: str | None = None,
    lcmcr_settings: dict[str, Any] | None = None,
    lcmcr_start: Any = None,
) -> Estimate:
    rng = method_rng(seed, method, stratum)
    fns: dict[str, Callable[[], Estimate]] = {
        "chapman": lambda: fit_chapman(h, level),
        "loglinear": lambda: fit_loglinear(h, level),
        "Mt": lambda: fit_rcapture(h, "Mt", level),
        "Mth-Chao": lambda: fit_rcapture(h, "Mth-Chao", level),
        "Mth-Darroch": lambda: fit_rcapture(h, "Mth-Darroch", level),
        "Mth-Poisson2": lambda: fit_rcapture(h, "Mth-Poisson2", level),
        "lcmcr": lambda: fit_lcmcr(h, rng, level, start=lcmcr_start, **(lcmcr_settings or {})),
        "dga": lambda: fit_dga(h, rng, level),
    }
    if method not in fns:
        raise CredibleError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    est = fns[method]()
    est.seed = seed
    est.stratum = stratum
    return est


def _not_run(
    method: str, h: CaptureHistories, reason: str, seed: int, stratum: str | None
) -> Estimate:
    return Estimate(
        method=method,
        model="not run",
        estimate=math.nan,
        lower=math.nan,
        upper=math.nan,
        level=0.95,
        n_observed=h.n_observed,
        converged=False,
        seed=seed,
        warnings=[reason],
        stratum=stratum,
    )


def _sparsity(h: CaptureHistories) -> list[str]:
    out = []
    if h.n_observed < SPARSE_STRATUM:
        out.append(f"only {h.n_observed} people observed: too sparse for a reliable estimate")
    overlap = int(h.counts[h.patterns.sum(axis=1) > 1].sum())
    if overlap < MIN_OVERLAP:
        out.append(
            f"only {overlap} people are on more than one list: the overlaps cannot tell "
            "how many were missed"
        )
    return out


def _draws_for(est: Estimate, rng: np.random.Generator, size: int) -> np.ndarray | None:
    """Draws representing ``est`` for summing strata (posterior draws, or log-normal)."""
    if est.draws is not None and len(est.draws):
        return rng.choice(est.draws, size=size, replace=True)
    if not (math.isfinite(est.estimate) and math.isfinite(est.lower) and math.isfinite(est.upper)):
        return None
    n = est.n_observed
    unseen, lo_u, hi_u = est.estimate - n, est.lower - n, est.upper - n
    if unseen <= 0 or lo_u <= 0:
        return np.full(size, est.estimate)
    z = stats.norm.ppf(0.5 + est.level / 2)
    sd = (math.log(hi_u) - math.log(lo_u)) / (2 * z)
    return n + np.exp(math.log(unseen) + sd * rng.standard_normal(size))


def _stratified_total(
    method: str, parts: list[Estimate], seed: int, level: float, by: str, size: int = 20000
) -> Estimate:
    rng = method_rng(seed, method, "\0total")
    draws = [_draws_for(p, rng, size) for p in parts]
    n = sum(p.n_observed for p in parts)
    missing = [p.stratum for p, d in zip(parts, draws, strict=True) if d is None]
    if missing:
        return Estimate(
            method=method,
            model=f"sum over {by}",
            estimate=math.nan,
            lower=math.nan,
            upper=math.nan,
            level=level,
            n_observed=n,
            converged=False,
            seed=seed,
            warnings=[f"no usable estimate in stratum/strata {missing}: no total"],
        )
    total = np.sum([d for d in draws if d is not None], axis=0)
    tail = (1 - level) / 2
    lo, med, hi = np.quantile(total, [tail, 0.5, 1 - tail])
    point = float(med) if method in BAYESIAN else float(sum(p.estimate for p in parts))
    how = (
        "sum of posterior draws"
        if method in BAYESIAN
        else (
            "sum of stratum estimates; interval from summed log-normal draws fitted to each "
            "stratum's interval (strata independent)"
        )
    )
    warnings = [f"stratum {p.stratum}: {w}" for p in parts for w in p.warnings]
    return Estimate(
        method=method,
        model=f"sum over {by} ({len(parts)} strata)",
        estimate=point,
        lower=float(lo),
        upper=float(hi),
        level=level,
        n_observed=n,
        converged=all(p.converged for p in parts),
        seed=seed,
        warnings=warnings,
        diagnostics={"combination": how, "strata": len(parts)},
        draws=total if method in BAYESIAN else None,
    )


def disagreement_warnings(estimates: Sequence[Estimate], factor: float = 1.5) -> list[str]:
    """Say so when methods' estimates differ by more than ``factor`` (they often do)."""
    usable = [e for e in estimates if math.isfinite(e.estimate) and e.model != "not run"]
    if len(usable) < 2:
        return []
    lo = min(usable, key=lambda e: e.estimate)
    hi = max(usable, key=lambda e: e.estimate)
    if lo.estimate <= 0 or hi.estimate / lo.estimate < factor:
        return []
    return [
        f"the methods disagree: {lo.method} gives {lo.estimate:,.0f} and {hi.method} gives "
        f"{hi.estimate:,.0f} (x{hi.estimate / lo.estimate:.1f}). Their assumptions differ; "
        "read docs/estimation.md before quoting any single figure"
    ]


def run_estimation(
    hs: HistorySet,
    methods: Sequence[str] | None = None,
    seed: int = 0,
    level: float = 0.95,
    lcmcr_settings: dict[str, Any] | None = None,
    lcmcr_starts: Mapping[str | None, Any] | None = None,
) -> EstimationRun:
    """Run ``methods`` (all by default) overall and, when stratified, per stratum.

    ``lcmcr_starts`` warm-starts LCMCR's chains, by stratum (None: overall), from
    another run's last states (``Estimate.state``)."""
    starts = lcmcr_starts or {}
    chosen = list(methods) if methods else list(METHODS)
    bad = [m for m in chosen if m not in METHODS]
    if bad:
        raise CredibleError(f"unknown method(s) {bad}; choose from {', '.join(METHODS)}")
    h = hs.overall
    estimates: list[Estimate] = []
    for m in chosen:
        why = applicable(m, h)
        estimates.append(
            _not_run(m, h, why, seed, None)
            if why
            else estimate_one(h, m, seed, level, None, lcmcr_settings, starts.get(None))
        )
    disagree = disagreement_warnings(estimates)
    for e in estimates:
        # each estimate carries it too: an estimate copied out of the run alone
        # must not lose the fact that other methods say something very different
        e.warnings.extend(disagree)
    run_warnings = disagree + _sparsity(h)
    strata_info: dict[str, dict[str, Any]] = {}
    if hs.strata:
        for m in chosen:
            parts = []
            for name, sh in hs.strata.items():
                why = applicable(m, sh)
                parts.append(
                    _not_run(m, sh, why, seed, name)
                    if why
                    else estimate_one(sh, m, seed, level, name, lcmcr_settings, starts.get(name))
                )
            estimates.extend(parts)
            total = _stratified_total(m, parts, seed, level, hs.by or "stratum")
            total.of_strata = True
            estimates.append(total)
        for name, sh in hs.strata.items():
            sparse = _sparsity(sh)
            strata_info[name] = {"n_observed": sh.n_observed, "warnings": sparse}
            run_warnings += [f"stratum {name}: {w}" for w in sparse]
    return EstimationRun(
        estimates=estimates,
        seed=seed,
        settings={"methods": chosen, "level": level, "lcmcr": lcmcr_settings or {}},
        version=credible.__version__,
        fingerprint=h.fingerprint(),
        lists=h.lists,
        list_sizes=h.list_sizes(),
        n_observed=h.n_observed,
        patterns=[
            {"pattern": [int(v) for v in p], "count": int(c)}
            for p, c in zip(h.patterns, h.counts, strict=True)
        ],
        by=hs.by,
        strata=strata_info,
        warnings=run_warnings,
    )


def estimate_from_records(
    records: pd.DataFrame,
    methods: Sequence[str] | None = None,
    by: str | None = None,
    seed: int = 0,
    level: float = 0.95,
    lcmcr_settings: dict[str, Any] | None = None,
) -> EstimationRun:
    """Estimate from a linkage run's per-record table (person_id, source, strata...),
    as ``credible.store.linked_records`` reads it."""
    if len(records) == 0:
        raise CredibleError("the linkage run links no records: there is nothing to count")
    return run_estimation(histories_from_records(records, by), methods, seed, level, lcmcr_settings)
