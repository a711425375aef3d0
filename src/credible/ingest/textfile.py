"""CSV and TSV: encoding and delimiter detection, then pyarrow's streaming CSV reader
over a UTF-8 transcoding stream, every cell read as a string."""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from credible.errors import InputError, Problem
from credible.ingest.encoding import (
    TranscodingStream,
    bad_lines,
    detect_encoding,
    is_single_byte,
)

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", "\t", ";", "|")
RawBatch = tuple[list[pa.Array], pa.Array, list[Problem]]


def sniff_delimiter(lines: list[str], preferred: str = ",") -> str:
    """The candidate that splits the header into the most cells, consistently over the
    following lines (quotes respected)."""
    best: tuple[float, int, int, str] | None = None
    lines = [line for line in lines[:60] if line.strip()]
    if not lines:
        return preferred
    for order, cand in enumerate(DELIMITERS):
        counts = [len(row) for row in csv.reader(lines, delimiter=cand)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        key = (consistent, counts[0], -(order if cand != preferred else -1), cand)
        if best is None or key > best:
            best = key
    return best[3] if best else preferred


def _assign_rows(cursor: int, n: int, skipped: list[int]) -> tuple[np.ndarray, int]:
    """Data-row numbers of the next ``n`` rows Arrow emitted, skipping those it dropped."""
    lo, hi = cursor, cursor + n
    while True:
        k = bisect.bisect_left(skipped, hi) - bisect.bisect_left(skipped, lo)
        if hi - lo - k == n:
            break
        hi = lo + n + k
    rows = np.arange(lo, hi, dtype=np.int64)
    if k:
        gone = skipped[bisect.bisect_left(skipped, lo) : bisect.bisect_left(skipped, hi)]
        rows = rows[~np.isin(rows, gone)]
    return rows, hi


class TextSource:
    """A delimited text file, opened: encoding, delimiter and header known."""

    def __init__(
        self,
        path: Path,
        fmt: str,
        encoding: str | None,
        delimiter: str | None,
    ) -> None:
        self.path = path
        self.file = path.name
        with open(path, "rb") as f:
            sample = f.read(SAMPLE_BYTES)
            whole = not f.read(1)
        if not sample.strip():
            raise InputError([Problem(self.file, None, None, "the file is empty")])
        if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(
                [Problem(self.file, None, None, "binary content: not a CSV/TSV text file")]
            )
        self.encoding = encoding or detect_encoding(sample)
        if self.encoding is None:
            raise InputError(
                [Problem(self.file, None, None, "cannot tell the text encoding; declare encoding:")]
            )
        text = self._check_sample(sample, declared=encoding is not None, whole=whole)
        text = text.removeprefix("\ufeff")
        lines = text.splitlines()
        if fmt == "tsv" and delimiter is None:
            delimiter = "\t"
        self.delimiter = delimiter or sniff_delimiter(lines)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        self.headers = [h.strip() for h in next(reader, [])]
        if not any(self.headers):
            raise InputError([Problem(self.file, 1, None, "the first line must be a header")])
        if whole and not any(any(c.strip() for c in row) for row in reader):
            raise InputError([Problem(self.file, None, None, "no data rows under the header")])
        self.mean_line = max(16, len(sample) // max(1, len(lines)))

    def _check_sample(self, sample: bytes, declared: bool, whole: bool) -> str:
        enc = str(self.encoding)
        try:
            text = sample.decode(enc) if whole else _decode_partial(sample, enc)
        except UnicodeDecodeError:
            lenient = sample.decode(enc, errors="replace")
            if not declared:
                return lenient  # a few stray bytes: the batches name their rows
            guess = detect_encoding(sample)
            hint = f"; it looks like {guess}" if guess and guess != enc else ""
            problems = [
                Problem(self.file, line - 1, None, f"text that is not valid {enc} (declared){hint}")
                for line in bad_lines(lenient)[:20]
            ]
            raise InputError(problems, f"{self.file}: wrong text encoding {enc}") from None
        if declared and is_single_byte(enc) and not sample.isascii():
            try:
                _decode_partial(sample, "utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise InputError(
                    [
                        Problem(
                            self.file,
                            None,
                            None,
                            f"the file is UTF-8 but {enc} is declared; remove or fix encoding:",
                        )
                    ]
                )
        return text

    def iter_raw(self, batch_size: int) -> Iterator[RawBatch]:
        ncols = len(self.headers)
        names = [f"c{i}" for i in range(ncols)]
        skipped: list[int] = []
        pending: list[Problem] = []
        delim = self.delimiter

        def on_invalid(row: pacsv.InvalidRow) -> str:
            data_row = int(row.number) - 1
            skipped.append(data_row)
            if row.text.strip(delim + " \r\n"):
                pending.append(
                    Problem(
                        self.file,
                        data_row,
                        None,
                        f"expected {row.expected_columns} cells separated by {delim!r}, "
                        f"found {row.actual_columns}",
                        row.text[:200],
                    )
                )
            return "skip"

        block = int(min(64 << 20, max(1 << 16, self.mean_line * batch_size)))
        read = pacsv.ReadOptions(
            use_threads=False, block_size=block, column_names=names, skip_rows_after_names=1
        )
        parse = pacsv.ParseOptions(
            delimiter=delim,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        )
        convert = pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        cursor = 1
        reported = 0
        with open(self.path, "rb") as raw:
            stream = TranscodingStream(raw, str(self.encoding))
            try:
                reader = pacsv.open_csv(
                    stream, read_options=read, parse_options=parse, convert_options=convert
                )
                for rb in reader:
                    rows, cursor = _assign_rows(cursor, rb.num_rows, skipped)
                    problems, pending[:] = list(pending), []
                    for line in stream.bad_lines[reported:]:
                        problems.append(
                            Problem(
                                self.file, line - 1, None, f"text that is not valid {self.encoding}"
                            )
                        )
                    reported = len(stream.bad_lines)
                    yield [rb.column(i) for i in range(ncols)], pa.array(rows), problems
            except pa.ArrowInvalid as exc:
                raise InputError(
                    [Problem(self.file, None, None, f"cannot read as delimited text: {exc}")]
                ) from exc
        if pending:
            yield [pa.array([], pa.string()) for _ in names], pa.array([], pa.int64()), pending


def _decode_partial(data: bytes, encoding: str) -> str:
    import codecs

    return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
