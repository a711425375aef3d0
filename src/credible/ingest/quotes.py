"""Does a delimited text file end inside a quoted cell?

pyarrow's CSV reader, like Python's csv module, reads an unterminated quote as a cell
that runs to the end of the file: every row after it silently becomes part of one
cell. ``QuoteTracker`` watches the UTF-8 bytes on their way to pyarrow and follows the
same rules: a quote opens a cell only at the start of a field (after the delimiter or
a line break, or at the start of the file); inside a quoted cell ``""`` is a quote and
a lone quote closes the cell; a quote anywhere else is an ordinary character.

Only the quote characters matter, so a chunk without one costs a single byte search,
and a chunk with quotes is followed run by run with numpy, never byte by byte in
Python. A run of quotes either leaves the state alone (an even run: escaped quotes,
or an empty quoted cell), flips it (an odd run at the start of a field opens a cell
when outside, closes one when inside) or closes (an odd run elsewhere).
"""

from __future__ import annotations

import numpy as np

QUOTE = ord('"')


class QuoteTracker:
    """Feed it the stream in order; ``unclosed`` then tells where a quote that never
    closed was opened (a byte offset into the UTF-8 stream), or None."""

    def __init__(self, delimiter: str) -> None:
        self.starts = np.array([ord(delimiter), ord("\n"), ord("\r")], dtype=np.uint8)
        self.inside = False
        self.offset = 0  # bytes of the stream already followed
        self.prev = ord("\n")  # the byte before the next one; the file's start is a field start
        self.carry = b""  # a run of quotes at a chunk's end may go on in the next chunk
        self.opened: int | None = None  # where the cell that is open now was opened

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk if self.carry else chunk
        if not data:
            return
        if data[-1] == QUOTE:
            kept = len(data) - len(data.rstrip(b'"'))
            data, self.carry = data[:-kept], data[-kept:]
        else:
            self.carry = b""
        self._follow(data)

    def unclosed(self) -> int | None:
        """Call once the stream has ended."""
        if self.carry:
            data, self.carry = self.carry, b""
            self._follow(data)
        return self.opened if self.inside else None

    def _follow(self, data: bytes) -> None:
        if not data:
            return
        if b'"' in data:
            self._runs(data)
        self.offset += len(data)
        self.prev = data[-1]

    def _runs(self, data: bytes) -> None:
        arr = np.frombuffer(data, dtype=np.uint8)
        q = np.flatnonzero(arr == QUOTE)
        cut = np.flatnonzero(np.diff(q) != 1)
        first = q[np.r_[0, cut + 1]]
        last = q[np.r_[cut, len(q) - 1]]
        odd = (last - first) % 2 == 0  # an odd number of quotes in the run
        before = arr[np.maximum(first - 1, 0)]
        if first[0] == 0:
            before = before.copy()
            before[0] = self.prev
        at_field_start = np.isin(before, self.starts)
        flip = odd & at_field_start
        close = odd & ~at_field_start
        flips = np.cumsum(flip)
        n = len(first)
        # After run i: the flips since the last closing run (which leaves the state
        # outside), or since the chunk's start from the state it began in.
        last_close = np.maximum.accumulate(np.where(close, np.arange(n), -1))
        base = np.where(last_close >= 0, flips[np.maximum(last_close, 0)], -int(self.inside))
        inside = (flips - base) % 2 == 1
        self.inside = bool(inside[-1])
        if self.inside:
            opens = np.flatnonzero(flip & inside)
            if len(opens):
                self.opened = self.offset + int(first[opens[-1]])
