"""openpyxl's reading of XLSX cells, one cell at a time, without openpyxl's cost.

``CellReader.text`` gives, for one ``<c>`` element's type, style and body, the text
that ``cell_text`` makes of the value openpyxl's ``WorkSheetParser.parse_cell`` returns
in read-only, data-only mode (openpyxl 3.1). ``CellReader.tokenised`` reads a piece of
``<sheetData>`` with one regular expression and a Python step per cell; the columnar
reader (``xlsxfast``) uses it for pieces it does not read itself. Whatever neither
reads exactly raises ``Unusual``, and openpyxl reads the rest of the sheet.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pyarrow as pa

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# One token per row start or cell. Attributes are matched in any order: a repeated
# group keeps its last match, and r, s and t each occur at most once in a tag.
_TOKEN = re.compile(
    r"(<row)\b(?:\s+r=\"([^\"]*)\"|\s+(?!r=)[\w:.-]+=\"[^\"]*\")*\s*/?>"
    r"|<c(?:\s+r=\"([A-Z]*)([0-9]*)\"|\s+s=\"([^\"]*)\"|\s+t=\"([^\"]*)\""
    r"|\s+(?![rst]=)[\w:.-]+=\"[^\"]*\")*\s*(?:/>|>(.*?)</c>)",
    re.S,
)
_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_INLINE = ("<is><t>", '<is><t xml:space="preserve">')


class Unusual(Exception):
    """The sheet uses XML this reader does not read exactly; let openpyxl read it."""


MAX_ROWS = 1_048_576  # Excel's last row


class PastLastRow(Exception):
    """A row numbered past Excel's last row: the gap before it would be read as millions
    of empty rows (a few bytes of XML can claim row 999999999)."""

    def __init__(self, row: int) -> None:
        super().__init__(f"row {row}")
        self.row = row


def cell_text(value: Any) -> str | None:
    """A spreadsheet or JSON value as the text a person would have typed."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def unescape(text: str) -> str:
    """XML character and predefined entity references; any other ``&`` is not XML."""
    if "&" not in text:
        return text
    out, n = _ENTITY.subn(_entity, text)
    if n != text.count("&"):
        raise Unusual("an entity reference that is not XML's")
    return out


def _entity(m: re.Match[str]) -> str:
    if m.group(3):
        return _NAMED[m.group(3)]
    return chr(int(m.group(1)) if m.group(1) else int(m.group(2), 16))


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class State:
    given: int = 1  # the next row number to give, as openpyxl counts
    last: int = 0  # the number of the last <row> read


@dataclass
class Block:
    """``count`` consecutive sheet rows; ``columns`` by column number from 1 (a column
    left out is empty in every row of the block)."""

    count: int
    columns: dict[int, pa.Array]

    def slice(self, start: int) -> Block:
        rest = {c: a.slice(start) for c, a in self.columns.items()}
        return Block(max(self.count - start, 0), rest)

    def lists(self) -> list[list[str | None]]:
        """Row by row, trailing empty cells left off (for tests and comparisons)."""
        width = max(self.columns, default=0)
        cols = [
            self.columns[c].to_pylist() if c in self.columns else None for c in range(1, width + 1)
        ]
        out = []
        for i in range(self.count):
            row = [c[i] if c is not None else None for c in cols]
            while row and row[-1] is None:
                row.pop()
            out.append(row)
        return out


def block_of_lists(rows: list[list[str | None]]) -> Block:
    width = max((len(r) for r in rows), default=0)
    columns = {
        c + 1: pa.array([r[c] if c < len(r) else None for r in rows], pa.string())
        for c in range(width)
    }
    return Block(len(rows), columns)


class CellReader:
    """Cell texts with the workbook facts openpyxl read: shared strings, the styles
    whose number format is a date or a duration, the date epoch."""

    def __init__(
        self,
        strings: list[str],
        epoch: datetime,
        date_styles: set[int],
        timedelta_styles: set[int],
    ) -> None:
        self.strings = strings
        self.epoch = epoch
        self.date_styles = date_styles
        self.timedelta_styles = timedelta_styles
        self._dates: dict[tuple[str, str], str | None] = {}

    def text(self, kind: str, style: str, body: str) -> str | None:
        """``cell_text`` of the value openpyxl's parse_cell gives (data_only)."""
        if kind == "inlineStr":
            for prefix in _INLINE:
                if body.startswith(prefix) and body.endswith("</t></is>"):
                    inner = body[len(prefix) : -9]
                    if "<" not in inner:
                        return unescape(inner)
            return _inline_slow(body)
        if body.startswith("<v>") and body.endswith("</v>") and "<" not in body[3:-4]:
            v = unescape(body[3:-4]) or None
        elif not body:
            v = None
        else:
            v = _value_slow(body)
        if v is None:
            return None
        if kind == "s":
            return self.strings[int(v)]
        if kind == "n":
            if style and int(style) in self.date_styles:
                return self.date(v, style)
            return number_text(v)
        if kind == "b":
            return "true" if int(v) else "false"
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return cell_text(from_ISO8601(v))
        return v  # str, e (an error such as #N/A) and unknown types stay text

    def value(self, kind: str, style: str, v: str) -> str | None:
        """``text`` of a cell whose body is ``<v>v</v>`` (v already unescaped)."""
        return self.text(kind, style, "<v>" + v.replace("&", "&amp;").replace("<", "&lt;") + "</v>")

    def date(self, v: str, style: str) -> str | None:
        key = (v, style)
        if key in self._dates:
            return self._dates[key]
        from openpyxl.utils.datetime import from_excel

        value: Any = _cast_number(v)
        try:
            value = from_excel(value, self.epoch, timedelta=int(style) in self.timedelta_styles)
        except (OverflowError, ValueError):
            value = "#VALUE!"
        text = cell_text(value)
        if len(self._dates) < 100_000:
            self._dates[key] = text
        return text

    def tokenised(self, segment: str, state: State) -> list[list[str | None]]:
        """Rows of a piece of ``<sheetData>``: one regular expression over it, one
        Python step per cell."""
        cells = segment.count("<c ") + segment.count("<c>") + segment.count("<c/")
        starts = segment.count("<row ") + segment.count("<row>") + segment.count("<row/")
        out: list[list[str | None]] = []
        rows = 0
        placed: list[tuple[int, str | None]] | None = None
        texts: list[str | None] = []
        col = 0
        tokens = _TOKEN.findall(segment)
        for mark, rnum, letters, digits, style, kind, body in tokens:
            if mark:
                if rows:
                    state.given = _place(out, state.given, state.last, placed, texts)
                rows += 1
                state.last = _row_number(rnum, state.last)
                placed, texts, col = None, [], 0
                continue
            if letters:
                if not digits or len(letters) > 3:
                    raise Unusual("a cell reference openpyxl reads differently")
                col = column_number(letters)
            elif digits:
                raise Unusual("a cell reference without a column")
            else:
                col += 1
            text = self.text(kind or "n", style, body)
            if placed is None and col == len(texts) + 1:
                texts.append(text)
            else:
                if placed is None:
                    placed = list(enumerate(texts, start=1))
                placed.append((col, text))
        if rows:
            state.given = _place(out, state.given, state.last, placed, texts)
        if rows != starts or len(tokens) - rows != cells:
            raise Unusual("cells or rows the tokeniser did not recognise")
        return out


def _place(
    out: list[list[str | None]],
    given: int,
    number: int,
    placed: list[tuple[int, str | None]] | None,
    texts: list[str | None],
) -> int:
    """openpyxl's filling: empty rows up to ``number``; a row numbered below the rows
    already given is dropped; a row is as wide as its last cell's column. Returns the
    next row number to give."""
    while given < number:
        out.append([])
        given += 1
    if given > number:
        return given
    if placed is None:
        out.append(texts)
    else:
        width = placed[-1][0]
        row: list[str | None] = [None] * width
        for c, text in placed:
            if c <= width:
                row[c - 1] = text
        out.append(row)
    return given + 1


def normalise(text: str) -> str:
    """What an XML parser does before anyone sees the text: line ends become \\n."""
    if "<![CDATA[" in text or "<!--" in text or "<?" in text:
        raise Unusual("CDATA, comments or processing instructions in <sheetData>")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _row_number(rnum: str, last: int) -> int:
    if not rnum:
        number = last + 1
    else:
        try:
            number = int(rnum)
        except ValueError:
            raise Unusual("a row number openpyxl reads differently") from None
    if number > MAX_ROWS:
        raise PastLastRow(number)
    return number


def _cast_number(v: str) -> int | float:
    if "." in v or "E" in v or "e" in v:
        return float(v)
    return int(v)


def number_text(v: str) -> str:
    """``cell_text`` of openpyxl's ``_cast_number``."""
    return cell_text(_cast_number(v)) or ""


def shared_strings(data: bytes) -> list[str]:
    """openpyxl's ``read_string_table`` of a sharedStrings part: each ``<si>``'s text
    (rich runs joined, phonetic hints left out), ``x005F_`` removed. Plain ``<t>``
    items are cut out of the bytes; any other item is read as openpyxl reads it."""
    from openpyxl.reader.strings import read_string_table

    head = data[:4096]
    if (
        not data.startswith((b"<?xml", b"<sst"))
        or f'xmlns="{MAIN_NS}"'.encode() not in head
        or b"<sst" not in head
        or data.count(b"<si") != data.count(b"<si>")
        or b"<!" in data
    ):
        return list(read_string_table(io.BytesIO(data)))
    pieces = data.split(b"<si>")
    out: list[str] = []
    for piece in pieces[1:]:
        end = piece.rfind(b"</si>")
        body = piece[:end] if end >= 0 else b""
        text: str | None = None
        for prefix in (b"<t>", b'<t xml:space="preserve">'):
            if body.startswith(prefix) and body.endswith(b"</t>"):
                inner = body[len(prefix) : -4]
                if b"<" not in inner:
                    text = unescape(normalise(inner.decode("utf-8")))
                break
        if text is None:
            text = _string_item(body)
        out.append(text.replace("x005F_", ""))
    return out


def _string_item(body: bytes) -> str:
    from openpyxl.cell.text import Text

    try:
        node = ET.fromstring(f'<si xmlns="{MAIN_NS}">'.encode() + body + b"</si>")
    except ET.ParseError as exc:
        raise Unusual(f"a shared string that does not parse alone: {exc}") from exc
    return str(Text.from_tree(node).content)


def _element(body: str) -> ET.Element:
    try:
        return ET.fromstring(f'<c xmlns="{MAIN_NS}">{body}</c>')
    except ET.ParseError as exc:
        raise Unusual(f"a cell body that does not parse alone: {exc}") from exc


def _value_slow(body: str) -> str | None:
    """openpyxl: ``element.findtext(VALUE_TAG, None) or None`` (formulas, odd bodies)."""
    return _element(body).findtext(f"{{{MAIN_NS}}}v", None) or None


def _inline_slow(body: str) -> str | None:
    """openpyxl: ``Text.from_tree(<is>).content`` (rich text runs, phonetic hints)."""
    from openpyxl.cell.text import Text

    child = _element(body).find(f"{{{MAIN_NS}}}is")
    if child is None:
        return None
    return cell_text(Text.from_tree(child).content)
