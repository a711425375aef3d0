"""Does a delimited text file end inside a quoted cell?

pyarrow's CSV reader, like Python's csv module, reads an unterminated quote as a cell
that runs to the end of the file: every row after it silently becomes part of one
cell. ``QuoteTracker`` watches the UTF-8 bytes on their way to pyarrow and follows the
same rules: a quote opens a cell only at the start of a field (after the delimiter or
a line break, or at the start of the file); inside a quoted cell ``""`` is a quote and
a lone quote closes the cell; a quote anywhere else is an ordinary character.

A run of quotes either leaves the state alone (an even run: escaped quotes, or an
empty quoted cell), flips it (an odd run at the start of a field opens a cell when
outside, closes one when inside) or closes (an odd run elsewhere: a quoted cell's
closing quote, or a quote inside an unquoted cell). Which of the three a run is depends
on its bytes alone, so the state after a chunk is the parity of the flips after the
chunk's last closing run. Only quote characters matter: a chunk without one costs a
byte search, and in a chunk with quotes the runs are walked back from its end, which
in real files reaches a closing quote within a run or two; a chunk where it does not
is followed run by run with numpy. Never byte by byte in Python.
"""

from __future__ import annotations

import numpy as np

QUOTE = ord('"')


class QuoteTracker:
    """Feed it the stream in order; ``unclosed`` then tells where a quote that never
    closed was opened (a byte offset into the UTF-8 stream), or None."""

    def __init__(self, delimiter: str, max_walk: int = 64) -> None:
        self.start_bytes = frozenset((ord(delimiter), ord("\n"), ord("\r")))
        self.starts = np.array(sorted(self.start_bytes), dtype=np.uint8)
        self.max_walk = max_walk  # runs walked back from a chunk's end before numpy takes over
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
            self._walk(data)
        self.offset += len(data)
        self.prev = data[-1]

    def _walk(self, data: bytes) -> None:
        """Back from the end to the last closing run, counting the flips after it."""
        flips: list[int] = []  # where the flipping runs start, the last first
        closed = False
        end = data.rfind(b'"')
        for _ in range(self.max_walk):
            if end < 0:
                break
            start = end
            while start and data[start - 1] == QUOTE:
                start -= 1
            if (end - start) % 2 == 0:  # an odd run
                if (data[start - 1] if start else self.prev) not in self.start_bytes:
                    closed = True
                    break
                flips.append(start)
            end = data.rfind(b'"', 0, start)
        else:
            if end >= 0:
                self._runs(data)  # many runs and no closing one: let numpy follow them
                return
        inside = len(flips) % 2 == 1 if closed else self.inside != (len(flips) % 2 == 1)
        if inside and flips:
            self.opened = self.offset + flips[0]
        self.inside = inside

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
