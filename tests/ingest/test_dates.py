"""Partial and uncertain dates: properties of the parser, and agreement of its fast
path with the ``edtf`` library it stands in for."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest
from edtf import parse_edtf as library_parse
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.ingest.dates import (
    days_from_civil,
    parse_date_column,
    parse_date_value,
    parse_edtf,
)

EPOCH = date(1970, 1, 1)
dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
qualifiers = st.sampled_from(["", "~", "?", "%"])


def _day(d: date) -> int:
    return (d - EPOCH).days


@st.composite
def edtf_values(draw: st.DrawFn) -> str:
    d = draw(st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)))
    shape = draw(st.sampled_from(["year", "month", "day", "interval", "unspecified", "open"]))
    q = draw(qualifiers)
    if shape == "year":
        return f"{d.year:04d}{q}"
    if shape == "month":
        return f"{d.year:04d}-{d.month:02d}{q}"
    if shape == "day":
        return f"{d.isoformat()}{q}"
    if shape == "unspecified":
        return f"{d.year // 10:03d}X"
    end = d + timedelta(days=draw(st.integers(0, 4000)))
    if shape == "open":
        return draw(st.sampled_from([f"{d.year}/..", f"../{end.year}", f"/{end.isoformat()}"]))
    return f"{d.year}-{d.month:02d}/{end.isoformat()}{q}"


@given(dates)
def test_days_match_python(d: date) -> None:
    assert days_from_civil(d.year, d.month, d.day) == _day(d)


@given(dates)
def test_full_date_round_trips(d: date) -> None:
    value = parse_edtf(d.isoformat())
    assert value.error is None
    assert value.normalised == d.isoformat()
    assert value.lower == value.upper == _day(d)


@settings(max_examples=300, deadline=None)
@given(edtf_values())
def test_lower_not_after_upper_and_normalising_is_idempotent(raw: str) -> None:
    value = parse_edtf(raw)
    assert value.error is None, raw
    if value.lower is not None and value.upper is not None:
        assert value.lower <= value.upper
    again = parse_edtf(str(value.normalised))
    assert again == value


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(2, 1, 1), max_value=date(9997, 12, 31)), qualifiers, st.integers(0, 2)
)
def test_fast_path_agrees_with_edtf_library(d: date, q: str, precision: int) -> None:
    raw = [f"{d.year:04d}", f"{d.year:04d}-{d.month:02d}", d.isoformat()][precision] + q
    ours = parse_edtf(raw)
    lib = library_parse(raw)
    lo, hi = lib.lower_fuzzy(), lib.upper_fuzzy()
    assert ours.lower == days_from_civil(lo.tm_year, lo.tm_mon, lo.tm_mday)
    assert ours.upper == days_from_civil(hi.tm_year, hi.tm_mon, hi.tm_mday)
    assert ours.normalised == str(lib)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_any_text_parses_or_explains(raw: str) -> None:
    value = parse_edtf(raw)
    if value.error is None:
        assert raw.strip() == "" or value.normalised
    else:
        assert value.normalised is None and value.error.startswith("expected")


@pytest.mark.parametrize(
    ("raw", "lower", "upper"),
    [
        ("2017", date(2017, 1, 1), date(2017, 12, 31)),
        ("2017-02", date(2017, 2, 1), date(2017, 2, 28)),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29)),
        ("2017-05~", date(2016, 4, 1), date(2018, 6, 30)),
        ("2017?", date(2016, 1, 1), date(2018, 12, 31)),
        ("2017/2018", date(2017, 1, 1), date(2018, 12, 31)),
        ("2017/..", date(2017, 1, 1), None),
        ("/2018-03", None, date(2018, 3, 31)),
        ("201X", date(2010, 1, 1), date(2019, 12, 31)),
        ("2017-21", date(2017, 3, 1), date(2017, 5, 31)),
    ],
)
def test_known_ranges(raw: str, lower: date | None, upper: date | None) -> None:
    value = parse_edtf(raw)
    assert value.error is None
    assert value.lower == (None if lower is None else _day(lower))
    assert value.upper == (None if upper is None else _day(upper))


def test_strptime_formats_keep_their_precision() -> None:
    assert parse_date_value("03.05.1980", ["%d.%m.%Y"]).normalised == "1980-05-03"
    assert parse_date_value("05/1980", ["%m/%Y"]).normalised == "1980-05"
    assert parse_date_value("1980年", ["%Y年"]).normalised == "1980"
    assert parse_date_value("1980-05", ["%d.%m.%Y", "edtf"]).normalised == "1980-05"


def test_column_parses_unique_values_once() -> None:
    cache: dict = {}
    col = pa.array(["2017", None, "2017", "bad", "2018-01-01", "bad"])
    out = parse_date_column(col, ["edtf"], cache)
    assert out.normalised.to_pylist() == ["2017", None, "2017", None, "2018-01-01", None]
    assert out.bad.tolist() == [3, 5]
    assert out.lower.type == pa.date32()
    assert out.lower.to_pylist()[0] == date(2017, 1, 1)
    assert out.upper.to_pylist()[4] == date(2018, 1, 1)
    assert set(cache) == {"2017", "bad", "2018-01-01"}
