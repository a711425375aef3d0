"""Limits on what an XLSX workbook (a zip of XML parts) may expand to.

A few megabytes of zip can hold gigabytes of XML, and a shared string table of tens of
millions of entries becomes tens of millions of Python strings. The zip's directory is
checked first (the sizes its parts declare, and how far each expands); then every part
read, by this project's reader or by openpyxl, is metered as it is decompressed, since
a directory can lie. The sheet's rows are checked as they stream (``xlsxfast``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from credible.errors import InputError, Problem
from credible.ingest.limits import ReadLimits, limit_problem
from credible.ingest.xlsxcells import MAX_ROWS

MB = 1 << 20
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class TooLarge(InputError):
    """The workbook is over one of the limits (never a reason to try another reader)."""


def too_large(file: str, name: str, limits: ReadLimits, what: str) -> TooLarge:
    return TooLarge([limit_problem(file, name, limits, what)])


def past_last_row(file: str, row: int) -> TooLarge:
    return TooLarge(
        [Problem(file, None, None, f"row numbers up to {MAX_ROWS} (Excel's last row), not {row}")]
    )


def check_archive(path: Path, file: str, limits: ReadLimits) -> str | None:
    """Check the sizes the zip's directory declares; the shared strings part's name."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            if total > limits.xlsx_expanded_mb * MB:
                raise too_large(
                    file,
                    "xlsx_expanded_mb",
                    limits,
                    f"the workbook's parts expand to {total / MB:,.0f} MB",
                )
            for info in infos:
                if info.file_size > MB and info.file_size > limits.xlsx_ratio * max(
                    info.compress_size, 1
                ):
                    ratio = info.file_size / max(info.compress_size, 1)
                    raise too_large(
                        file,
                        "xlsx_ratio",
                        limits,
                        f"{info.filename} expands to {ratio:,.0f} times its compressed size",
                    )
            strings = _strings_part(archive)
            sizes = {i.filename: i.file_size for i in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, EOFError):
        return None  # not a zip, or damaged: the readers say how
    if strings is not None:
        size = sizes.get(strings, 0)
        if size > limits.xlsx_shared_strings_mb * MB:
            raise too_large(
                file,
                "xlsx_shared_strings_mb",
                limits,
                f"the shared string table is {size / MB:,.0f} MB",
            )
    return strings


def _strings_part(archive: zipfile.ZipFile) -> str | None:
    """Where the content types say the shared strings are (as openpyxl finds them)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.functions import fromstring

    try:
        info = archive.getinfo("[Content_Types].xml")
        if info.file_size > MB:
            return None
        manifest = Manifest.from_tree(fromstring(archive.read(info)))
        part = manifest.find(_SHARED_STRINGS)
    except Exception:  # openpyxl reports a damaged manifest itself
        return None
    return None if part is None else str(part.PartName[1:])


class Meter:
    """Counts what is decompressed from one workbook's parts, and the shared strings."""

    def __init__(self, file: str, limits: ReadLimits, strings: str | None) -> None:
        self.file = file
        self.limits = limits
        self.strings = strings
        self.left = limits.xlsx_expanded_mb * MB
        self.string_bytes = 0
        self.string_items = 0

    def install(self, archive: zipfile.ZipFile) -> None:
        """Every part opened from ``archive`` from now on (``read`` opens too) is metered."""
        opener = archive.open

        def metered(name: Any, mode: Any = "r", *args: Any, **kwargs: Any) -> Any:
            raw = opener(name, mode, *args, **kwargs)
            if mode != "r":
                return raw
            part = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
            return _Metered(raw, self.spend_strings if part == self.strings else self.spend)

        setattr(archive, "open", metered)  # noqa: B010 (an instance attribute, not the method)

    def spend(self, data: bytes) -> None:
        self.left -= len(data)
        if self.left < 0:
            raise too_large(
                self.file,
                "xlsx_expanded_mb",
                self.limits,
                "the workbook's parts expand to more than their directory declares",
            )

    def spend_strings(self, data: bytes) -> None:
        self.spend(data)
        self.string_bytes += len(data)
        # <si> and <si ...>; a prefixed <x:si> counts its closing tag too (a rough bound)
        self.string_items += data.count(b"<si") + data.count(b":si") // 2
        if self.string_items > self.limits.xlsx_shared_strings:
            raise too_large(
                self.file,
                "xlsx_shared_strings",
                self.limits,
                f"the shared string table has more than {self.limits.xlsx_shared_strings:,} "
                "entries",
            )
        if self.string_bytes > self.limits.xlsx_shared_strings_mb * MB:
            raise too_large(
                self.file,
                "xlsx_shared_strings_mb",
                self.limits,
                "the shared string table expands to more than its directory declares",
            )


class _Metered:
    """A part being decompressed, as a readable file whose bytes are counted."""

    def __init__(self, raw: IO[bytes], spend: Callable[[bytes], None]) -> None:
        self._raw = raw
        self._spend = spend

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._spend(data)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Metered:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
