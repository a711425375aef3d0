"""Noise helpers: dates stay parseable in the format the mapping declares."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from edtf import parse_edtf
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.errors import ConfigError
from credible.simulate import noise, simulate

days = st.lists(st.integers(-15_000, 20_000), min_size=1, max_size=30)
EDTF = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?~?)?$")


@settings(max_examples=20, deadline=None)
@given(days=days, seed=st.integers(0, 2**32 - 1))
def test_edtf_renderings_parse_and_keep_the_year(days: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    dates = np.datetime64("1970-01-01") + np.array(days).astype("timedelta64[D]")
    prec = rng.integers(0, 5, len(days)).astype(np.int8)
    out = noise.edtf(dates, prec, rng)
    for value, p, d in zip(out, prec, dates, strict=True):
        assert EDTF.match(value), value
        if value:
            parse_edtf(value)
            year = int(str(d)[:4])
            # Exact unless approximate, and an approximate year is off by two at most.
            assert abs(int(value[:4]) - year) <= (2 if p == noise.APPROX else 0)
        else:
            assert p == noise.MISSING


@settings(max_examples=30, deadline=None)
@given(days=days, fmt=st.sampled_from(["%Y%m%d", "%Y年%m月%d日", "%d.%m.%Y"]))
def test_native_formats_round_trip_through_strptime(days: list[int], fmt: str) -> None:
    dates = np.datetime64("1970-01-01") + np.array(days).astype("timedelta64[D]")
    missing = np.zeros(len(days), dtype=bool)
    for value, d in zip(noise.strftime(dates, missing, fmt), dates, strict=True):
        assert datetime.strptime(value, fmt).date().isoformat() == str(d)


def test_typos_change_only_the_picked_share() -> None:
    rng = np.random.default_rng(0)
    values = np.array(["Abdurehim", "Tursungül", "Memet"] * 2000, dtype=object)
    noisy = noise.typos(values, 0.1, "uly", rng)
    changed = (noisy != values).mean()
    assert 0.05 < changed <= 0.11
    han = np.array(["买买提·吐尔逊"] * 2000, dtype=object)
    noisy_han = noise.typos(han, 0.2, "han", rng)
    assert 0.15 < (noisy_han != han).mean() <= 0.21
    assert all(len(v) == len(han[0]) for v in noisy_han)  # one character for another


def test_out_must_not_be_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(ConfigError):
        simulate(people=10, lists=2, seed=0, out=target)
