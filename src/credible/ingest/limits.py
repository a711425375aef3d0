"""What reading one file may cost: the limits that stop a hostile or broken file from
taking the machine's memory or hours of work (a 4 KB workbook that claims a row a
billion lines down, a 4 MB one whose shared strings expand to gigabytes, JSON nested
a hundred thousand deep, a YAML mapping of nested aliases).

The defaults read a real workbook of a few million rows; a file over a limit is
refused with a problem naming the limit, and ``--limit NAME=VALUE`` raises it for a
file that is trusted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

from credible.errors import ConfigError, Problem

__all__ = ["ReadLimits", "limit_problem"]


def _limit(default: int, help: str) -> int:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class ReadLimits:
    """Limits on what one file may make the reader expand, hold or walk."""

    xlsx_expanded_mb: int = _limit(
        2048, "XLSX: MB all parts of the workbook may decompress to, together"
    )
    xlsx_ratio: int = _limit(
        100,
        "XLSX: how many times its compressed size a part over 1 MB may expand to "
        "(real sheets: about 10)",
    )
    xlsx_cells: int = _limit(50_000_000, "XLSX: cells read from the sheet")
    xlsx_shared_strings: int = _limit(10_000_000, "XLSX: entries in the shared string table")
    xlsx_shared_strings_mb: int = _limit(1024, "XLSX: MB of the shared string table's XML")
    json_depth: int = _limit(64, "JSON: how deeply objects and arrays may nest in one record")
    csv_row_mb: int = _limit(
        4,
        "MB of one CSV/TSV row: pyarrow reads blocks of this size, and memory grows with "
        "it (a row up to this size is always read; one up to twice its size may be)",
    )
    json_record_mb: int = _limit(64, "MB of one JSON Lines line or JSON array element")
    columns: int = _limit(16_384, "columns of a file (Excel's own limit)")
    mapping_kb: int = _limit(1024, "size of a mapping file, in KB")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if type(value) is not int or value < 1:
                raise ConfigError(f"limit {f.name} must be a whole number of at least 1")

    @classmethod
    def names(cls) -> dict[str, str]:
        """Each limit's name and what it limits."""
        return {f.name: f.metadata["help"] for f in fields(cls)}

    @classmethod
    def from_options(cls, options: Iterable[str]) -> ReadLimits:
        """Defaults changed by ``NAME=VALUE`` strings (``--limit xlsx_expanded_mb=4000``);
        an unknown name or a value that is not a positive whole number is a ConfigError
        that lists the names."""
        known = cls.names()
        changes: dict[str, int] = {}
        for option in options:
            name, sep, text = option.partition("=")
            name, text = name.strip(), text.strip().replace("_", "")
            listing = "; ".join(f"{k} ({v}, default {getattr(cls(), k)})" for k, v in known.items())
            if not sep or name not in known:
                raise ConfigError(
                    f"unknown limit {option!r}: use NAME=VALUE with NAME one of {listing}"
                )
            if not text.isdigit() or not text.isascii() or int(text) < 1:
                raise ConfigError(
                    f"limit {name} takes a whole number of at least 1, not {text or '(nothing)'!r}"
                )
            changes[name] = int(text)
        return replace(cls(), **changes)


def limit_problem(
    file: str, name: str, limits: ReadLimits, what: str, row: int | None = None
) -> Problem:
    """A file over one of the limits: which, and how to raise it for a trusted file."""
    value = getattr(limits, name)
    return Problem(
        file,
        row,
        None,
        f"{what}: over the limit {name}={value}; "
        f"if the file is trusted, raise it with --limit {name}=VALUE",
    )
