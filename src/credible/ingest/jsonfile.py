"""JSON (an array of objects, at the root or at a dotted ``records`` path) and JSON Lines.

Cells are handed to the converter as text, as CSV's are: numbers and booleans become
the text a person would type (``12``, ``true``), and nested objects or arrays in kept
columns become JSON text. What JSON allows but a list of rows cannot mean is a problem
naming the record: an object or array where a mapped field wants one value, a key that
appears twice in one object (JSON readers silently keep the last), nesting deeper than
``ReadLimits.json_depth``, text that is not Unicode (unpaired ``\\ud800`` escapes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

from credible.errors import InputError, Problem
from credible.ingest.limits import ReadLimits, limit_problem
from credible.ingest.xlsxcells import cell_text

RawBatch = tuple[list[pa.Array], pa.Array, list[Problem]]
JSON_PEEK = 1000
# Records are decoded as dicts, which keep the last of a key given twice. A flat record
# whose text has one colon per key cannot have given one twice; any other record (with
# colons in its values, nested objects or arrays) is decoded again by _PAIRS, whose
# objects are tuples of (key, value) pairs (``tuple`` is a builtin: no Python call per
# object), and walked for repeated keys and depth.


def _not_json(word: str) -> Any:
    # Python reads NaN, Infinity and -Infinity; JSON (RFC 8259) has no such values, and a
    # name or a date that is NaN is a broken export, not a value.
    raise json.JSONDecodeError(f"{word} is not a JSON value", "", 0)


_DECODER = json.JSONDecoder(parse_constant=_not_json)
_PAIRS = json.JSONDecoder(object_pairs_hook=tuple, parse_constant=_not_json)


def _again(text: str, start: int, limit: int) -> Any:
    """The value at ``text[start:]`` decoded pair by pair, as a record (or _Bad). For any
    record but a flat object with one colon per key (the readers' test, inline)."""
    return _record(_PAIRS.raw_decode(text, start)[0], limit)


class _Bad:
    """A record that cannot be read; ``why`` says what was expected instead."""

    def __init__(self, why: str, limit: str | None = None) -> None:
        self.why, self.limit = why, limit


def _kind_of(value: Any) -> str:
    if isinstance(value, tuple | dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number" if not isinstance(value, bool) else "true/false"


def _build(value: Any, depth: int, limit: int) -> Any:
    """A decoded value with its objects (tuples of pairs) made dicts; raises _Nested
    for a key given twice or nesting deeper than ``limit``."""
    if depth > limit:
        raise _Nested(f"objects and arrays nested more than {limit} deep", limit=True)
    if isinstance(value, tuple):
        out = dict(value)
        if len(out) != len(value):
            seen: set[str] = set()
            twice = ""
            for key, _ in value:
                if key in seen:
                    twice = key
                    break
                seen.add(key)
            raise _Nested(f"each key once in an object; {twice!r} appears more than once")
        for k, v in out.items():
            if isinstance(v, tuple | list):
                out[k] = _build(v, depth + 1, limit)
        return out
    if isinstance(value, list):
        return [_build(v, depth + 1, limit) if isinstance(v, tuple | list) else v for v in value]
    return value


class _Nested(Exception):
    def __init__(self, why: str, limit: bool = False) -> None:
        super().__init__(why)
        self.why, self.limit = why, limit


def _record(value: Any, limit: int) -> Any:
    """The decoded top-level value as a record (a dict, its objects made dicts too), or
    _Bad. (Readers take a flat object, the common case, without this walk.)"""
    if not isinstance(value, tuple):
        return value if value is None else _Bad(f"a JSON object, not {_kind_of(value)}")
    try:
        return _build(value, 1, limit)
    except _Nested as exc:
        return _Bad(exc.why, "json_depth" if exc.limit else None)
    except RecursionError:
        return _Bad(_decode_error(RecursionError()))


def _decode_error(exc: Exception) -> str:
    """What a decoding error means, without any of the text it was decoding."""
    if isinstance(exc, json.JSONDecodeError):
        return f"valid JSON: {exc.msg}"
    if isinstance(exc, RecursionError):
        return "JSON that a reader can follow: objects and arrays nested too deeply to read"
    return "valid JSON: a number too long to read (more than 4300 digits)"


#: The longest token a cut can leave unreadable that is not a string: a surrogate pair
#: of escapes (\\ud83d\\ude00) is 12 characters; ``false`` is 5.
_LONGEST_TOKEN = 12


def _incomplete(exc: json.JSONDecodeError, size: int) -> bool:
    """The decoder may have run out of text (more of the file may complete the element):
    an error within a token's length of the end (a piece cut in ``tr|ue``, ``nu|ll`` or
    ``\\u00|e9`` reads as "Expecting value" or "Invalid \\uXXXX escape"), or a string
    left open. A real error there is found again once more text is read."""
    return exc.pos >= size - _LONGEST_TOKEN or exc.msg.startswith("Unterminated string")


def _iter_array(
    f: TextIO, file: str, limits: ReadLimits, chunk_chars: int = 1 << 20
) -> Iterator[tuple[int, Any]]:
    """Elements of a top-level JSON array, one at a time (the file is never all in memory)."""
    buf, pos, eof = "", 0, False
    longest = limits.json_record_mb << 20

    def more() -> bool:
        nonlocal buf, pos, eof
        chunk = f.read(chunk_chars)
        eof = not chunk
        buf, pos = buf[pos:] + chunk, 0
        return bool(chunk)

    def skip_ws() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n\ufeff":
                pos += 1
            if pos < len(buf) or not more():
                return buf[pos] if pos < len(buf) else ""

    if skip_ws() != "[":
        raise InputError([Problem(file, None, None, "expected a JSON array of objects")])
    pos += 1
    n = 0
    while True:
        ch = skip_ws()
        if ch == "]":
            pos += 1
            if skip_ws():
                raise InputError(
                    [Problem(file, None, None, "nothing after the JSON array's closing ]")]
                )
            return
        if n:
            if ch != ",":
                raise InputError(
                    [Problem(file, n, None, "expected ',' or ']' after this element of the array")]
                )
            pos += 1
            skip_ws()
        while True:
            try:
                obj, end = _DECODER.raw_decode(buf, pos)
                if end == len(buf) and not eof and more():
                    continue  # a number may go on in the next chunk
                break
            except json.JSONDecodeError as exc:
                if _incomplete(exc, len(buf)) and not eof:
                    if len(buf) - pos > longest:
                        too_long = "an element of the array too long"
                        raise InputError(
                            [limit_problem(file, "json_record_mb", limits, too_long, n + 1)]
                        ) from None
                    if more():
                        continue
                why = "expected " + _decode_error(exc)
                raise InputError([Problem(file, n + 1, None, why)]) from None
            except (ValueError, RecursionError) as exc:
                why = "expected " + _decode_error(exc)
                raise InputError([Problem(file, n + 1, None, why)]) from None
        n += 1
        if (
            type(obj) is dict
            and buf.count(":", pos, end) == len(obj)
            and buf.find("[", pos, end) < 0
        ):
            yield n, obj
        else:
            yield n, _again(buf, pos, limits.json_depth)
        pos = end


class JsonSource:
    """A JSON array of objects (at the root or at a dotted ``records`` path) or JSON Lines."""

    def __init__(
        self,
        path: Path,
        fmt: str,
        encoding: str | None,
        records: str | None,
        limits: ReadLimits | None = None,
    ) -> None:
        self.path = path
        self.file = path.name
        self.format = fmt
        self.limits = limits or ReadLimits()
        self.encoding = encoding or "utf-8"
        self._open_encoding = "utf-8-sig" if self.encoding == "utf-8" else self.encoding
        self.delimiter = None
        self.records = records
        self.mapped: set[int] = set()  # columns read into fields: one value each
        self.unread: dict[str, int] = {}  # keys first seen after the peek -> first record
        with open(path, "rb") as f:
            head = f.read(1 << 16)
        if not head.strip():
            raise InputError([Problem(self.file, None, None, "the file is empty")])
        peek = []
        seen = 0
        for _, rec in self._records():
            seen += 1
            if isinstance(rec, dict):
                peek.append(rec)
            if seen >= JSON_PEEK:
                break
        if not seen:
            raise InputError([Problem(self.file, None, None, "no records in the file")])
        keys: dict[str, None] = {}
        for rec in peek:
            keys.update(dict.fromkeys(rec))
        self.headers = [str(k) for k in keys]
        for key in self.headers:
            if not _is_text(key):
                raise InputError(
                    [
                        Problem(
                            self.file,
                            None,
                            None,
                            "keys that are Unicode text, not unpaired surrogates "
                            "(escapes from \\ud800 to \\udfff)",
                        )
                    ]
                )
        self._known = set(self.headers)
        self._peek = peek

    def add_paths(self, wanted: Iterable[str]) -> None:
        """Dotted keys the mapping asks for become columns when some record has them."""
        for key in wanted:
            if key not in self.headers and any(_get(r, key) is not None for r in self._peek):
                self.headers.append(key)

    def _records(self) -> Iterator[tuple[int, Any]]:
        depth = self.limits.json_depth
        try:
            with open(self.path, encoding=self._open_encoding) as f:
                if self.format == "jsonl":
                    yield from self._lines(f)
                elif self.records is None:
                    yield from _iter_array(f, self.file, self.limits)
                else:
                    for n, rec in enumerate(self._at_path(f), start=1):
                        yield n, _record(rec, depth)
        except UnicodeDecodeError as exc:
            raise InputError(
                [Problem(self.file, None, None, f"text that is not valid {self.encoding}: {exc}")]
            ) from exc

    def _lines(self, f: TextIO) -> Iterator[tuple[int, Any]]:
        depth = self.limits.json_depth
        longest = self.limits.json_record_mb << 20
        raw_decode = _DECODER.raw_decode
        n = 0
        while line := f.readline(longest + 1):
            n += 1
            if len(line) > longest and not line.endswith("\n"):
                while (rest := f.readline(1 << 20)) and not rest.endswith("\n"):
                    pass
                yield n, _Bad("a line too long", "json_record_mb")
                continue
            if not line.strip():
                yield n, None
                continue
            if line[0] == "\ufeff":  # files joined together, each with its byte-order mark
                line = line[1:]
            try:
                start = 0
                value, end = raw_decode(line)
                if end < len(line) and not line[end:].isspace():
                    value = _DECODER.decode(line)  # raises for what follows the value
            except (ValueError, RecursionError):
                try:  # white space before the value, which raw_decode does not skip
                    value = _DECODER.decode(line)
                    start, end = len(line) - len(line.lstrip()), len(line)
                except (ValueError, RecursionError) as again:
                    yield n, _Bad(_decode_error(again))
                    continue
            if type(value) is dict and line.count(":") == len(value) and "[" not in line:
                yield n, value
                continue
            try:
                yield n, _again(line, start, depth)
            except RecursionError:
                yield n, _Bad(_decode_error(RecursionError()))

    def _at_path(self, f: TextIO) -> list[Any]:
        """The array at the dotted ``records`` path; the document is loaded whole."""
        try:
            node = _PAIRS.decode(f.read())
        except (ValueError, RecursionError) as exc:
            why = "expected " + _decode_error(exc)
            if isinstance(exc, json.JSONDecodeError):
                why += f" (line {exc.lineno}, column {exc.colno})"
            raise InputError([Problem(self.file, None, None, why)]) from None
        for part in str(self.records).split("."):
            node = dict(node).get(part) if isinstance(node, tuple) else None
        if not isinstance(node, list):
            raise InputError([Problem(self.file, None, "records", f"no array at {self.records!r}")])
        return node

    def iter_raw(self, batch_size: int) -> Iterator[RawBatch]:
        records: list[dict[str, Any]] = []
        numbers: list[int] = []
        problems: list[Problem] = []
        for n, rec in self._records():
            if isinstance(rec, _Bad):
                if rec.limit:
                    problems.append(limit_problem(self.file, rec.limit, self.limits, rec.why, n))
                else:
                    problems.append(Problem(self.file, n, None, f"expected {rec.why}"))
                continue
            records.append(rec or {})
            numbers.append(n)
            if len(records) >= batch_size:
                yield (
                    self._columns(records, numbers, problems),
                    pa.array(numbers, pa.int64()),
                    problems,
                )
                records, numbers, problems = [], [], []
        if records or problems:
            yield self._columns(records, numbers, problems), pa.array(numbers, pa.int64()), problems

    def _columns(
        self, records: list[dict[str, Any]], numbers: list[int], problems: list[Problem]
    ) -> list[pa.Array]:
        """Column by column: most JSON columns hold only strings, which need no conversion."""
        if not self._known.issuperset(set().union(*records)):
            for rec, n in zip(records, numbers, strict=True):
                for key in rec.keys() - self._known:
                    self.unread.setdefault(str(key), n)
        out = []
        for c, key in enumerate(self.headers):
            if "." in key:
                values = [_get(r, key) for r in records]
            else:
                values = [r.get(key) for r in records]
            if not all(v is None or type(v) is str for v in values):
                if c in self.mapped:
                    for i, v in enumerate(values):
                        if isinstance(v, dict | list):
                            problems.append(
                                Problem(
                                    self.file,
                                    numbers[i],
                                    key,
                                    "expected one value (text, a number or true/false), "
                                    f"not {_kind_of(v)}",
                                )
                            )
                            values[i] = None
                values = [cell_text(v) for v in values]
            try:
                out.append(pa.array(values, pa.string()))
            except UnicodeEncodeError:
                for i, v in enumerate(values):
                    if v is not None and not _is_text(v):
                        problems.append(
                            Problem(
                                self.file,
                                numbers[i],
                                key,
                                "expected Unicode text, not an unpaired surrogate "
                                "(an escape from \\ud800 to \\udfff)",
                            )
                        )
                        values[i] = None
                out.append(pa.array(values, pa.string()))
        return out


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _get(record: dict[str, Any], key: str) -> Any:
    if key in record:
        return record[key]
    node: Any = record
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
