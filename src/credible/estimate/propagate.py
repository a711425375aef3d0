"""Estimates that carry the linkage's uncertainty: estimate on K drawn linkages, combine.

The stored linkage is estimated as before (the *fixed* figures). Then K linkages are
drawn from the run's match probabilities (``linkdraws``; first recalibrated on the
reviewers' decisions when there are enough, ``calibration``), each one's capture histories
are estimated with every method, and each method's K results are combined
(``pooling``). Draws that give the same histories as one already estimated reuse its
result (an estimate depends only on the histories, the settings and the seed).

Also computed here, from the same draws: which undecided pairs a reviewer should look
at first (the pairs the draws disagree on, ranked by their effect on the estimate), and
a Ding–Fienberg
style correction of the two-list estimate from the model's expected false links.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from credible.errors import CredibleError
from credible.estimate.calibration import calibrate
from credible.estimate.histories import HistorySet, histories_from_records
from credible.estimate.linkdraws import ScoredLinkage, draw_linkages, togetherness
from credible.estimate.pooling import combine
from credible.estimate.result import Estimate, EstimationRun
from credible.estimate.run import run_estimation
from credible.estimate.splitaudit import SplitAudit, correct_draw, split_rate
from credible.estimate.twolist import chapman_values

#: Pairs listed in the review suggestions.
REVIEW_SHOWN = 10


def draw_lcmcr_settings(settings: dict[str, Any] | None, draws: int) -> dict[str, Any]:
    """LCMCR's settings for one drawn linkage: one chain, and 1/K of the run's posterior
    draws (at least 200), so that the K linkages together give about as many draws as
    one run on the stored linkage. Each drawn linkage's chain starts where the stored
    linkage's chains ended, in turn (a warm start: the histories differ a little, the
    posterior little more), so a short burn-in, a tenth of the run's and at most 2,000
    sweeps, leaves it where its own posterior is; the thinning is the run's. Mixing is
    checked per chain by its effective sample size (one chain has no R-hat)."""
    from credible.estimate.lcmcr import DEFAULTS

    opts = {**DEFAULTS, **(settings or {})}
    total = int(opts["chains"]) * int(opts["samples"])
    return {
        **opts,
        "chains": 1,
        "burnin": min(max(int(opts["burnin"]) // 10, 200), 2000),
        "thinning": int(opts["thinning"]),
        "samples": max(200, -(-total // draws)),
    }


def draw_seed(seed: int, k: int) -> int:
    """The estimators' seed on the k-th drawn linkage: its own stream, reproducible."""
    return int(np.random.SeedSequence([seed, k]).generate_state(1, np.uint32)[0])


def _key(hs: HistorySet) -> tuple[str, ...]:
    return (hs.overall.fingerprint(), *(f"{k}={v.fingerprint()}" for k, v in hs.strata.items()))


def estimate_with_draws(
    scored: ScoredLinkage,
    draws: int,
    methods: Sequence[str] | None = None,
    by: str | None = None,
    seed: int = 0,
    level: float = 0.95,
    lcmcr_settings: dict[str, Any] | None = None,
    calibrated: bool = True,
    audit: SplitAudit | None = None,
) -> EstimationRun:
    """Every method on the stored linkage and on ``draws`` drawn ones, combined.

    With ``draws`` = 0 the run is the stored linkage's alone. With ``calibrated`` the
    probabilities are first recalibrated on the reviewers' decisions, when there are
    enough (``credible.estimate.calibration``). With an answered split ``audit``
    (``credible.estimate.splitaudit``) each draw also has its undetected splits
    joined as the audit estimates them, with the audit's sampling error.
    """
    fixed_hs = histories_from_records(scored.records, by)
    fixed = run_estimation(fixed_hs, methods, seed, level, lcmcr_settings)
    if draws == 0:
        fixed.settings["linkage_draws"] = 0
        return fixed
    calibration: dict[str, Any] = {"method": "none", "reason": "not asked for"}
    if calibrated:
        scored, calibration = calibrate(scored)
    rate = None
    if audit is not None and audit.answered():
        # the audit's found pairs are links in every draw; added after recalibrating,
        # since they were chosen at random among Persons, not by their probability
        rate = split_rate(scored, audit)
        scored = replace(scored, decisions=[*scored.decisions, *audit.decisions()])
    rng = np.random.default_rng([seed, 0x11AC])
    labels = draw_linkages(scored, draws, rng)
    if rate is not None and audit is not None:
        audit_rng = np.random.default_rng([seed, 0x5A17])
        labels = np.stack(
            [correct_draw(scored, row, rate, list(audit.answers), audit_rng) for row in labels]
        )
    cache: dict[tuple[str, ...], EstimationRun] = {_key(fixed_hs): fixed}
    runs: list[EstimationRun] = []
    per_draw = draw_lcmcr_settings(lcmcr_settings, draws)
    starts = {
        e.stratum: e.state
        for e in fixed.estimates
        if e.method == "lcmcr" and not e.of_strata and e.state is not None
    }
    for k, row in enumerate(labels):
        hs = histories_from_records(scored.with_labels(row), by)
        key = _key(hs)
        # The same histories give the same answer: estimated once, counted as often as
        # they are drawn (the stored linkage's among them).
        if key not in cache:
            cache[key] = run_estimation(
                hs, methods, draw_seed(seed, k), level, per_draw, lcmcr_starts=_nth(starts, k)
            )
        runs.append(cache[key])
    distinct = len({id(r) for r in runs})
    # Matched by method and stratum: a drawn linkage can lose a stratum (its only person
    # merged into someone else's), and then has no estimate for it.
    by_key = [{_slot(e): e for e in r.estimates} for r in runs]
    fixed.estimates = [
        combine(
            est,
            [d.get(_slot(est)) or _missing(est) for d in by_key],
            distinct,
        )
        for est in fixed.estimates
    ]
    persons = labels.max(axis=1) + 1
    fixed_labels = scored.fixed_labels()
    summary: dict[str, Any] = {
        "draws": draws,
        "seed": seed,
        "link_run": scored.link_run,
        "scheme": (
            "each undecided pair linked at random with its match probability; the linked "
            "pairs clustered by the link run's rule (average linkage at threshold "
            f"{scored.threshold:g}); reviewers' decisions fixed"
        ),
        "calibration": calibration,
        "pairs": len(scored.prob),
        "uncertain_pairs": int(scored.uncertain().sum()),
        "decided_pairs": len(scored.decisions),
        "persons_fixed": int(fixed_labels.max() + 1) if len(fixed_labels) else 0,
        "persons_drawn": {
            "min": int(persons.min()),
            "mean": float(persons.mean()),
            "max": int(persons.max()),
        },
        "distinct_histories": distinct,
        "lcmcr_per_draw": {
            **{k: per_draw[k] for k in ("chains", "burnin", "samples", "thinning")},
            "warm_start": bool(starts),
        },
        "review": review_priorities(scored, labels, fixed_labels),
        "bias_correction": two_list_correction(scored, fixed_labels, level),
        "split_audit": _audit_summary(audit, rate),
    }
    fixed.settings["linkage_draws"] = draws
    fixed.linkage = summary
    return fixed


def _nth(starts: dict[str | None, Any], k: int) -> dict[str | None, Any]:
    """The k-th drawn linkage starts where the stored linkage's (k mod chains)-th chain
    ended: when its chains sit in different modes (LCMCR at 20,000 people, see
    docs/estimation.md), the drawn linkages start in each in proportion, not all in
    the first chain's."""
    return {s: v[k % len(v)] if isinstance(v, list) else v for s, v in starts.items()}


def _audit_summary(audit: SplitAudit | None, rate: Any) -> dict[str, Any]:
    if audit is None:
        return {"used": False, "reason": "no split audit in the store"}
    if rate is None:
        return {
            "used": False,
            "reason": f"the split audit's {len(audit.sample)} sampled persons are not answered yet",
        }
    return {"used": True, "audit_run": audit.audit_run, **rate.to_dict()}


def _slot(e: Estimate) -> tuple[str, str | None, bool]:
    return (e.method, e.stratum, e.of_strata)


def _missing(e: Estimate) -> Estimate:
    """A drawn linkage's estimate for a stratum it does not have: none."""
    return replace(
        e, model="not run", estimate=math.nan, lower=math.nan, upper=math.nan, draws=None
    )


def review_priorities(
    scored: ScoredLinkage, labels: np.ndarray, fixed_labels: np.ndarray
) -> dict[str, Any]:
    """The undecided pairs whose review would narrow the estimate most, best first.

    A pair matters to the count when the draws disagree about it and when resolving it
    moves the estimate. Its **effect** is how many people the estimate moves when the
    pair is resolved against the stored run (its two Persons joined, or its second
    record taken out of their Person): the change in the capture-history counts times
    the estimate's sensitivity to each count. The sensitivity is the independence
    model's (``Mt``, refitted once per pattern with one person more): cheap, smooth, and
    right about direction and rough size (a cross-list link turns two people seen once
    into one seen twice, and lowers every estimate; a within-list link only removes a
    person). The **score** is the share of draws resolving the pair against the stored
    run times the effect squared: roughly the pair's part of the estimate's linkage
    variance. ``for_half`` and ``for_90_percent`` count the decisions that hold that
    share of the total score.
    """
    unc = np.flatnonzero(scored.uncertain())
    if len(unc) == 0:
        return {"pairs": [], "candidates": 0, "for_half": 0, "for_90_percent": 0}
    left, right, p = scored.left[unc], scored.right[unc], scored.prob[unc]
    together = togetherness(labels, left, right)
    fixed_together = fixed_labels[left] == fixed_labels[right]
    flips = (together != fixed_together[None, :]).mean(axis=0)
    effect = _pair_effects(scored, fixed_labels, left, right, fixed_together)
    score = flips * effect**2
    order = np.argsort(-score, kind="stable")
    order = order[score[order] > 0]
    total = float(score.sum())
    cumulative = np.cumsum(score[order]) / total if total > 0 else np.zeros(0)
    ids = scored.records["record_id"].to_numpy(np.int64)
    src = scored.records["source"].astype(str).to_numpy()
    shown = []
    for j in order[:REVIEW_SHOWN]:
        a, b = int(left[j]), int(right[j])
        shown.append(
            {
                "record_l": int(ids[a]),
                "record_r": int(ids[b]),
                "sources": [str(src[a]), str(src[b])],
                "probability": float(p[j]),
                "linked_in_stored_run": bool(fixed_together[j]),
                "share_of_draws_differing": float(flips[j]),
                "effect": float(effect[j]),
                "score": float(score[j]),
                "changes_pattern": bool(src[a] != src[b]),
            }
        )
    return {
        "pairs": shown,
        "candidates": len(order),
        "for_half": int(np.searchsorted(cumulative, 0.5) + 1) if len(order) else 0,
        "for_90_percent": int(np.searchsorted(cumulative, 0.9) + 1) if len(order) else 0,
        "effect_by": "Mt's sensitivity to each capture-history count",
    }


def _pair_effects(
    scored: ScoredLinkage,
    fixed_labels: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    fixed_together: np.ndarray,
) -> np.ndarray:
    """The change in Mt's estimate if each pair were resolved against the stored run."""
    from credible.estimate.histories import CaptureHistories
    from credible.estimate.rcapture import fit_rcapture

    src = scored.records["source"].astype(str).to_numpy()
    lists, list_of = np.unique(src, return_inverse=True)
    bit = (np.int64(1) << list_of.astype(np.int64)).astype(np.int64)
    persons = int(fixed_labels.max()) + 1 if len(fixed_labels) else 0
    code = np.zeros(persons, dtype=np.int64)
    np.bitwise_or.at(code, fixed_labels, bit)
    # records of each Person on each list: taking one out clears its list's bit only
    # when it was the Person's only record there
    on_list = pd.Series(1, index=pd.MultiIndex.from_arrays([fixed_labels, list_of]))
    per = on_list.groupby(level=[0, 1]).sum()
    n_same = per.reindex(
        pd.MultiIndex.from_arrays([fixed_labels[right], list_of[right]])
    ).to_numpy()
    pa, pb = code[fixed_labels[left]], code[fixed_labels[right]]
    rest = np.where(n_same > 1, pa, pa & ~bit[right])
    # joined: −A −B +(A|B); split: −A +rest +(b's list)
    minus1, minus2 = pa, np.where(fixed_together, 0, pb)
    plus1 = np.where(fixed_together, rest, pa | pb)
    plus2 = np.where(fixed_together, bit[right], 0)
    table = np.bincount(code, minlength=1 << len(lists)).astype(np.int64)
    table[0] = 0
    needed = np.unique(np.r_[minus1, minus2, plus1, plus2])
    needed = needed[needed > 0]
    j = len(lists)
    pats = ((np.arange(1 << j)[:, None] >> np.arange(j)) & 1).astype(np.int8)

    def mt(counts: np.ndarray) -> float:
        h = CaptureHistories(tuple(lists), pats[1:], counts[1:])
        return float(fit_rcapture(h, "Mt", interval=False).estimate)

    try:
        base = mt(table)
        grad = np.zeros(1 << j)
        for c in needed:
            bumped = table.copy()
            bumped[c] += 1
            grad[c] = mt(bumped) - base
    except (CredibleError, np.linalg.LinAlgError, ValueError, FloatingPointError):
        # a failed fit leaves the ranking to the draws alone
        return np.ones(len(left))
    grad[0] = 0.0
    effect = grad[plus1] + grad[plus2] - grad[minus1] - grad[minus2]
    return np.where(np.isfinite(effect), effect, 0.0)


def two_list_correction(
    scored: ScoredLinkage, fixed_labels: np.ndarray, level: float = 0.95
) -> dict[str, Any] | None:
    """Chapman's estimate from the two largest lists, with and without a correction of
    its counts for the linkage model's own expected errors (Ding and Fienberg 1994).

    Under the stored linkage, n1 and n2 people are on the two lists and m on both. The
    model expects Σ (1 − p) of the linked cross-list pairs to be false links and Σ p of
    the unlinked ones to be missed links (p the stored probability; a reviewer's
    decision counts as certain). The corrected overlap is m − false + missed; each
    list's own count loses the expected missed within-list duplicates and gains the
    expected false ones. Pairs the model never scored (below what the run keeps) add
    nothing: a link that blocking never proposed is beyond this correction.
    """
    src = scored.records["source"].astype(str).to_numpy()
    lists = np.unique(src)
    if len(lists) < 2:
        return None
    frame = pd.DataFrame({"person": fixed_labels, "source": src})
    on = frame.drop_duplicates().groupby("source")["person"].apply(set)
    by_size = sorted(lists, key=lambda s: (-len(on[s]), s))
    a, b = sorted(by_size[:2])
    n1, n2 = len(on[a]), len(on[b])
    m = len(on[a] & on[b])
    left, right, p = scored.left, scored.right, scored.model_prob
    sl, sr = src[left], src[right]
    linked = fixed_labels[left] == fixed_labels[right]
    cross = ((sl == a) & (sr == b)) | ((sl == b) & (sr == a))
    false_links = float(((1 - p) * (cross & linked)).sum())
    missed_links = float((p * (cross & ~linked)).sum())

    def within(s: str) -> float:
        same = (sl == s) & (sr == s)
        return float((p * (same & ~linked)).sum()) - float(((1 - p) * (same & linked)).sum())

    n1c = max(n1 - within(a), 0.0)
    n2c = max(n2 - within(b), 0.0)
    mc = min(max(m - false_links + missed_links, 0.0), min(n1c, n2c))
    est, lo, hi = chapman_values(n1, n2, m, level)
    cest, clo, chi = chapman_values(n1c, n2c, mc, level)
    return {
        "lists": [str(a), str(b)],
        "n1": n1,
        "n2": n2,
        "m": m,
        "expected_false_links": false_links,
        "expected_missed_links": missed_links,
        "n1_corrected": n1c,
        "n2_corrected": n2c,
        "m_corrected": mc,
        "chapman": {"estimate": est, "lower": lo, "upper": hi},
        "chapman_corrected": {"estimate": cest, "lower": clo, "upper": chi},
    }
