"""Partial and uncertain dates (EDTF) → normalised text plus the earliest and latest day.

Plain ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (optionally qualified ``~ ? %``) take a fast
path; anything else goes to the ``edtf`` library, which is exact but slow (milliseconds
per value), so columns are parsed one *unique* value at a time.

Bounds follow the ``edtf`` library's fuzzy bounds: a qualifier at the end applies to
every component (EDTF 2019), and each approximate or uncertain component widens the
range by one unit of itself (two when both, ``%``). Intervals take the start's lower
and the end's upper bound; an open (``..``) or unknown (empty) end has no bound (None).
Days are counted from 1970-01-01 (Arrow ``date32``), proleptic Gregorian, so years
before 1 and after 9999 work too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EDTF_HELP = "a date in EDTF (2017, 2017-05, 2017-05-03, 2017-05~, 2017?, 201X, 2017/2018)"
_PLAIN = re.compile(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?")
_MAX_DAYS = 2**31 - 1


@dataclass(frozen=True)
class DateValue:
    normalised: str | None
    lower: int | None  # days since 1970-01-01
    upper: int | None
    error: str | None = None


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def month_length(y: int, m: int) -> int:
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def _shift(y: int, m: int, d: int, years: int, months: int, days: int) -> int:
    """Like dateutil's relativedelta: years and months first (day clamped), then days."""
    total = y * 12 + (m - 1) + years * 12 + months
    ny, nm = divmod(total, 12)
    nm += 1
    return days_from_civil(ny, nm, min(d, month_length(ny, nm))) + days


def _plain(raw: str) -> DateValue | None:
    match = _PLAIN.fullmatch(raw)
    if match is None:
        return None
    ys, ms, ds, qual = match.groups()
    y = int(ys)
    if ys.startswith("-") and y == 0:
        return DateValue(None, None, None, "year -0000 does not exist")
    pad = {None: 0, "~": 1, "?": 1, "%": 2}[qual]
    if ms is None:
        lo = _shift(y, 1, 1, -pad, 0, 0)
        hi = _shift(y, 12, 31, pad, 0, 0)
    else:
        m = int(ms)
        if not 1 <= m <= 12:
            # 21-41 are EDTF seasons and quarters; the library knows them.
            return None if 21 <= m <= 41 and ds is None else _bad(raw, f"month {m} out of range")
        if ds is None:
            lo = _shift(y, m, 1, -pad, -pad, 0)
            hi = _shift(y, m, month_length(y, m), pad, pad, 0)
        else:
            d = int(ds)
            if not 1 <= d <= month_length(y, m):
                return _bad(raw, f"{ys}-{ms} has no day {d}")
            lo = _shift(y, m, d, -pad, -pad, -pad)
            hi = _shift(y, m, d, pad, pad, pad)
    return DateValue(raw, _clip(lo), _clip(hi))


def _bad(raw: str, why: str) -> DateValue:
    return DateValue(None, None, None, f"expected {EDTF_HELP}; {why}")


def _clip(days: int | None) -> int | None:
    return days if days is not None and -_MAX_DAYS <= days <= _MAX_DAYS else None


def _struct_days(t: object) -> int | None:
    try:
        y, m, d = t[0], t[1], t[2]  # type: ignore[index]
        return _clip(days_from_civil(int(y), int(m), int(d)))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None  # infinite (open) bounds come back as floats


@lru_cache(maxsize=65536)
def _library(raw: str) -> DateValue:
    from edtf import parse_edtf

    try:
        value = parse_edtf(raw)
        return DateValue(
            str(value), _struct_days(value.lower_fuzzy()), _struct_days(value.upper_fuzzy())
        )
    except Exception:  # the parser raises several unrelated types for bad input
        return _bad(raw, "not valid EDTF")


def _single(raw: str) -> DateValue:
    return _plain(raw) or _library(raw)


def parse_edtf(raw: str) -> DateValue:
    """Normalise one EDTF value and give its widest sensible range of days."""
    raw = raw.strip()
    if not raw:
        return DateValue(None, None, None)
    if "/" in raw and raw[0] not in "[{":
        start, _, end = raw.partition("/")
        if "/" in end or (start in ("", "..") and end in ("", "..")):
            return _bad(raw, "an interval needs at least one known end")
        a = DateValue(start, None, None) if start in ("", "..") else _single(start)
        b = DateValue(end, None, None) if end in ("", "..") else _single(end)
        for part in (a, b):
            if part.error:
                return part
        if a.lower is not None and b.upper is not None and a.lower > b.upper:
            return _bad(raw, "the interval ends before it starts")
        return DateValue(f"{a.normalised}/{b.normalised}", a.lower, b.upper)
    return _single(raw)


def _precision(fmt: str) -> str:
    if any(t in fmt for t in ("%d", "%j", "%x", "%c")):
        return "day"
    if any(t in fmt for t in ("%m", "%b", "%B")):
        return "month"
    return "year"


def parse_date_value(raw: str, formats: list[str] | tuple[str, ...] = ("edtf",)) -> DateValue:
    """Try each declared format in turn: ``edtf`` or a ``strptime`` pattern."""
    raw = raw.strip()
    if not raw:
        return DateValue(None, None, None)
    for fmt in formats:
        if fmt == "edtf":
            value = parse_edtf(raw)
            if value.error is None:
                return value
            continue
        try:
            when = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        text = {"day": f"{when:%Y-%m-%d}", "month": f"{when:%Y-%m}", "year": f"{when.year:04d}"}
        return parse_edtf(text[_precision(fmt)])
    if list(formats) == ["edtf"]:
        return parse_edtf(raw)
    return DateValue(None, None, None, "expected a date in the format " + " or ".join(formats))


@dataclass
class DateColumn:
    normalised: pa.Array
    lower: pa.Array
    upper: pa.Array
    bad: np.ndarray  # row indices whose value is not a date
    errors: list[str]  # message per bad row


def parse_date_column(
    values: pa.Array, formats: list[str], cache: dict[str, DateValue] | None = None
) -> DateColumn:
    """Parse a string column by its unique values (dictionary encoding), vectorised."""
    cache = {} if cache is None else cache
    encoded = pc.dictionary_encode(values)
    uniques = encoded.dictionary.to_pylist()
    parsed = []
    for raw in uniques:
        hit = cache.get(raw)
        if hit is None:
            hit = parse_date_value(raw, formats)
            if len(cache) < 1_000_000:
                cache[raw] = hit
        parsed.append(hit)
    idx = encoded.indices
    norm = pa.array([p.normalised for p in parsed], pa.string()).take(idx)
    lo = pa.array([p.lower for p in parsed], pa.int32()).take(idx).cast(pa.date32())
    hi = pa.array([p.upper for p in parsed], pa.int32()).take(idx).cast(pa.date32())
    bad_u = np.array([p.error is not None for p in parsed] or [False], dtype=bool)
    idx_np = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
    valid = idx.is_valid().to_numpy(zero_copy_only=False)
    bad_rows = np.nonzero(valid & bad_u[idx_np])[0]
    errors = [str(parsed[int(idx_np[i])].error) for i in bad_rows]
    return DateColumn(norm, lo, hi, bad_rows, errors)
