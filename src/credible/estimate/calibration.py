"""Calibrating a link run's match probabilities on reviewers' decisions before drawing.

Linkage draws are only as honest as the probabilities they draw from (a condition of
Sadinle's linkage-averaging), and the list-aware model's are cautious: pairs it scores
0.4–0.9 are matches more often than that (docs/linkage.md). Reviewers' decisions are
labels: each decided pair has the model's probability and the reviewer's answer. Platt
scaling fits P(match | p) = σ(a + b · logit p) to them by maximum likelihood, with a
weak normal prior pulling (a, b) towards the identity (0, 1), so a handful of
decisions moves the probabilities a little and many move them as far as the evidence
says. Two parameters, monotone, smooth: isotonic regression would need hundreds of
decisions spread over the whole range to be stable.

It is valid when the reviewers chose their pairs by probability (the review queue
does: it orders pairs by how uncertain the model is), not by how the records look:
then, at each p, the decided pairs are a fair sample of the undecided ones. No truth
other than the reviewers' decisions enters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, logit

from credible.estimate.linkdraws import ScoredLinkage

#: Decisions needed before the probabilities are recalibrated, and of each answer.
MIN_DECISIONS = 30
MIN_EACH = 5
#: Prior standard deviation of (a, b) around the identity (0, 1).
PRIOR_SD = 1.0
_EPS = 1e-6


@dataclass(frozen=True)
class Calibration:
    """σ(a + b · logit p), fitted on ``n`` decisions (``matches`` of them accepted)."""

    a: float
    b: float
    n: int
    matches: int

    def __call__(self, p: np.ndarray) -> np.ndarray:
        q = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
        out = expit(self.a + self.b * logit(q))
        # certainty stays certainty: a pair the model scored 0 or 1 is not reopened
        return np.where(p <= 0, 0.0, np.where(p >= 1, 1.0, out))

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "Platt scaling on reviewers' decisions",
            "a": self.a,
            "b": self.b,
            "decisions": self.n,
            "accepted": self.matches,
        }


def fit_platt(prob: np.ndarray, label: np.ndarray) -> Calibration:
    """Platt scaling of ``prob`` against 0/1 ``label``, MAP under the identity prior."""
    x = logit(np.clip(np.asarray(prob, dtype=float), _EPS, 1 - _EPS))
    y = np.asarray(label, dtype=float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = theta
        eta = a + b * x
        # −log likelihood, written stably: log(1 + e^η) − yη
        nll = float(np.sum(np.logaddexp(0.0, eta) - y * eta))
        r = expit(eta) - y
        pen = ((a - 0.0) ** 2 + (b - 1.0) ** 2) / (2 * PRIOR_SD**2)
        grad = np.array([r.sum() + a / PRIOR_SD**2, (r * x).sum() + (b - 1) / PRIOR_SD**2])
        return nll + pen, grad

    fit = minimize(loss, np.array([0.0, 1.0]), jac=True, method="L-BFGS-B")
    a, b = (float(v) for v in fit.x)
    return Calibration(a, b, len(y), int(y.sum()))


def decided_probabilities(scored: ScoredLinkage) -> tuple[np.ndarray, np.ndarray]:
    """The model's probability and the reviewer's answer for every decided scored pair."""
    pairs = scored.pairs
    lo = np.minimum(
        pairs["record_id_l"].to_numpy(np.int64), pairs["record_id_r"].to_numpy(np.int64)
    )
    hi = np.maximum(
        pairs["record_id_l"].to_numpy(np.int64), pairs["record_id_r"].to_numpy(np.int64)
    )
    score = (
        pd.Series(
            pairs["match_probability"].to_numpy(float), index=pd.MultiIndex.from_arrays([lo, hi])
        )
        .groupby(level=[0, 1])
        .max()
    )
    probs, labels = [], []
    for d in scored.decisions:
        key = (min(d.record_l, d.record_r), max(d.record_l, d.record_r))
        if key in score.index:
            probs.append(float(score.loc[key]))
            labels.append(1.0 if d.accept else 0.0)
    return np.array(probs), np.array(labels)


def calibrate(scored: ScoredLinkage) -> tuple[ScoredLinkage, dict[str, Any]]:
    """``scored`` with its probabilities recalibrated on its reviewers' decisions, when
    there are enough of them; otherwise unchanged. The second value says which."""
    prob, label = decided_probabilities(scored)
    n, yes = len(label), int(label.sum()) if len(label) else 0
    if n < MIN_DECISIONS or min(yes, n - yes) < MIN_EACH:
        return scored, {
            "method": "none",
            "reason": (
                f"{n} decided scored pairs ({yes} accepted): recalibrating needs at least "
                f"{MIN_DECISIONS}, with {MIN_EACH} of each answer"
            ),
        }
    cal = fit_platt(prob, label)
    pairs = scored.pairs.copy()
    pairs["match_probability"] = cal(pairs["match_probability"].to_numpy(float))
    return replace(scored, pairs=pairs), cal.to_dict()
