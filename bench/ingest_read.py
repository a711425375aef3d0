"""Micro-benchmark of the ingest reader alone (no store): rows/s and peak memory.

    .venv/bin/python bench/ingest_read.py [--rows 100000 1000000] [--encoding utf-8 kz1048]
    .venv/bin/python bench/ingest_read.py --rows 100000 --formats xlsx json jsonl

Writes FICTIONAL person records (the same generator for every size) to a temporary
CSV, then reads and validates it with ``credible.ingest.reader``; each measurement
runs in a fresh process so that peak memory (ru_maxrss) belongs to that run alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GIVEN = ["Abdulla", "Mehmet", "Aygul", "Gulnar", "Tursun", "Adil", "Patigül", "Ablikim", "Zöhre"]
FATHER = ["Tursun", "Rozi", "Ismail", "Abdukerim", "Memet", "Yasin", "Osman", "Qadir"]
GIVEN_CY = ["Абдулла", "Мехмет", "Айгүл", "Гүлнар", "Турсун", "Әдил", "Қайрат", "Зөһрә"]
COUNTIES = ["Kashgar", "Hotan", "Karakax", "Yarkand", "Ghulja", "Aksu", "Turpan", "Korla"]
HEADER = "id,name,given_name,father_name,sex,birth_date,residence,detained,notes\n"


def write_file(path: Path, rows: int, encoding: str, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    given = GIVEN if encoding.startswith("utf") else GIVEN_CY
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(HEADER)
        chunk = 100_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            g = rng.integers(0, len(given), n)
            fa = rng.integers(0, len(FATHER), n)
            sex = rng.choice(["male", "female", ""], n, p=[0.6, 0.35, 0.05])
            year = rng.integers(1940, 2005, n)
            month = rng.integers(1, 13, n)
            day = rng.integers(1, 29, n)
            prec = rng.choice(3, n, p=[0.2, 0.1, 0.7])
            county = rng.integers(0, len(COUNTIES), n)
            lines = []
            for i in range(n):
                if prec[i] == 0:
                    born = f"{year[i]}"
                elif prec[i] == 1:
                    born = f"{year[i]}-{month[i]:02d}~"
                else:
                    born = f"{year[i]}-{month[i]:02d}-{day[i]:02d}"
                name = f"{given[g[i]]} {FATHER[fa[i]]}"
                lines.append(
                    f"{start + i + 1},{name},{given[g[i]]},{FATHER[fa[i]]},{sex[i]},{born},"
                    f"{COUNTIES[county[i]]},2018-0{1 + i % 9},FICTIONAL record\n"
                )
            f.write("".join(lines))


def convert(csv_path: Path, fmt: str) -> Path:
    """The same rows in another format (XLSX via openpyxl's write-only mode)."""
    import csv

    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        out = csv_path.with_suffix("." + fmt)
        if fmt == "xlsx":
            import openpyxl

            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet()
            ws.append(header)
            for row in reader:
                ws.append(row)
            wb.save(out)
            return out
        with open(out, "w", encoding="utf-8") as g:
            if fmt == "jsonl":
                for row in reader:
                    g.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False))
                    g.write("\n")
            else:
                g.write("[\n")
                for i, row in enumerate(reader):
                    g.write(",\n" if i else "")
                    g.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False))
                g.write("\n]\n")
    return out


def measure(path: str) -> None:
    from credible.ingest.reader import open_file

    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    parsed = open_file(Path(path))
    rows = problems = 0
    for batch in parsed.batches():
        rows += batch.table.num_rows
        problems += len(batch.problems)
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"rows": rows, "problems": problems, "seconds": seconds, "cpu": cpu, "peak_mb": peak}
    out["encoding"] = parsed.encoding
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--encoding", nargs="+", default=["utf-8", "kz1048"])
    ap.add_argument(
        "--formats", nargs="+", default=["csv"], choices=["csv", "xlsx", "json", "jsonl"]
    )
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.measure)
        return
    head = f"{'format':>6} {'rows':>10} {'encoding':>9} {'MB':>7} {'seconds':>8} {'rows/s':>10}"
    print(head + f" {'CPU s':>6} {'rows/CPU s':>10} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for encoding in args.encoding:
            for rows in args.rows:
                csv_path = Path(tmp) / f"people_{rows}_{encoding}.csv"
                write_file(csv_path, rows, encoding)
                for fmt in args.formats:
                    path = csv_path if fmt == "csv" else convert(csv_path, fmt)
                    res = subprocess.run(
                        [sys.executable, __file__, "--measure", str(path)],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    r = json.loads(res.stdout)
                    assert r["rows"] == rows and r["problems"] == 0, r
                    size = path.stat().st_size / 1e6
                    enc = r["encoding"] or "-"
                    print(
                        f"{fmt:>6} {rows:>10} {enc:>9} {size:>7.1f} {r['seconds']:>8.2f} "
                        f"{rows / r['seconds']:>10,.0f} {r['cpu']:>6.2f} "
                        f"{rows / r['cpu']:>10,.0f} {r['peak_mb']:>8.0f}"
                    )
                    if path != csv_path:
                        path.unlink()
                csv_path.unlink()


if __name__ == "__main__":
    main()
