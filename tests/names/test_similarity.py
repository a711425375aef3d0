"""romanize, keys, similarity and their batched forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.errors import InputError
from credible.names import (
    SAME_NAME_THRESHOLD,
    compare,
    explain,
    name_keys,
    name_keys_many,
    name_similarity,
    name_similarity_many,
    romanize,
    romanize_candidates,
    romanize_many,
    same_name,
    split_name,
)

# The example: one person, five spellings (Abdurehim Heyit).
FIVE = [
    "ئابدۇرېھىم ھېيىت",
    "Abdurehim Heyit",
    "Абдурехим Һейит",
    "阿不都热依木·艾依提",
    "Abdurahim Hayit",
]

name_text = st.text(
    alphabet=st.sampled_from(
        list("abcdeghijklmnopqrstuvwxyzéöü' -")
        + list("ابتجچخدرزژسشغفقكگڭلمنھوۇۆۈۋېىيەئ")
        + list("абвгдежзийклмнопрстуфхцчшыэюяәғқңөұүһі")
        + list("阿不都热依木艾提买吐尔逊古丽·王李")
    ),
    max_size=30,
)


def test_five_spellings_are_one_name() -> None:
    for a in FIVE:
        for b in FIVE:
            assert same_name(a, b), (a, b)


def test_parts_in_either_order() -> None:
    assert name_similarity("Abdurehim Heyit", "Heyit Abdurehim") == pytest.approx(1.0)


def test_hard_negative_shares_a_part() -> None:
    assert not same_name("Memet Tursun", "Memet Tohti")
    assert not same_name("Ehmetjan Qasim", "Mahinur Qasim")


def test_chinese_segmentation_and_candidates() -> None:
    assert split_name("伊力哈木·土赫提") == ["伊力哈木", "土赫提"]
    assert split_name("伊力哈木•土赫提") == ["伊力哈木", "土赫提"]
    assert romanize("伊力哈木·土赫提") == "Ilham Toxti"
    assert romanize("买买提·吐尔逊") == "Memet Tursun"
    assert "Memet Tursun" in romanize_candidates("买买提·吐尔逊")
    assert romanize("王乐泉") == "Wang Lequan"  # a Han name: pinyin


def test_pinyin_spelling_of_a_chinese_rendering() -> None:
    # PRC documents spell the Chinese rendering in pinyin
    assert same_name("Maimaiti Tuerxun", "Memet Tursun")


def test_honorific_and_suffix() -> None:
    assert same_name("Sidik Haji Rozi", "Sidik Rozi")
    assert name_similarity("Ilhamjan Tohti", "Ilham Tohti") > SAME_NAME_THRESHOLD


def test_romanize_examples() -> None:
    assert romanize("ئىلھام توختى") == "Ilham Toxti"
    assert romanize("Abdurakhim Tokhti") == "Abduraxim Toxti"
    assert romanize("Нұрсұлтан Назарбаев") == "Nursultan Nazarbayev"


def test_keys_shared_by_spellings() -> None:
    keys = [set(name_keys(n)) for n in FIVE]
    for k in keys[1:]:
        assert k & keys[0]
    assert name_keys_many(FIVE[:2]) == [name_keys(FIVE[0]), name_keys(FIVE[1])]


@settings(max_examples=200, deadline=None)
@given(name_text)
def test_romanize_idempotent(name: str) -> None:
    once = romanize(name)
    assert romanize(once) == once


@settings(max_examples=200, deadline=None)
@given(name_text, name_text)
def test_similarity_symmetric_and_bounded(a: str, b: str) -> None:
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(name_similarity(b, a))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(name_text, name_text), min_size=1, max_size=20))
def test_batch_equals_scalar(pairs: list[tuple[str, str]]) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    expected = np.array([name_similarity(x, y) for x, y in pairs])
    np.testing.assert_allclose(name_similarity_many(a, b), expected, atol=1e-9)
    assert romanize_many(a) == [romanize(x) for x in a]


def test_batch_length_mismatch_is_input_error() -> None:
    with pytest.raises(InputError):
        name_similarity_many(["a"], ["a", "b"])


def test_explain_and_compare() -> None:
    e = explain("阿不都热依木·艾依提")
    assert e.script == "han" and e.parts == ["阿不都热依木", "艾依提"]
    c = compare("Abdurehim Heyit", "Heyit Abdurahim")
    assert c.same and len(c.matches) == 2 and not c.unmatched_a


def test_dense_matrix_path_equals_scalar() -> None:
    from pathlib import Path

    from credible.names import _batch
    from credible.names.evaluation import load_pairs

    pairs = load_pairs(Path(__file__).parents[1] / "data" / "names" / "names.csv")
    a = [p.a for p in pairs]
    b = [p.b for p in pairs]
    expected = np.array([name_similarity(x, y) for x, y in zip(a, b, strict=True)])
    np.testing.assert_allclose(_batch.similarity_many(a, b, dense_min_pairs=0), expected, atol=1e-9)
    np.testing.assert_allclose(
        _batch.similarity_many(a, b, dense_min_pairs=10**9), expected, atol=1e-9
    )


def test_missing_parts() -> None:
    # a bare given name is not the same name as a full one; a third part in one record
    # (a pen name, a grandfather's name) does not prevent a match
    assert not same_name("Ilham", "Ilham Tohti")
    assert same_name("Nurmuhemmet Yasin Orkishi", "Nurmuhemmet Yasin")
    # a Chinese name typed without the middle dot is compared with the parts joined
    assert same_name("伊力哈木土赫提", "Ilham Tohti")


def test_turkish_dotted_capital_i() -> None:
    # str.lower() makes İ an i with a combining dot; it must read as a plain i
    assert romanize("ABDURREHİM HEYİT") == "Abdurrehim Heyit"
    assert name_similarity("ABDURREHİM HEYİT", "Abdurrehim Heyit") == 1.0


def test_pinyin_is_read_through_every_table_character() -> None:
    from credible.names.han import from_pinyin, pinyin_readings

    # "mu" is written 木 (which may close a syllable: -m) or 穆 (always mu): both tried
    assert {"木塔里甫", "穆塔里甫"} <= set(from_pinyin("mutalifu"))
    assert "mutalip" in pinyin_readings("mutalifu")
    # an apostrophe marks a syllable boundary; a non-pinyin word gives nothing
    assert from_pinyin("mai'maiti") == from_pinyin("maimaiti")
    assert from_pinyin("tursun") == ()


def test_han_style_pinyin_split_is_read_as_one_part() -> None:
    # FICTIONAL: a dotless 买买提 looks like a Han name (surname 买) and is spelled in pinyin
    # as "Mai Maiti"; read together it is Memet
    assert name_similarity("Mai Maiti", "Memet") == 1.0
    assert same_name("Mai Maiti", "买买提")
    a, b = ["Mai Maiti", "Tu Erxun", "Memet Tursun"], ["Memet", "吐尔逊", "Mai Maiti Tursun"]
    expected = [name_similarity(x, y) for x, y in zip(a, b, strict=True)]
    np.testing.assert_allclose(name_similarity_many(a, b), expected, atol=1e-9)
    # a bare given name is still not the same name as a full one
    assert not same_name("Mai Maiti", "Memet Tursun")


def test_registry_of_parsed_names_survives_clearing(monkeypatch: pytest.MonkeyPatch) -> None:
    from credible.names import _batch

    # a tiny bound makes the registry start again between calls; results must not change
    monkeypatch.setattr(_batch._Registry, "MAX_ROWS", 3)
    a = ["Memet Tursun", "Ilham Tohti", "买买提·吐尔逊", "Abdurehim Heyit", "Rahile Dawut"]
    b = ["Memet Tohti", "伊力哈木·土赫提", "Memet Tursun", "Абдурехим Һейит", "Rahilä Dawut"]
    expected = np.array([name_similarity(x, y) for x, y in zip(a, b, strict=True)])
    for _ in range(3):
        np.testing.assert_allclose(name_similarity_many(a, b), expected, atol=1e-9)
        np.testing.assert_allclose(name_similarity_many(b, a), expected, atol=1e-9)
    # any sequence of names will do
    got = name_similarity_many(tuple(a), np.array(b, dtype=object))
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_keys_and_scores_share_one_parse_and_a_bad_name_leaves_no_row() -> None:
    from credible.names import _batch, name_keys, name_keys_many

    # FICTIONAL names, unlikely to be in the registry from other tests
    names = ["Qurbanjan Sadikh", "Nurbiye Tursunay", "艾尼瓦尔·阿吉"]
    with pytest.raises((AttributeError, TypeError)):
        name_keys_many([*names, None])  # type: ignore[list-item]
    assert not any(n in _batch._registry.row_of for n in names)
    assert all(r < len(_batch._registry.row_of) for r in _batch._registry.unfit)
    assert name_keys_many(names) == [name_keys(n) for n in names]
    assert all(n in _batch._registry.row_of for n in names)  # keyed: parsed for scoring
    other = ["Qurbanjan Sadiq", "Нурбийә Турсунай", "Eniwer Haji"]
    expected = [name_similarity(x, y) for x, y in zip(names, other, strict=True)]
    np.testing.assert_allclose(name_similarity_many(names, other), expected, atol=1e-12)


def test_double_given_name_with_or_without_hyphen() -> None:
    # FICTIONAL double given names; one record writes the hyphen, the other two words
    assert name_similarity("Nur-Memet Tursun", "Nur Memet Tursun") == 1.0
    assert same_name("Abdu-Rehim Heyit", "Abdurehim Heyit")
    a, b = ["Nur-Memet Tursun", "Gul-Bahar Ili"], ["Нур Мемет Турсун", "Gulbahar Eli"]
    expected = [name_similarity(x, y) for x, y in zip(a, b, strict=True)]
    np.testing.assert_allclose(name_similarity_many(a, b), expected, atol=1e-9)


def test_other_cyrillic_orthographies() -> None:
    # Serbian ј and Ukrainian і/ї as the Balkan and Ukrainian press write these names
    assert romanize("Токајев") == "Tokayev"
    assert romanize("Рабія Кадір") == "Rabiya Kadir"
