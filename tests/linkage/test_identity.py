"""Identity numbers, places and relatives as linkage features (credible.linkage.identity)."""

from __future__ import annotations

import datetime as dt

from credible.linkage.identity import id_features, place_features, relative_keys
from credible.model import generate_id_number, id_number_15

NUMBER = generate_id_number("653121", dt.date(1980, 5, 4), 12, True)


def test_every_written_form_of_one_number_has_one_key() -> None:
    wide = "".join(chr(ord(c) + 0xFEE0) for c in NUMBER)
    forms = [NUMBER, wide, id_number_15(NUMBER), NUMBER[:17], NUMBER.lower()]
    f = id_features(forms)
    assert set(f["id17"]) == {NUMBER[:17]}
    assert f["id_valid"] == [True, True, True, False, True]  # no check digit: not valid
    assert f["id_birth"][0] == "1980-05-04" and f["id_sex"][0] == "m"
    assert f["id_birth"][3] is None  # nothing derived from an invalid number
    assert id_features([None, "", "not a number"])["id17"] == [None, None, None]


def test_a_township_meets_across_scripts_and_villages_by_number() -> None:
    f = place_features(["托格拉克乡", "Toghraq yézisi", "Bostan Township"], ["3村", "3-kent", None])
    a, b, c = f["township_keys"]
    assert set(a) & set(b) and not set(a) & set(c)
    assert f["village_key"] == ["#3", "#3", None]


def test_relatives_named_in_two_scripts_share_a_key() -> None:
    keys = relative_keys(
        ["买买提·艾力 (父亲)", "Memet Eli (father)", "Tursun Ablet (brother)", None]
    )
    assert set(keys[0]) & set(keys[1])
    assert not set(keys[1]) & set(keys[2])
    assert keys[3] is None
    with_number = relative_keys([f"Aygul Tursun (sister, {NUMBER})"])[0]
    assert f"id:{NUMBER[:17]}" in with_number
