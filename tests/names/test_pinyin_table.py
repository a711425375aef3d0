"""The generated pinyin of the transcription table's characters is pypinyin's own."""

from __future__ import annotations

from credible.names import han
from credible.names._tables import han_syllables, han_syllables_pinyin, mandarin_syllables


def test_generated_pinyin_is_pypinyins() -> None:
    # Every character of han_syllables.csv, read by pypinyin now (the test loads it).
    expected = {ch: han._pinyin(ch)[0] for ch in han_syllables()}
    rows = "\n".join(f"{ch},{p}" for ch, p in expected.items())
    assert han_syllables_pinyin() == expected, (
        "data/han_syllables_pinyin.csv is out of date with han_syllables.csv or pypinyin; "
        f"its rows should be:\nhan,pinyin\n{rows}"
    )


def test_table_pinyin_falls_back_to_pypinyin() -> None:
    # 题 is not in the transcription table: its reading comes from pypinyin.
    assert "题" not in han_syllables_pinyin()
    assert han.table_pinyin("题") == "ti"
    assert han.table_pinyin("提") == han_syllables_pinyin()["提"]


def test_generated_mandarin_syllables_are_pypinyins() -> None:
    expected = han.mandarin_syllables_from_pypinyin()
    rows = "\n".join(f"{s},{ch}" for s, ch in expected.items())
    assert mandarin_syllables() == expected, (
        "data/mandarin_syllables.csv is out of date with pypinyin; its rows should be:\n"
        f"syllable,han\n{rows}"
    )
    assert "hm" not in expected and "ng" not in expected  # interjections without a vowel
