"""Plain vs coherent linkage draws on linked populations kept by
``bench/estimate_end_to_end.py --cache`` (FICTIONAL, simulated).

For each population: the people seen on 1, 2 and 3+ lists (mean over 10 draws) against
the truth and the stored linkage, the share of true pairs and of false pairs that the
draws put together, and (with ``est``) Mth-Darroch, dga and LCMCR (short chains) with 10
draws, each way. One JSON line per population; the truth is only used to score.

    .venv/bin/python bench/estimate_coherent_draws.py est /tmp/count/cache/3000-101.pkl ...
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd

from credible.estimate import (
    ScoredLinkage,
    draw_linkages,
    estimate_with_draws,
    histories_from_records,
)

LCMCR_SETTINGS = {"burnin": 2000, "samples": 2000, "thinning": 5, "chains": 4}
DRAWS = 10


def by_lists(records: pd.DataFrame, labels: np.ndarray) -> list[int]:
    hs = histories_from_records(records.assign(person_id=labels), None).overall
    k = hs.patterns.sum(axis=1)
    return [int(hs.counts[k == n].sum()) for n in (1, 2)] + [int(hs.counts[k >= 3].sum())]


def main() -> None:
    estimate = sys.argv[1] == "est"
    for path in sys.argv[2:]:
        kept = pd.read_pickle(path)
        records = kept["records"].drop(columns=["true_person"])
        true = pd.factorize(kept["records"]["true_person"])[0]
        out: dict[str, object] = {"population": path.rsplit("/", 1)[-1], "true_n": kept["true_n"]}
        out["true"] = by_lists(records, true)
        out["fixed"] = by_lists(records, pd.factorize(records["person_id"])[0])
        for coherent in (False, True):
            scored = ScoredLinkage(records, kept["pairs"], kept["threshold"], coherent=coherent)
            labels = draw_linkages(scored, DRAWS, np.random.default_rng(3))
            match = true[scored.left] == true[scored.right]
            together = (labels[:, scored.left] == labels[:, scored.right]).mean(axis=0)
            row: dict[str, object] = {
                "by_lists": np.mean([by_lists(records, lab) for lab in labels], axis=0)
                .round()
                .tolist(),
                "true pairs together": round(float(together[match].mean()), 4),
                "false pairs together": round(float(together[~match].mean()), 4),
            }
            if estimate:
                run = estimate_with_draws(
                    scored,
                    DRAWS,
                    ["Mth-Darroch", "dga", "lcmcr"],
                    seed=1,
                    lcmcr_settings=LCMCR_SETTINGS,
                )
                row["est"] = {
                    e.method: [round(e.estimate), round(e.lower), round(e.upper)]
                    for e in run.overall()
                }
            out[f"coherent={coherent}"] = row
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
