"""Micro-benchmark of the ingest reader alone (no store): rows/s and peak memory.

    .venv/bin/python bench/ingest_read.py [--rows 100000 1000000] [--encoding utf-8 kz1048]
    .venv/bin/python bench/ingest_read.py --rows 100000 --formats xlsx xlsx-excel json jsonl

``xlsx`` holds inline strings (as openpyxl and the simulator write them), ``xlsx-excel``
a shared string table and numeric ids (as Excel writes them).

Writes FICTIONAL person records (the same generator for every size) to a temporary
CSV, then reads and validates it with ``credible.ingest.reader``; each measurement
runs in a fresh process so that peak memory (ru_maxrss) belongs to that run alone.
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
from collections.abc import Iterator
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


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def write_xlsx(rows: Iterator[list[str]], out: Path, excel: bool) -> None:
    """An XLSX of the rows: package parts from openpyxl, the sheet streamed as XML (as
    the simulator does; openpyxl's own writer manages ~35k cells/s). ``excel``: strings
    in a shared string table and the id column as numbers, attributes in Excel's order;
    otherwise inline strings, as openpyxl writes them."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    wb.create_sheet()
    buf = io.BytesIO()
    wb.save(buf)
    strings: dict[str, int] = {}
    letters = [chr(65 + i) for i in range(26)]
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            if item.filename == "[Content_Types].xml" and excel:
                types = (
                    src.read(item)
                    .decode()
                    .replace(
                        "</Types>",
                        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/></Types>',
                    )
                )
                dst.writestr(item, types)
            elif item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
        with dst.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for r, row in enumerate(rows, start=1):
                cells = []
                for c, value in enumerate(row):
                    ref = f"{letters[c]}{r}"
                    if not value:
                        continue
                    if excel and r > 1 and c == 0:
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                    elif excel:
                        idx = strings.setdefault(value, len(strings))
                        cells.append(f'<c r="{ref}" s="0" t="s"><v>{idx}</v></c>')
                    else:
                        cells.append(
                            f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
                        )
                sheet.write(f'<row r="{r}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        if excel:
            with dst.open("xl/sharedStrings.xml", "w") as sst:
                sst.write(f'<sst xmlns="{MAIN}" uniqueCount="{len(strings)}">'.encode())
                for text in strings:
                    sst.write(f"<si><t>{escape(text)}</t></si>".encode())
                sst.write(b"</sst>")


def convert(csv_path: Path, fmt: str) -> Path:
    """The same rows in another format."""
    import csv

    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        if fmt.startswith("xlsx"):
            out = csv_path.with_name(csv_path.stem + f"_{fmt}.xlsx")
            write_xlsx(reader, out, excel=fmt == "xlsx-excel")
            return out
        header = next(reader)
        out = csv_path.with_suffix("." + fmt)
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
    out["reader"] = getattr(parsed._source, "reader", None)
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--encoding", nargs="+", default=["utf-8", "kz1048"])
    ap.add_argument(
        "--formats",
        nargs="+",
        default=["csv"],
        choices=["csv", "xlsx", "xlsx-excel", "json", "jsonl"],
    )
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.measure)
        return
    head = f"{'format':>10} {'rows':>10} {'encoding':>9} {'MB':>7} {'seconds':>8} {'rows/s':>10}"
    print(head + f" {'CPU s':>6} {'rows/CPU s':>10} {'peak MB':>8} {'reader':>8} {'load':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for encoding in args.encoding:
            for rows in args.rows:
                csv_path = Path(tmp) / f"people_{rows}_{encoding}.csv"
                write_file(csv_path, rows, encoding)
                for fmt in args.formats:
                    path = csv_path if fmt == "csv" else convert(csv_path, fmt)
                    load = os.getloadavg()[0]
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
                        f"{fmt:>10} {rows:>10} {enc:>9} {size:>7.1f} {r['seconds']:>8.2f} "
                        f"{rows / r['seconds']:>10,.0f} {r['cpu']:>6.2f} "
                        f"{rows / r['cpu']:>10,.0f} {r['peak_mb']:>8.0f} "
                        f"{r['reader'] or '-':>8} {load:>5.1f}"
                    )
                    if path != csv_path:
                        path.unlink()
                csv_path.unlink()


if __name__ == "__main__":
    main()
