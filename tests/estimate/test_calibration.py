"""Recalibrating match probabilities on reviewers' decisions before linkage draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scipy.special import expit, logit

from credible.estimate import Decision, ScoredLinkage, draw_linkages, estimate_with_draws
from credible.estimate.calibration import MIN_DECISIONS, calibrate, fit_platt


def _scored(seed: int, pairs: int = 3000, a: float = 1.0, b: float = 1.3, decided: int = 300):
    """FICTIONAL records in pairs: each pair of records scored p, truly one person with
    probability σ(a + b logit p) (a cautious model when a > 0); ``decided`` of the pairs
    decided by a reviewer who knows."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.02, 0.98, pairs)
    truth = rng.random(pairs) < expit(a + b * logit(p))
    records = pd.DataFrame(
        {
            "record_id": np.arange(2 * pairs) + 1,
            "source": np.tile(["police", "testimony"], pairs),
            "person_id": np.repeat(np.arange(pairs), 2) * 2,
        }
    )
    # the stored linkage links the pairs the model put at 0.5 or above
    records.loc[1::2, "person_id"] = np.where(
        p >= 0.5, records["person_id"][::2], 2 * np.arange(pairs) + 1
    )
    table = pd.DataFrame(
        {
            "record_id_l": 2 * np.arange(pairs) + 1,
            "record_id_r": 2 * np.arange(pairs) + 2,
            "match_probability": p,
        }
    )
    pick = rng.choice(pairs, size=decided, replace=False)
    decisions = [Decision(int(2 * i + 1), int(2 * i + 2), bool(truth[i])) for i in pick]
    return ScoredLinkage(records, table, 0.5, decisions), p, truth


def test_platt_recovers_a_known_miscalibration() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0.02, 0.98, 4000)
    y = rng.random(4000) < expit(0.8 + 1.4 * logit(p))
    cal = fit_platt(p, y)
    assert abs(cal.a - 0.8) < 0.15 and abs(cal.b - 1.4) < 0.15
    # calibrated probabilities agree with the labels bin by bin; the raw ones do not
    q = cal(p)
    for lo in np.arange(0.1, 0.9, 0.2):
        inside = (p >= lo) & (p < lo + 0.2)
        assert abs(q[inside].mean() - y[inside].mean()) < 0.05
    assert abs(p[(p >= 0.3) & (p < 0.5)].mean() - y[(p >= 0.3) & (p < 0.5)].mean()) > 0.15


def test_calibrated_pairs_move_towards_the_reviewed_truth() -> None:
    scored, p, truth = _scored(5)
    out, info = calibrate(scored)
    assert info["decisions"] == 300 and info["a"] > 0.5
    q = out.pairs["match_probability"].to_numpy()
    band = (p > 0.3) & (p < 0.7)
    assert abs(q[band].mean() - truth[band].mean()) < abs(p[band].mean() - truth[band].mean())


def test_too_few_decisions_leave_the_probabilities_alone() -> None:
    scored, _, _ = _scored(5, decided=MIN_DECISIONS - 1)
    out, info = calibrate(scored)
    assert out is scored and info["method"] == "none"
    assert f"{MIN_DECISIONS - 1} decided" in info["reason"]


@hsettings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), a=st.floats(-2, 2), b=st.floats(0.2, 3))
def test_calibration_keeps_certainty_and_order(seed: int, a: float, b: float) -> None:
    from credible.estimate.calibration import Calibration

    p = np.r_[0.0, 1.0, np.sort(np.random.default_rng(seed).random(50))]
    q = Calibration(a, b, 0, 0)(p)
    assert q[0] == 0.0 and q[1] == 1.0
    assert np.all(np.diff(q[2:]) >= 0)


def test_calibrated_draws_never_redraw_decisions_and_are_reproducible() -> None:
    scored, _, _ = _scored(9, pairs=400, decided=60)
    cal, _ = calibrate(scored)
    first = draw_linkages(cal, 30, np.random.default_rng(1))
    again = draw_linkages(cal, 30, np.random.default_rng(1))
    assert np.array_equal(first, again)
    pos = {int(r): i for i, r in enumerate(scored.records["record_id"])}
    for d in scored.decisions:
        together = first[:, pos[d.record_l]] == first[:, pos[d.record_r]]
        assert together.all() if d.accept else not together.any()


def test_certain_linkage_with_decisions_reproduces_the_fixed_result() -> None:
    """Probabilities of 0 and 1 stay 0 and 1 after recalibration: the draws are the
    stored linkage, and the figures the fixed ones."""
    scored, p, _ = _scored(11, pairs=300, decided=0)
    certain = (p >= 0.5).astype(float)
    pairs = scored.pairs.assign(match_probability=certain)
    decisions = [
        Decision(int(r.record_id_l), int(r.record_id_r), bool(r.match_probability))
        for r in pairs.iloc[:40].itertuples()
    ]
    sl = ScoredLinkage(scored.records, pairs, 0.5, decisions)
    run = estimate_with_draws(sl, 5, ["chapman", "Mt"], seed=2)
    fixed = estimate_with_draws(sl, 0, ["chapman", "Mt"], seed=2)
    assert run.linkage["calibration"]["decisions"] == 40
    for e, f in zip(run.overall(), fixed.overall(), strict=True):
        assert (e.estimate, e.lower, e.upper) == (f.estimate, f.lower, f.upper)
