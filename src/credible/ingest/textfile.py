"""CSV and TSV: encoding and delimiter detection, then pyarrow's streaming CSV reader
over a UTF-8 transcoding stream, every cell read as a string."""

from __future__ import annotations

import bisect
import csv
import io
import re
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
from credible.ingest.limits import ReadLimits, limit_problem
from credible.ingest.quotes import QuoteTracker

SAMPLE_BYTES = 1 << 20
_RUN = 64
DELIMITERS = (",", "\t", ";", "|")
RawBatch = tuple[list[pa.Array], pa.Array, list[Problem]]


def sniff_delimiter(lines: list[str], preferred: str = ",") -> str:
    """The candidate that splits the header into the most cells, consistently over the
    following lines (quotes respected)."""
    best: tuple[float, int, int, str] | None = None
    lines = [squash(line) for line in lines[:60] if line.strip()]
    if not lines:
        return preferred
    for order, cand in enumerate(DELIMITERS):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=cand)]
        except csv.Error:  # a cell past the csv module's size limit: not this one
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        key = (consistent, counts[0], -(order if cand != preferred else -1), cand)
        if best is None or key > best:
            best = key
    return best[3] if best else preferred


def squash(text: str, delimiter: str = "") -> str:
    """``text`` with every long run of characters that are neither a quote, a line break
    nor a possible delimiter cut short: the same cells, quotes and lines for the csv
    module, which refuses a cell over 128 KiB, to count."""
    specials = "".join(dict.fromkeys('"\r\n' + "".join(DELIMITERS) + delimiter))
    run = re.compile(f"[^{re.escape(specials)}]{{{_RUN + 1},}}")
    return run.sub(lambda m: m.group()[:_RUN], text)


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
        limits: ReadLimits | None = None,
    ) -> None:
        self.path = path
        self.file = path.name
        self.limits = limits or ReadLimits()
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
        if not whole and "\n" not in text and "\r" not in text:
            raise InputError(
                [
                    Problem(
                        self.file,
                        None,
                        None,
                        f"a header line: the first line is longer than {SAMPLE_BYTES >> 20} MB",
                    )
                ]
            )
        lines = text.splitlines()
        if delimiter is not None:
            self.delimiter, self.delimiter_from = delimiter, "declared"
        elif fmt == "tsv":
            self.delimiter, self.delimiter_from = "\t", f"for {path.suffix or '.tsv'}"
        else:
            self.delimiter, self.delimiter_from = sniff_delimiter(lines), "detected"
        # The delimiter that fits the first lines best, whatever was declared.
        detected = self.delimiter_from == "detected"
        self.sniffed = self.delimiter if detected else sniff_delimiter(lines)
        try:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
            self.headers = [h.strip() for h in next(reader, [])]
        except csv.Error as exc:
            raise InputError(
                [Problem(self.file, None, None, f"a header line: the first line has {exc}")]
            ) from None
        if not any(self.headers):
            raise InputError([Problem(self.file, 1, None, "the first line must be a header")])
        if whole and not self._has_data(text):
            raise InputError([Problem(self.file, None, None, "no data rows under the header")])

    def _has_data(self, text: str) -> bool:
        squashed = io.StringIO(squash(text, self.delimiter), newline="")
        rows = csv.reader(squashed, delimiter=self.delimiter)
        try:
            next(rows, None)
            return any(any(c.strip() for c in row) for row in rows)
        except csv.Error:
            return True  # pyarrow reads it and says what is wrong

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
        last_short = (0, ncols)  # the last row with too few or too many cells, and its count

        def on_invalid(row: pacsv.InvalidRow) -> str:
            nonlocal last_short
            data_row = int(row.number or 0) - 1
            skipped.append(data_row)
            last_short = (data_row, int(row.actual_columns))
            if row.text.strip(delim + " \r\n"):
                # The row's text is not shown: it may hold what must stay sealed.
                pending.append(
                    Problem(
                        self.file,
                        data_row,
                        None,
                        f"expected {row.expected_columns} cells separated by {delim!r}, "
                        f"found {row.actual_columns}",
                    )
                )
            return "skip"

        # pyarrow reads a block at a time and cannot read a row longer than one block.
        block = self.limits.csv_row_mb << 20
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
        reported = nuls = 0
        quotes = QuoteTracker(delim)
        with open(self.path, "rb") as raw:
            stream = TranscodingStream(raw, str(self.encoding), observer=quotes.feed)
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
                    for line in stream.nul_lines[nuls:]:
                        problems.append(
                            Problem(self.file, line - 1, None, "text, not a NUL byte (binary data)")
                        )
                    nuls = len(stream.nul_lines)
                    numbers = pa.array(rows)
                    for start in range(0, max(rb.num_rows, 1), batch_size):
                        part = rb.slice(start, batch_size)
                        cells = [part.column(i) for i in range(ncols)]
                        yield cells, numbers.slice(start, batch_size), problems
                        problems = []
            except pa.ArrowInvalid as exc:
                # pyarrow's messages can end with the row's text: leave it out
                why = ": ".join(str(exc).split(": ")[:2])
                problem = Problem(self.file, None, None, f"cannot read as delimited text: {why}")
                if "straddl" in str(exc):
                    problem = limit_problem(
                        self.file,
                        "csv_row_mb",
                        self.limits,
                        f"a row after data row {cursor - 1} is too long",
                    )
                raise InputError([problem]) from exc
            finally:
                stream.stop()  # at once when pyarrow has read to the end
            opened = quotes.unclosed()
        if opened is not None:
            last = (cursor - 1, ncols) if cursor - 1 > last_short[0] else last_short
            pending.append(self._unclosed(opened, last))
        if pending:
            yield [pa.array([], pa.string()) for _ in names], pa.array([], pa.int64()), pending

    def _unclosed(self, offset: int, last: tuple[int, int]) -> Problem:
        """The quote at ``offset`` of the UTF-8 stream opened a cell that never closed: the
        last row took in every line after it."""
        line = end = 1
        last_byte = b""
        with open(self.path, "rb") as raw:
            stream = TranscodingStream(raw, str(self.encoding))
            done = 0
            while chunk := stream.read(1 << 20):
                if done <= offset < done + len(chunk):
                    line = end + chunk.count(b"\n", 0, offset - done)
                end += chunk.count(b"\n")
                done += len(chunk)
                last_byte = chunk[-1:]
        end -= last_byte == b"\n"
        row, cells = last
        column = self.headers[cells - 1] if 0 < cells <= len(self.headers) else None
        return Problem(
            self.file,
            row,
            column,
            f"a closing quote: the quote opened on line {line} is never closed, so lines "
            f"{line}-{max(end, line)} were read as one cell (unterminated quote)",
        )


def _decode_partial(data: bytes, encoding: str) -> str:
    import codecs

    return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
