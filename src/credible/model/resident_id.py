"""The Chinese resident identity number (GB 11643-1999, 公民身份号码): check, normalise,
read, generate. Pure functions; the only data is the packaged table of Xinjiang's county
codes (``data/gb2260_xinjiang.csv``, from GB/T 2260).

An 18-character number is::

    RRRRRR YYYYMMDD SSS C
    region birth    seq check

- ``RRRRRR``: the county-level region code (GB/T 2260) where the number was issued;
- ``YYYYMMDD``: the birth date;
- ``SSS``: a sequence number, odd for men and even for women;
- ``C``: the ISO 7064 MOD 11-2 check character over the first 17 digits, ``0``-``9`` or
  ``X`` (for 10).

The first generation of numbers (1984-1999) had 15 digits: the year written with two
digits (19YY) and no check character. Lists written by hand or retyped carry full-width
digits (``６５３１``), a lowercase ``x``, spaces or hyphens; those are normalised away.
A number is never corrected: a wrong check digit is reported, not repaired.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: ISO 7064 MOD 11-2 weights of the first 17 digits (2^(17-i) mod 11).
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
_PROVINCE_CODES: tuple[int, ...] = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36)
_PROVINCE_CODES += (37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82)
#: Province-level prefixes of GB/T 2260 (the first two digits of every region code).
PROVINCES = frozenset(f"{code:02d}" for code in _PROVINCE_CODES)
XINJIANG = "65"
_SEPARATORS = re.compile(r"[\s\-‐-―_.·]+")
#: Years of birth an identity number may carry: no one alive was born before 1880, and
#: the number is issued at birth registration at the earliest.
_FIRST_YEAR = 1880


@dataclass(frozen=True)
class Region:
    code: str
    han: str
    en: str
    status: str  # "current" or "retired <year>"
    key: str  # the simulator's county key, "" when not simulated


@dataclass(frozen=True)
class IdCheck:
    """What a written number says: ``normalised`` is the number after normalising
    (18 characters, or what was left when it cannot be made so; None when there is no
    number at all); ``problems`` empty means valid. ``birth``, ``male`` and ``region``
    are read from the number only when it is valid."""

    written: str
    normalised: str | None
    problems: tuple[str, ...]
    birth: dt.date | None = None
    male: bool | None = None
    region: Region | None = None

    @property
    def valid(self) -> bool:
        return not self.problems and self.normalised is not None


@cache
def xinjiang_regions() -> dict[str, Region]:
    """Xinjiang's county-level codes, current and retired, by code."""
    text = (resources.files("credible.model") / "data" / "gb2260_xinjiang.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["code"]: Region(r["code"], r["han"], r["en"], r["status"], r["key"]) for r in rows}


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("a check digit is computed over exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def clean(written: str) -> str:
    """Full-width digits and letters folded (NFKC), separators dropped, ``x`` upper case."""
    folded = unicodedata.normalize("NFKC", written)
    return _SEPARATORS.sub("", folded).upper()


def check(written: object) -> IdCheck:
    """Check one written number. Never raises on bad input: every problem is listed."""
    text = "" if written is None else str(written)
    cleaned = clean(text)
    if not cleaned:
        return IdCheck(text, None, ("no number",))
    if not re.fullmatch(r"\d{15}|\d{17}[\dX]?", cleaned):
        digits_only = re.fullmatch(r"\d*X?", cleaned) is not None
        what = f"{len(cleaned)} characters" if digits_only else "characters other than digits"
        return IdCheck(text, cleaned, (f"15 or 18 digits (the last may be X), got {what}",))
    problems: list[str] = []
    if len(cleaned) == 15:
        # First-generation number: 19YY, no check character. Upgraded as the issuing
        # offices did (GB 11643-1999 appendix): insert "19", append the check digit.
        body = cleaned[:6] + "19" + cleaned[6:]
        normalised = body + check_digit(body)
    elif len(cleaned) == 17:
        normalised = cleaned
        problems.append("the check digit is missing (17 digits)")
    else:
        normalised = cleaned
        if "X" in normalised[:17]:
            problems.append("X stands only in the last place")
        elif check_digit(normalised[:17]) != normalised[17]:
            problems.append("the check digit does not match")
    region_code = normalised[:6]
    region = xinjiang_regions().get(region_code)
    if region_code[:2] not in PROVINCES:
        problems.append(f"{region_code} is not a region code of GB/T 2260")
    elif region_code[:2] == XINJIANG and region is None:
        problems.append(f"{region_code} is not a county code of Xinjiang in GB/T 2260")
    birth = _date(normalised[6:14])
    if birth is None:
        problems.append(f"{normalised[6:14]} is not a birth date (YYYYMMDD)")
    if problems:
        return IdCheck(text, normalised, tuple(problems))
    return IdCheck(text, normalised, (), birth, int(normalised[16]) % 2 == 1, region)


def _date(ymd: str) -> dt.date | None:
    if not ymd.isdigit():
        return None
    try:
        d = dt.date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError:
        return None
    return d if d.year >= _FIRST_YEAR else None


def generate(region: str, birth: dt.date, sequence: int, male: bool) -> str:
    """A valid 18-character number: ``sequence`` (0-499) picks the serial among those of
    the right parity (odd for men)."""
    if not 0 <= sequence < 500:
        raise ValueError("sequence must be in 0..499")
    if len(region) != 6 or not region.isdigit():
        raise ValueError("a region code is six digits")
    serial = 2 * sequence + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{serial:03d}"
    return body + check_digit(body)


def to_15(number: str) -> str:
    """The first-generation form of an 18-character number of someone born in the 1900s."""
    if number[6:8] != "19":
        raise ValueError("only numbers of people born 1900-1999 have a 15-digit form")
    return number[:6] + number[8:17]
