"""Precision and recall of credible.names.same_name on published names, per script pair.

Reads tests/data/names/names.csv (public figures' names as published in several
scripts, each row with its source), builds labelled pairs with
``credible.names.evaluation``, and prints, for our method and for plain baselines in the
same run, precision and recall overall and per pair of forms.

    .venv/bin/python bench/names_eval.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from credible.names.evaluation import evaluate, format_report, load_pairs

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "names" / "names.csv"


def main() -> int:
    pairs = load_pairs(DATA)
    for title, subset in (
        ("ALL PAIRS", pairs),
        ("DEV HALF (people used when designing)", [p for p in pairs if p.half == "dev"]),
        ("TEST HALF (held out)", [p for p in pairs if p.half == "test"]),
    ):
        print(f"==== {title}")
        # errors are listed for the dev half only: the held-out half is looked at as figures
        print(format_report(evaluate(subset), show_errors=title.startswith("DEV")))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
