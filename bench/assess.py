"""Assessment benchmark: `credible assess` on the simulator's lists and on a synthetic
store of a million FICTIONAL allegations, and its accuracy against the simulator's
truth per standard of proof.

    python bench/assess.py                          # 20,000 people + 1M allegations
    python bench/assess.py --people 3000 --seeds 7 11 --allegations 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from credible.assess import assess, score
from credible.config import Settings
from credible.ingest import import_manifest
from credible.simulate import simulate
from credible.store import init_store, schema


def _store(workdir: Path, name: str):  # type: ignore[no-untyped-def]
    os.environ["CREDIBLE_HOME"] = str(workdir / "home")
    settings = Settings.resolve(str(workdir / f"{name}.db"), actor="bench")
    store, _, _ = init_store(settings)
    return store


def simulated(people: int, seed: int, workdir: Path) -> dict[str, object]:
    out = workdir / f"sim-{people}-{seed}"
    simulate(people, 5, seed=seed, out=out)
    store = _store(workdir, f"sim-{people}-{seed}")
    import_manifest(store, out, actor="bench")
    t0 = time.perf_counter()
    run = assess(store, "bench")
    seconds = time.perf_counter() - t0
    with store.read() as conn:
        n_allegations = conn.execute(
            schema.allegations.select().with_only_columns(schema.allegations.c.id)
        ).all()
    return {
        "people": people,
        "seed": seed,
        "acts": len(run.acts),
        "allegations": len(n_allegations),
        "seconds": seconds,
        "scores": score(run, out / "truth"),
    }


def synthetic(n_allegations: int, seed: int, workdir: Path) -> dict[str, float]:
    """A million FICTIONAL allegations on 300k acts from ten sources, some derived."""
    rng = np.random.default_rng(seed)
    store = _store(workdir, f"synthetic-{n_allegations}")
    n_acts = max(1, n_allegations * 3 // 10)
    grades = ["A", "B", "B", "C", "C", "C", "D", "D", "E", "F"]
    with store.write("bench") as uow:
        ids = []
        for i, grade in enumerate(grades):
            ids.append(
                uow.insert(
                    schema.sources,
                    name=f"FICTIONAL source {i}",
                    kind="testimony",
                    reliability=grade,
                    derived_from_id=ids[i - 3] if i >= 6 else None,
                    created_at=dt.datetime.now(dt.UTC).isoformat(),
                )
            )
        types = np.array(["arbitrary_detention", "torture_or_ill_treatment", "forced_labour"])
        start = np.datetime64("2017-01-01") + rng.integers(0, 1500, n_acts)
        acts = pa.table(
            {
                "source_id": pa.array([ids[0]] * n_acts, pa.int64()),
                "source_row": pa.array(np.arange(1, n_acts + 1)),
                "external_id": pa.array([f"A-{i}" for i in range(n_acts)]),
                "type": pa.array(types[rng.integers(0, 3, n_acts)]),
                "facility": pa.nulls(n_acts, pa.string()),
                "date": pa.array([str(d) for d in start]),
                "date_min": pa.array(start.astype("datetime64[D]")),
                "date_max": pa.array(start.astype("datetime64[D]")),
            }
        )
        first_act, _ = uow.bulk_insert(schema.acts, [acts])
        act = first_act + rng.integers(0, n_acts, n_allegations)
        allegations = pa.table(
            {
                "source_id": pa.array(np.array(ids)[rng.integers(0, len(ids), n_allegations)]),
                "source_row": pa.array(np.arange(1, n_allegations + 1)),
                "external_id": pa.array([f"AL-{i}" for i in range(n_allegations)]),
                "act_id": pa.array(act),
                "act": pa.array([f"A-{a - first_act}" for a in act]),
                "credibility": pa.array(
                    rng.choice(["1", "2", "3", "4", "5", "6"], n_allegations).astype(object)
                ),
                "stance": pa.array(
                    np.where(rng.random(n_allegations) < 0.05, "contradicts", "supports").astype(
                        object
                    )
                ),
            }
        )
        uow.bulk_insert(schema.allegations, [allegations])
    t0 = time.perf_counter()
    run = assess(store, "bench")
    seconds = time.perf_counter() - t0
    return {"allegations": n_allegations, "acts": len(run.acts), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[2022])
    parser.add_argument("--allegations", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("| people | seed | acts | allegations | standard | acts that happened "
              "| fabricated | all not as recorded | assess s |")  # fmt: skip
        print("|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        for seed in args.seeds:
            r = simulated(args.people, seed, work)
            for s in r["scores"]:  # type: ignore[attr-defined]
                print(
                    f"| {r['people']:,} | {seed} | {r['acts']:,} | {r['allegations']:,} | "
                    f"{s.standard} | {s.true_established:,} of {s.true_acts:,} "
                    f"({s.true_share:.1%}) | {s.fabricated_established:,} of "
                    f"{s.fabricated_acts:,} ({s.fabricated_share:.1%}) | "
                    f"{s.false_established:,} of {s.false_acts:,} "
                    f"({s.false_share:.1%}) | {r['seconds']:.1f} |"
                )
        if args.allegations:
            r2 = synthetic(args.allegations, 1, work)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print()
            print("| allegations | acts | assess s (incl. storing the run) | peak MB |")
            print("|---:|---:|---:|---:|")
            print(f"| {r2['allegations']:,} | {r2['acts']:,} | {r2['seconds']:.1f} | {peak:,.0f} |")


if __name__ == "__main__":
    main()
