"""The resident identity number (GB 11643-1999): check, normalise, read, generate."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.model import (
    check_id_number,
    format_relatives,
    generate_id_number,
    id_check_digit,
    id_number_15,
    parse_relatives,
    xinjiang_regions,
)

REGIONS = sorted(xinjiang_regions())
ids = st.builds(
    generate_id_number,
    st.sampled_from(REGIONS),
    st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    st.integers(0, 499),
    st.booleans(),
)


@settings(deadline=None)  # the first call reads the region table
@given(ids)
def test_every_generated_number_checks_and_reads_back(number: str) -> None:
    result = check_id_number(number)
    assert result.valid, result.problems
    assert result.normalised == number
    assert result.birth == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert result.male == (int(number[16]) % 2 == 1)
    assert result.region is not None and result.region.code == number[:6]


@settings(deadline=None)  # the first call reads the region table
@given(ids, st.integers(0, 17), st.integers(1, 10))
def test_every_single_character_change_is_caught(number: str, at: int, shift: int) -> None:
    alphabet = "0123456789X" if at == 17 else "0123456789"
    old = alphabet.index(number[at])
    changed = number[:at] + alphabet[(old + shift) % len(alphabet)] + number[at + 1 :]
    if changed == number:  # shift of a whole turn on the ten digits
        return
    assert not check_id_number(changed).valid


@settings(deadline=None)  # the first call reads the region table
@given(ids, st.integers(0, 16))
def test_every_adjacent_transposition_of_different_digits_is_caught(number: str, at: int) -> None:
    a, b = number[at], number[at + 1]
    if a == b or "X" in (a, b):
        return
    swapped = number[:at] + b + a + number[at + 2 :]
    assert not check_id_number(swapped).valid


@settings(deadline=None)  # the first call reads the region table
@given(ids)
def test_written_forms_normalise_to_the_same_number(number: str) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert check_id_number(full_width).normalised == number
    assert check_id_number(number.lower()).normalised == number
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    assert check_id_number(spaced).normalised == number
    if number[6:8] == "19":
        old = check_id_number(id_number_15(number))
        assert old.valid and old.normalised == number


def test_a_published_example_checks() -> None:
    # The worked example of GB 11643-1999 appendix A: 11010519491231002X.
    assert id_check_digit("11010519491231002") == "X"
    result = check_id_number("11010519491231002X")
    assert result.valid and result.male is False and result.birth == dt.date(1949, 12, 31)
    assert result.region is None  # Beijing: valid, but not a Xinjiang county


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", "no number"),
        ("6531011985", "15 or 18 digits"),
        ("65310119850230123", "check digit is missing"),
        ("653101198502301234", "not a birth date"),
        ("993101198501011234", "not a region code"),
        ("659999198501011234", "not a county code of Xinjiang"),
        ("6531011985O1011234", "characters other than digits"),
    ],
)
def test_problems_are_named(written: str, expected: str) -> None:
    result = check_id_number(written)
    assert not result.valid
    assert any(expected in p for p in result.problems), result.problems


def test_region_table_holds_every_simulated_county() -> None:
    import numpy as np

    from credible.simulate.tables import load_tables

    keys = {r.key for r in xinjiang_regions().values() if r.key}
    counties = set(load_tables(np.random.default_rng(0)).counties.key)
    assert counties <= keys


def test_relatives_read_back() -> None:
    cell = "Tursun Memet (father); 阿依古丽（sister, 653101198501011234）; Ahmet"
    rel = parse_relatives(cell)
    assert [(r.name, r.relation, r.id_number) for r in rel] == [
        ("Tursun Memet", "father", None),
        ("阿依古丽", "sister", "653101198501011234"),
        ("Ahmet", None, None),
    ]
    assert parse_relatives(format_relatives(rel)) == rel
    assert parse_relatives(None) == [] and parse_relatives(" ; ") == []
