"""Streaming, byte-deterministic writers for the FICTIONAL files (CSV/TSV, JSON, XLSX)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

# XLSX parts carry timestamps; a fixed one makes the bytes depend on the seed only.
FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 20_000


def _rows(columns: dict[str, np.ndarray]) -> tuple[list[str], int]:
    headers = list(columns)
    n = len(next(iter(columns.values()))) if columns else 0
    return headers, n


def write_csv(
    path: Path,
    columns: dict[str, np.ndarray],
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> int:
    """Write a header and rows; returns the number of data rows. Strict encoding: a
    character the declared code page cannot hold is a bug, not something to replace."""
    headers, n = _rows(columns)
    arrays = [columns[h] for h in headers]
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(headers)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            writer.writerows(zip(*(a[start:stop] for a in arrays), strict=True))
    return n


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def write_json(
    path: Path,
    columns: dict[str, np.ndarray],
    records_path: str | None = None,
    header: dict[str, Any] | None = None,
) -> int:
    """A JSON array of objects (dotted keys become nested objects; '' becomes null),
    at the root or under ``records_path`` of an envelope object."""
    headers, n = _rows(columns)
    arrays = [columns[h] for h in headers]
    nested = any("." in h for h in headers)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        closing = "]\n"
        if records_path:
            envelope = dict(header or {})
            parts = records_path.split(".")
            fh.write(json.dumps(envelope, ensure_ascii=False)[:-1])
            fh.write(", " if envelope else "")
            fh.write("".join(f'"{p}": {{' for p in parts[:-1]))
            fh.write(f'"{parts[-1]}": [\n')
            closing = "]" + "}" * (len(parts) - 1) + "}\n"
        else:
            fh.write("[\n")
        for i in range(n):
            obj = {h: (a[i] if a[i] != "" else None) for h, a in zip(headers, arrays, strict=True)}
            if nested:
                obj = _nest(obj)
            fh.write(("  " if i == 0 else ", ") + json.dumps(obj, ensure_ascii=False) + "\n")
        fh.write(closing)
    return n


def write_xlsx(path: Path, columns: dict[str, np.ndarray], sheet: str = "Sheet1") -> int:
    """An XLSX workbook whose package parts come from openpyxl and whose one sheet is
    streamed as inline-string XML: openpyxl's own cell writer manages ~35k cells/s,
    too slow for a million records. Timestamps are fixed so the bytes depend on the
    data only."""
    from openpyxl import Workbook

    _, n = _rows(columns)
    wb = Workbook(write_only=True)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "credible simulate (FICTIONAL)"
    wb.create_sheet(sheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    _rezip(buffer.getvalue(), path, {"xl/worksheets/sheet1.xml": _sheet_xml(columns)})
    return n


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="A1:{last}"/><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _column_letters(count: int) -> list[str]:
    out = []
    for i in range(count):
        name, k = "", i + 1
        while k:
            k, r = divmod(k - 1, 26)
            name = chr(65 + r) + name
        out.append(name)
    return out


def _sheet_xml(columns: dict[str, np.ndarray]) -> Iterator[bytes]:
    headers, n = _rows(columns)
    arrays = [columns[h] for h in headers]
    letters = _column_letters(len(headers))
    yield _SHEET_HEAD.format(last=f"{letters[-1]}{n + 1}").encode()

    def row(r: int, values: Iterable[Any]) -> str:
        cells = "".join(
            f'<c r="{col}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
            for col, v in zip(letters, values, strict=True)
            if v != ""
        )
        return f'<row r="{r}">{cells}</row>'

    yield row(1, headers).encode()
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        chunk = zip(*(a[start:stop] for a in arrays), strict=True)
        yield "".join(row(start + i + 2, values) for i, values in enumerate(chunk)).encode()
    yield _SHEET_TAIL.encode()


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _rezip(data: bytes, path: Path, replace: dict[str, Iterator[bytes]]) -> None:
    fixed = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            out = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o600 << 16
            if info.filename in replace:
                with dst.open(out, "w", force_zip64=True) as fh:
                    for part in replace[info.filename]:
                        fh.write(part)
                continue
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _STAMP.sub(rb"\g<1>" + fixed + rb"\g<2>", body)
            dst.writestr(out, body)


def write_lines(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """A small UTF-8 CSV from Python rows (truth files, supporting tables)."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
