"""Text encodings: detect the legacy encodings real files arrive in, and transcode to
UTF-8 on the fly while noting the rows that do not decode.

Generic detectors guess badly on short, name-heavy files (charset-normalizer calls a
Kazakh kz1048 file cp1251, GB18030 Chinese Thai cp874). So candidates from the
encodings this work meets are decoded and scored: letters of the scripts names are
written in (Latin with the usual diacritics, Russian/Kazakh/Uyghur Cyrillic, Arabic,
common Chinese characters) score up; control characters, rare letters, symbols, words
mixing scripts and a capital after a small letter score down.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import io
import re
import sys
import time
import unicodedata
import weakref
from collections.abc import Callable
from functools import cache
from typing import BinaryIO

# Order breaks ties: the more common encoding first.
CANDIDATES = (
    "gb18030",
    "cp1251",
    "kz1048",
    "cp1252",
    "cp1256",
    "cp1254",
    "cp1250",
    "cp866",
    "koi8_r",
    "cp437",
    "cp850",
    "mac_roman",
    "mac_cyrillic",
    "cp1257",
)
_LATIN = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœğşıǵńÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸŒĞŞİǴŃ"
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯәғқңөұүһіҗӘҒҚҢӨҰҮҺІҖ"
_PUNCT = set("–—«»“”‘’„…№·•°\u00a0\u200c\u200d\u060c\u061b\u061f\u3001\u3002\uff0c\uff1a\uff1b")
_TOKEN = re.compile(r"\S*[^\x00-\x7f]\S*")


@cache
def _common_han() -> tuple[frozenset[str], frozenset[str]]:
    """GB 2312's level 1 (the 3,755 most used characters) and level 2 (3,008 rarer)."""
    levels: tuple[set[str], set[str]] = (set(), set())
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                levels[lead >= 0xD8].add(bytes((lead, trail)).decode("gb2312"))
    return frozenset(levels[0]), frozenset(levels[1])


def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "?"


def plausibility(text: str) -> int:
    """Higher for text that reads like names and notes; only non-ASCII tokens count."""
    common = set(_LATIN) | set(_CYRILLIC)
    han, rarer_han = _common_han()
    score = 0
    for token in _TOKEN.findall(text):
        scripts = set()
        prev_lower = False
        plain = accented = 0
        for ch in token:
            if ch.isascii():
                if ch.isalpha():
                    plain += 1
                    scripts.add("LATIN")
                    if prev_lower and ch.isupper():
                        score -= 2
                    prev_lower = ch.islower()
                continue
            cat = unicodedata.category(ch)
            if cat[0] == "L":
                script = _script(ch)
                accented += script == "LATIN"
                if script != "CJK":
                    scripts.add(script)
                    if prev_lower and ch.isupper():
                        score -= 2
                    prev_lower = ch.islower()
                if ch in han:
                    score += 4  # two bytes' worth: one character, not two letters
                elif ch in rarer_han:
                    score += 1
                elif ch in common or "\u0620" <= ch <= "\u06d5":
                    score += 2
                elif script in ("LATIN", "CYRILLIC", "ARABIC", "CJK"):
                    score -= 1
                else:
                    score -= 3
            elif cat[0] == "C":
                score -= 5
            elif ch in _PUNCT or cat[0] in "MZ":
                continue
            else:
                score -= 2
        if len(scripts) > 1:
            score -= 3
        if accented >= 2 and accented > plain:
            # Latin-script words are mostly plain letters; all-accented ones are Cyrillic
            # or Greek read through a Western code page.
            score -= 4 * accented
    return score


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except (UnicodeDecodeError, UnicodeError):
        return None


def bom_encoding(data: bytes) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return name
    return None


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 with a few stray bytes is UTF-8 with a few bad rows (reported as such), not a
    code page that would silently garble every other character."""
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample, final=False)
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    return good >= 10 and bad * 20 <= good


def detect_encoding(sample: bytes) -> str | None:
    """Best encoding for a file starting with ``sample``; None when nothing fits."""
    found = bom_encoding(sample)
    if found:
        return found
    if _decodes(sample, "utf-8") is not None or _mostly_utf8(sample):
        return "utf-8"
    # Score only lines with non-ASCII bytes: they are what tells encodings apart.
    lines = [line for line in sample.splitlines() if not line.isascii()]
    probe = b"\n".join(lines)[:65536]
    best: tuple[int, str] | None = None
    for enc in CANDIDATES:
        text = _decodes(sample, enc)
        if text is None:
            continue
        score = plausibility(_decodes(probe, enc) or "")
        if best is None or score > best[0]:
            best = (score, enc)
    if best is not None:
        return best[1]
    from charset_normalizer import from_bytes

    guess = from_bytes(sample).best()
    return codecs.lookup(guess.encoding).name if guess else None


def is_single_byte(encoding: str) -> bool:
    """A code page with one character per byte (cp1251, cp437, ...), not UTF-* or CJK."""
    name = codecs.lookup(encoding).name
    try:
        chars = bytes(range(256)).decode(name, errors="replace")
    except UnicodeError:  # UTF-16/32 without a BOM
        return False
    return not name.startswith("utf") and len(chars) == 256


def bad_lines(text: str, first_line: int = 1) -> list[int]:
    """1-based line numbers of the replacement characters a lenient decode left behind."""
    return _lines_with(text, "\ufffd", first_line)


def _lines_with(text: str, char: str, first_line: int) -> list[int]:
    lines: list[int] = []
    start = 0
    line = first_line
    while True:
        pos = text.find(char, start)
        if pos < 0:
            return lines
        line += text.count("\n", start, pos)
        if not lines or lines[-1] != line:
            lines.append(line)
        start = pos + 1


# Streams pyarrow may still be reading on its own thread; stopped before the interpreter
# ends (atexit runs while other threads can still run Python), whoever forgot to.
_OPEN: weakref.WeakSet[TranscodingStream] = weakref.WeakSet()


@atexit.register
def _stop_open_streams() -> None:
    for stream in list(_OPEN):
        stream.stop()


class TranscodingStream(io.RawIOBase):
    """Reads a file in any encoding and gives UTF-8 bytes, for pyarrow's CSV reader.

    Bytes that do not decode become U+FFFD and the physical line they sat on is
    remembered in ``bad_lines`` (1-based; the header is line 1), so the reader can
    name the row instead of failing somewhere inside Arrow; likewise the lines that
    hold a NUL character (binary data, not text) in ``nul_lines``. ``observer``, when
    given, sees every piece of UTF-8 output in order (the quote tracker).
    """

    def __init__(
        self,
        raw: BinaryIO,
        encoding: str,
        chunk_size: int = 1 << 20,
        observer: Callable[[bytes], None] | None = None,
    ) -> None:
        self._raw = raw
        self._name = codecs.lookup(encoding).name
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._passthrough = self._name == "utf-8"
        self._chunk_size = chunk_size
        self._buffer = b""
        self._pos = 0
        self._pending = b""
        self._lines_before = 0
        self._first = True
        self._eof = False
        self.bad_lines: list[int] = []
        self.nul_lines: list[int] = []
        self._observer = observer
        self._stopped = False  # stop(): every later read gives nothing
        self._reading = 0  # reads under way
        self._ended = False  # a read has given nothing: the reader has seen the end
        self._last_read = time.monotonic()
        _OPEN.add(self)

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        data = self._raw.read(self._chunk_size)
        final = not data
        if self._first and data.startswith(codecs.BOM_UTF8) and self._name == "utf-8":
            data = data[len(codecs.BOM_UTF8) :]
        self._first = False
        try:
            text = self._decoder.decode(data, final)
            if self._passthrough:
                # Valid UTF-8 passes through untouched, except a cut character at the end,
                # which waits (as the decoder does) for the rest of it.
                out = self._pending + data
                held = self._decoder.getstate()[0]
                if held:
                    out = out[: -len(held)]
                self._pending = held
            else:
                out = text.encode("utf-8")
        except UnicodeDecodeError:
            self._decoder.errors = "replace"
            try:
                text = self._decoder.decode(data, final)
            finally:
                self._decoder.errors = "strict"
            self.bad_lines.extend(bad_lines(text, self._lines_before + 1))
            out = text.encode("utf-8")
            if self._passthrough:
                self._pending = self._decoder.getstate()[0]
        if "\x00" in text:
            self.nul_lines.extend(_lines_with(text, "\x00", self._lines_before + 1))
        self._lines_before += text.count("\n")
        if self._observer is not None:
            self._observer(out)
        self._buffer = self._buffer[self._pos :] + out
        self._pos = 0
        self._eof = final

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        """As many bytes as asked for, short only at the end: pyarrow takes what one read
        gives as a whole block, and a row longer than a block cannot be read."""
        if self._stopped:
            self._ended = True
            return 0
        self._reading += 1
        try:
            done = 0
            while done < len(b):
                while len(self._buffer) - self._pos == 0 and not self._eof:
                    self._fill()
                n = min(len(b) - done, len(self._buffer) - self._pos)
                if n == 0:
                    break
                b[done : done + n] = self._buffer[self._pos : self._pos + n]
                self._pos += n
                done += n
        finally:
            self._reading -= 1
            self._last_read = time.monotonic()
        self._ended = self._ended or done == 0
        return done

    def stop(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Give every later read nothing, and wait until the reader is done with the stream.

        pyarrow reads ahead on a thread of its own. When reading stops early (pyarrow
        raised, or the caller stopped iterating), that thread may still be inside a read,
        or about to start one; if the interpreter exits meanwhile, the process aborts
        (``PyGILState_Release``) or hangs. So the thread is given the end of the stream,
        and waited for: until it has seen it, or it has not read for ``quiet`` seconds
        (its queue of blocks read ahead is full, and it reads no more)."""
        self._stopped = True
        if sys.is_finalizing():
            return  # waiting would hand the thread the GIL while the interpreter ends
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._reading and (self._ended or time.monotonic() - self._last_read > quiet):
                return
            time.sleep(0.005)

    def close(self) -> None:
        self._raw.close()
        super().close()
