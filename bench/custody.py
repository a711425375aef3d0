"""Custody and bundle benchmark: signed custody events per second, and writing and
checking a verification bundle that carries one large FICTIONAL file (time, throughput,
peak memory — each size measured in a process of its own, so that peak memory is that
size's).

    python bench/custody.py                       # 2,000 events; files of 64 and 512 MB
    python bench/custody.py --events 200 --sizes 8 32
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from credible.config import Settings
from credible.evidence import add_evidence, check_bundle, custody_report, transfer, write_bundle
from credible.store import init_store, now, schema


def _store(workdir: Path):  # type: ignore[no-untyped-def]
    os.environ["CREDIBLE_HOME"] = str(workdir / "home")
    store, _, _ = init_store(Settings.resolve(str(workdir / "bench.db"), actor="bench"))
    with store.write("bench") as uow:
        uow.insert(schema.sources, name="FICTIONAL bench source", created_at=now())
    return store


def events(n: int, workdir: Path) -> dict[str, float]:
    """``n`` transfers of one file, each its own write (as people record them), then the
    chain of ``n + 1`` events checked."""
    store = _store(workdir)
    f = workdir / "small.txt"
    f.write_bytes(b"FICTIONAL small file\n")
    eid = add_evidence(store, f, source="FICTIONAL bench source", actor="bench").id
    t0 = time.perf_counter()
    for i in range(n):
        transfer(store, [eid], f"FICTIONAL holder {i}", "bench", "bench")
    write = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = custody_report(store, eid)
    check = time.perf_counter() - t0
    assert report.ok and len(report.events) == n + 1
    return {"events": n, "write_s": write, "check_s": check}


def one_size(mb: int, workdir: Path) -> dict[str, float]:
    store = _store(workdir)
    f = workdir / "large.bin"
    chunk = os.urandom(1 << 20)
    with f.open("wb") as fh:
        for _ in range(mb):
            fh.write(chunk)
    eid = add_evidence(store, f, source="FICTIONAL bench source", actor="bench").id
    f.unlink()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    write_bundle(store, [eid], workdir / "bundle", actor="bench")
    write = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = check_bundle(workdir / "bundle")
    check = time.perf_counter() - t0
    assert report.ok, report.problems
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mb": mb, "write_s": write, "check_s": check, "rss_mb": rss1 / 1024,
            "rss_growth_mb": (rss1 - rss0) / 1024}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--sizes", type=int, nargs="+", default=[64, 512], help="MB")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(one_size(args.one, Path(tmp))))
        return
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        e = events(args.events, Path(tmp))
    print("| events | write, s | events/s | check of the chain, s |")
    print("|---:|---:|---:|---:|")
    print(f"| {e['events']:,} | {e['write_s']:.1f} | {e['events'] / e['write_s']:,.0f} "
          f"| {e['check_s']:.2f} |")  # fmt: skip
    print()
    print("| file, MB | bundle write, s | MB/s | check, s | MB/s | peak RSS, MB | RSS growth, MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for mb in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(mb)], capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        w, c = r["write_s"], r["check_s"]
        print(f"| {mb} | {w:.1f} | {mb / w:.0f} | {c:.1f} | {mb / c:.0f} "
              f"| {r['rss_mb']:.0f} | {r['rss_growth_mb']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
