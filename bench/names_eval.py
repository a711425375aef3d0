"""Precision and recall of credible.names.same_name on published names, per script pair.

Reads tests/data/names/names.csv (public figures' names as published in several
scripts, each row with its source), builds labelled pairs with
``credible.names.evaluation``, and prints, for our method and for plain baselines in the
same run, precision and recall overall and per pair of forms.

    .venv/bin/python bench/names_eval.py [--errors]   # --errors: list the third round's dev misses
"""

from __future__ import annotations

import sys
from pathlib import Path

from credible.names.evaluation import evaluate, format_report, load_pairs

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "names"


def main() -> int:
    first = load_pairs(DATA / "names.csv")
    sets = [
        ("FIRST SET (rounds 1-2): ALL PAIRS", first, False),
        ("FIRST SET: DEV HALF", [p for p in first if p.half == "dev"], True),
        ("FIRST SET: TEST HALF (held out)", [p for p in first if p.half == "test"], False),
        # round 3 (issue 19): new people; the held-out half lives in its own file
        ("THIRD ROUND: DEV HALF", load_pairs(DATA / "names_new.csv"), "--errors" in sys.argv),
        ("THIRD ROUND: HELD-OUT HALF", load_pairs(DATA / "names_new_heldout.csv"), False),
    ]
    for title, subset, errors in sets:
        print(f"==== {title}")
        # errors are listed for dev halves only: held-out halves are looked at as figures
        print(format_report(evaluate(subset), show_errors=errors))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
