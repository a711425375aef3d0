"""The review list ranks undecided pairs by their effect on the estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credible.estimate import ScoredLinkage, draw_linkages, review_priorities


def _scored() -> ScoredLinkage:
    """FICTIONAL: 400 people on lists a, b, c (independent), each record its own Person in
    the stored run except the pairs below; three uncertain pairs, all left apart."""
    rng = np.random.default_rng(4)
    rows = [
        (person, lst)
        for person in range(400)
        for lst, p in (("a", 0.5), ("b", 0.4), ("c", 0.45))
        if rng.random() < p
    ]
    records = pd.DataFrame(rows, columns=["person_id", "source"])
    records["record_id"] = np.arange(len(records)) + 1
    by_list = {s: records.index[(records["source"] == s)].to_numpy() for s in "abc"}
    # three people seen once each, candidates for one another
    solo = records.groupby("person_id")["source"].transform("size") == 1
    a1, a2 = [i for i in by_list["a"] if solo[i]][:2]
    b1 = next(i for i in by_list["b"] if solo[i])
    ids = records["record_id"].to_numpy()
    pairs = pd.DataFrame(
        {
            "record_id_l": [ids[a1], ids[a1]],
            "record_id_r": [ids[b1], ids[a2]],
            "match_probability": [0.5, 0.5],
        }
    )
    return ScoredLinkage(records, pairs, 0.5)


def test_a_cross_list_link_lowers_the_estimate_more_than_a_within_list_one() -> None:
    scored = _scored()
    labels = draw_linkages(scored, 40, np.random.default_rng(1))
    out = review_priorities(scored, labels, scored.fixed_labels())
    by_kind = {p["changes_pattern"]: p for p in out["pairs"]}
    cross, within = by_kind[True], by_kind[False]
    # linking two people seen once on different lists into one seen twice: fewer unseen
    assert cross["effect"] < 0 and within["effect"] < 0
    assert abs(cross["effect"]) > abs(within["effect"]) + 0.5
    assert out["pairs"][0]["changes_pattern"]
    assert out["for_half"] == 1
