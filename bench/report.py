"""Report benchmark: `credible report` on the store of the 20,000-person FICTIONAL demo,
both editions, each step timed (collect and redact, charts and map, HTML and JSON, PDF).

    python bench/report.py                         # runs the demo first (minutes), then times
    python bench/report.py --store demo-output/credible.db --home ~/.credible --repeat 3

The store is only read: the demo's own runs (link, estimate, assess) are rendered.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from credible.config import Settings
from credible.demo import run_demo
from credible.report import build_report
from credible.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing demo store (credible.db)")
    parser.add_argument("--home", type=Path, help="CREDIBLE_HOME holding that store's key")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, help="where to write the reports (default: temp)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    if args.store is None:
        os.environ["CREDIBLE_HOME"] = str(work / "home")
        t0 = time.perf_counter()
        run_demo(work / "demo", people=args.people, report=False)
        print(f"demo of {args.people:,} FICTIONAL people built in {time.perf_counter() - t0:.0f} s")
        db = work / "demo" / "credible.db"
    else:
        if args.home is not None:
            os.environ["CREDIBLE_HOME"] = str(args.home)
        db = args.store
    store = open_store(Settings.resolve(str(db), actor="bench"))
    out = args.out or work / "reports"
    print("| edition | run | collect + redact s | charts + map s | HTML + JSON s | PDF s | total s "
          "| pages | HTML KiB | figures |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for edition in ("internal", "public"):
        for i in range(args.repeat):
            t0 = time.perf_counter()
            result = build_report(store, out / edition, edition=edition)
            total = time.perf_counter() - t0
            s = result.seconds
            assert result.pdf is not None
            info = subprocess.run(["pdfinfo", str(result.pdf)], capture_output=True, text=True)
            pages = next((ln.split()[-1] for ln in info.stdout.splitlines()
                          if ln.startswith("Pages:")), "?")  # fmt: skip
            print(f"| {edition} | {i + 1} | {s['collect']:.2f} | {s['charts']:.2f} | "
                  f"{s['html']:.2f} | {s['pdf']:.2f} | {total:.1f} | {pages} | "
                  f"{result.html.stat().st_size / 1024:,.0f} | {result.figures:,} |")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB; reports in {out}")


if __name__ == "__main__":
    main()
