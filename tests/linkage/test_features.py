"""Linkage features: order-insensitive, script-insensitive where credible.names is."""

from __future__ import annotations

import pandas as pd
import pytest

from credible.errors import InputError
from credible.linkage import FEATURE_COLUMNS, prepare_records
from credible.linkage.features import FEATURES, LIST_COLUMNS, OVERLAP_COLUMNS
from credible.linkage.places import county_ids


def _one(**fields) -> pd.Series:
    return prepare_records(pd.DataFrame([{"record_id": 1, **fields}])).iloc[0]


def test_columns_and_order_are_kept():
    df = pd.DataFrame({"record_id": [3, 1, 2], "name": ["Memet Tohti", None, "Aygul"]})
    out = prepare_records(df)
    assert list(out.columns) == list(FEATURE_COLUMNS)
    assert list(out["record_id"]) == [3, 1, 2] and out["record_id"].dtype == "int64"
    assert pd.isna(out.loc[1, "n1_rom"]) and pd.isna(out.loc[1, "key_pairs"])


def test_every_feature_is_of_the_kind_the_feature_table_says():
    df = pd.DataFrame(
        {
            "record_id": [10, 11],
            "source": ["police", "media"],
            "source_row": [1, 2],
            "name": ["Memet Tohti", "吐尔洪·买买提"],
            "birth_date": ["1985-03-07", None],
            "residence": ["Shufu", None],
            "detained": ["2018-04-02", None],
            "township": ["Bostan yézisi", None],
            "village": ["3-kent", None],
            "relatives": ["Tohti Ehmet (father)", None],
            "id_number": ["11010519491231002X", None],
        }
    )
    out = prepare_records(df)
    assert FEATURE_COLUMNS == tuple(FEATURES) == tuple(out.columns)
    dtypes = {"id": "int64", "string": "string", "int": "Int64", "boolean": "boolean"}
    for column, kind in FEATURES.items():
        if kind in dtypes:
            assert str(out[column].dtype) == dtypes[kind], column
        else:
            held = out[column].iloc[0]
            element = str if kind == "keys" else int
            assert isinstance(held, list) and all(isinstance(k, element) for k in held), column
    assert set(OVERLAP_COLUMNS) < set(LIST_COLUMNS)


def test_swapped_parts_give_the_same_order_free_features():
    a = _one(name="Abdurehim Heyit")
    b = _one(name="Heyit Abdurehim")
    assert a["name_sorted"] == b["name_sorted"]
    assert (a["key_lo"], a["key_hi"]) == (b["key_lo"], b["key_hi"])
    assert a["name_key"] == b["name_key"]


def test_given_and_father_fields_take_precedence_over_the_full_name():
    r = _one(name="ignored", given_name="Memet", father_name="Tohti")
    assert (r["n1_rom"], r["n2_rom"]) == ("memet", "tohti")


def test_scripts_meet_on_shared_key_pairs():
    latin = _one(name="Abdurehim Heyit")
    arabic = _one(name="ئابدۇرېھىم ھېيت")
    assert set(latin["key_pairs"]) & set(arabic["key_pairs"])


@pytest.mark.parametrize(
    ("written", "low", "high", "expect"),
    [
        ("1985", None, None, (1985, None, None, 1985, 1985)),
        ("1985-03", None, None, (1985, 3, None, 1985, 1985)),
        ("1985-03-07", None, None, (1985, 3, 7, 1985, 1985)),
        ("1985~", "1984-01-01", "1986-12-31", (None, None, None, 1984, 1986)),
        (None, "1990-01-01", "1990-12-31", (1990, None, None, 1990, 1990)),
        (None, None, None, (None, None, None, None, None)),
    ],
)
def test_partial_birth_dates(written, low, high, expect):
    r = _one(birth_date=written, birth_date_min=low, birth_date_max=high)
    got = tuple(
        None if pd.isna(r[c]) else int(r[c])
        for c in ("birth_year", "birth_month", "birth_day", "birth_ymin", "birth_ymax")
    )
    assert got == expect


def test_bad_record_ids_are_reported_with_their_rows():
    with pytest.raises(InputError) as err:
        prepare_records(pd.DataFrame({"record_id": [7, None, 7, "r4", 2.5, 6]}, dtype=object))
    found = sorted((p.row, p.expected) for p in err.value.problems)
    assert found == [
        (2, "a record id"),
        (3, "a unique record id"),
        (4, "a whole number"),
        (5, "a whole number"),
    ]


def test_counties_in_five_scripts_share_one_id():
    forms = ["疏附县", "Shufu", "Kona Sheher", "كونا شەھەر", "Кона Шәһәр"]
    assert set(county_ids(forms)) == {"shufu"}
    assert county_ids(["墨玉县", "Karakax", "Nowhere Town", None]) == [
        "qaraqash",
        "qaraqash",
        None,
        None,
    ]


def test_romanised_parts_fold_the_diacritics_ad_hoc_spellings_leave_out():
    # ULY writes ü, ö, é; a media list in ad hoc Latin does not. The parts the model
    # compares by spelling must not differ by them alone.
    uly = _one(given_name="Gülchéhre", father_name="Tursun")
    ad_hoc = _one(given_name="Gulchehre", father_name="Tursun")
    assert uly["n1_rom"] == ad_hoc["n1_rom"] == "gulchehre"
    assert uly["name_ordered"] == ad_hoc["name_ordered"]
    assert uly["name_sorted"] == ad_hoc["name_sorted"]
