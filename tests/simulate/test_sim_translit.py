"""Transliteration tables: known renderings and properties of the scripts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credible.simulate import translit
from credible.simulate.tables import load_tables

ULY_LETTERS = [*"abdefghijklmnopqrstuwxyzéöü", "ch", "gh", "ng", "sh", "zh"]
uly_words = st.lists(st.sampled_from(ULY_LETTERS), min_size=1, max_size=12).map("".join)


@pytest.mark.parametrize(
    ("uly", "uey"),
    [
        # Renderings as printed in Uyghur-language sources (vowel-initial words take ئ).
        ("Tursun", "تۇرسۇن"),
        ("Ehmet", "ئەھمەت"),
        ("Aygül", "ئايگۈل"),
        ("Qeshqer", "قەشقەر"),
        ("Ürümchi", "ئۈرۈمچى"),
        ("Ilham", "ئىلھام"),
    ],
)
def test_known_arabic_renderings(uly: str, uey: str) -> None:
    assert translit.to_arabic(uly) == uey


def test_known_cyrillic_renderings() -> None:
    assert translit.to_uyghur_cyrillic("Tursun") == "Турсун"
    assert translit.to_uyghur_cyrillic("Gülnar") == "Гүлнар"
    assert translit.to_kazakh("Qurban") == "Құрбан"
    assert translit.kazakh_to_russian("Құрбан") == "Курбан"


@given(uly_words)
def test_arabic_output_has_no_latin_letters(word: str) -> None:
    out = translit.to_arabic(word)
    assert out and not any("a" <= c.lower() <= "z" for c in out)


@given(uly_words)
def test_kazakh_fits_kz1048_and_russian_fits_cp1251(word: str) -> None:
    kk = translit.to_kazakh(word)
    kk.encode("kz1048")
    translit.kazakh_to_russian(kk).encode("cp1251")
    translit.to_uyghur_cyrillic(word).encode("utf-8")


def test_every_name_renders_in_every_script() -> None:
    tables = load_tables(np.random.default_rng(0))
    for table in (tables.given, tables.family):
        for script, values in table.render.items():
            assert all(isinstance(v, str) and v for v in values), script
        assert all(v for v in table.english.ravel())
        for v in table.render["kk"]:
            v.encode("kz1048")
        for v in table.render["ru"]:
            v.encode("cp1251")
    han = tables.given.render["han"]
    assert "买买提" in set(han) and "吐尔逊" in set(han)
