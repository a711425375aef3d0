"""CPU time of a new search's stages: the SQL of its candidates and lexicon, and the
lexicon's decision (Python), then whole searches at the web's limit of 50 (issue 16).

Uses a store built by bench/search.py (``--work``, SQLite), searching every name form
the simulator writes, each once, with the remembered decisions cleared first.

    python bench/search_stages.py --work /tmp/search --seed 2022
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from credible.search import clear_search_cache, people, search_people
from credible.simulate import given_name_forms
from search import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    db = args.work / f"store-{args.seed}.db"
    if not db.exists():
        raise SystemExit(f"no store at {db}: run bench/search.py --work {args.work} first")
    store = build(args.work / f"data-{args.seed}", str(db), args.work / "home")
    queries = [q for forms in given_name_forms().values() for q in forms.values()]
    search_people(store, "Memet")  # the tables credible.names loads once
    clear_search_cache(store)
    stages: dict[str, list[float]] = {"candidates (SQL)": [], "decision": [], "search": []}
    for q in queries:
        c0 = time.process_time()
        with store.read() as conn:
            keyed, df = people._candidate_forms(conn, store, (q,))
        c1 = time.process_time()
        people._matching_forms((q,), tuple(keyed), tuple(df.items()))
        stages["candidates (SQL)"].append(c1 - c0)
        stages["decision"].append(time.process_time() - c1)
    clear_search_cache(store)
    for q in queries:
        c0 = time.process_time()
        search_people(store, q, limit=50)
        stages["search"].append(time.process_time() - c0)
    print(f"{len(queries)} new queries, seed {args.seed}, SQLite; CPU ms of this process:")
    for stage, secs in stages.items():
        p50, p95 = np.percentile(np.array(secs) * 1000, [50, 95])
        print(f"  {stage}: mean {np.mean(secs) * 1000:.1f}, p50 {p50:.1f}, p95 {p95:.1f}")
    store.close()


if __name__ == "__main__":
    main()
