"""Import benchmark: FICTIONAL person records into SQLite, against a raw executemany.

Each size runs in a fresh subprocess so that peak memory (ru_maxrss) is its own.
Usage: python bench/ingest.py [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GIVEN = [
    "Abdurehim",
    "Memet",
    "Tursun",
    "Aygul",
    "Patigul",
    "Ilham",
    "Rahile",
    "Erkin",
    "Gulnar",
    "Nurmemet",
    "Mihray",
    "Abdukerim",
    "Zulpiye",
    "Qurban",
    "Sajide",
    "Ekber",
    "Ayshem",
]
COUNTIES = ["Kashgar", "Hotan", "Aksu", "Ghulja", "Turpan", "Qumul", "Korla", "Yarkand"]
HEADER = [
    "fictional",
    "name",
    "given_name",
    "father_name",
    "sex",
    "birth_date",
    "residence",
    "ethnicity",
    "facility",
    "detained",
    "notes",
]


def write_csv(path: Path, n: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, len(GIVEN), size=(n, 2))
    years = rng.integers(1950, 2002, size=n)
    months = rng.integers(1, 13, size=n)
    kinds = rng.integers(0, 3, size=n)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(n):
            given, father = GIVEN[g[i, 0]], GIVEN[g[i, 1]]
            born = (str(years[i]), f"{years[i]}-{months[i]:02d}", f"{years[i]}~")[kinds[i]]
            w.writerow(
                [
                    "FICTIONAL",
                    f"{given} {father}",
                    given,
                    father,
                    "male" if i % 2 else "female",
                    born,
                    COUNTIES[i % len(COUNTIES)],
                    "uyghur",
                    f"Facility {i % 40}",
                    "2018",
                    "",
                ]
            )


def run_credible(csv_path: Path, workdir: Path) -> dict[str, float]:
    from credible.config import Settings
    from credible.ingest import import_file
    from credible.store import init_store

    os.environ["CREDIBLE_HOME"] = str(workdir / "home")
    settings = Settings.resolve(str(workdir / "bench.db"), actor="bench")
    store, _, _ = init_store(settings)
    t0, c0 = time.perf_counter(), time.process_time()
    result = import_file(store, csv_path, source="FICTIONAL bench", actor="bench")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"rows": result.rows, "seconds": elapsed, "cpu": cpu}


def run_raw(csv_path: Path, workdir: Path) -> dict[str, float]:
    """The floor: executemany of the already-parsed rows into a plain table, no
    parsing, validation, audit or index (the parse is done before the clock starts)."""
    db = sqlite3.connect(workdir / "raw.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"CREATE TABLE t ({', '.join(HEADER)})")
    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [tuple(r) for r in reader]
    t0, c0 = time.perf_counter(), time.process_time()
    with db:
        db.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(HEADER))})", rows)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = db.execute("SELECT count(*) FROM t").fetchone()[0]
    return {"rows": rows, "seconds": elapsed, "cpu": cpu}


def child(mode: str, csv_path: str, workdir: str) -> None:
    fn = run_credible if mode == "credible" else run_raw
    out = fn(Path(csv_path), Path(workdir))
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"load average before: {os.getloadavg()[0]:.1f} "
        "(other jobs slow the wall clock; CPU s is ours)"
    )
    print(
        f"{'rows':>10} {'method':<22} {'seconds':>8} {'rows/s':>10} {'CPU s':>7} "
        f"{'rows/CPU s':>10} {'peak MB':>8}"
    )
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            csv_path = work / f"fictional_{n}.csv"
            write_csv(csv_path, n)
            for mode in ("raw-executemany", "credible"):
                sub = work / mode
                sub.mkdir()
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", mode, str(csv_path), str(sub)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    print(proc.stderr, file=sys.stderr)
                    raise SystemExit(f"{mode} failed at {n} rows")
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                assert r["rows"] == n, r
                label = "raw sqlite executemany" if mode == "raw-executemany" else "credible import"
                print(
                    f"{n:>10,} {label:<22} {r['seconds']:>8.2f} {n / r['seconds']:>10,.0f} "
                    f"{r['cpu']:>7.2f} {n / r['cpu']:>10,.0f} {r['peak_mb']:>8.0f}"
                )


if __name__ == "__main__":
    main()
