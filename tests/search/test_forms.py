"""The lexicon that tells a misspelling of a name from another name (no store needed)."""

from __future__ import annotations

from credible.search.forms import Lexicon


def _records(**counts: int) -> list[tuple[str, ...]]:
    return [(form,) for form, n in counts.items() for _ in range(n)]


def test_a_frequent_name_one_letter_away_is_another_name() -> None:
    lex = Lexicon(_records(Memet=100, Ehmet=30, Memt=2), ["Memet"])
    wanted = lex.query_group("Memet")
    assert wanted is not None
    assert lex.matches("Memet", wanted) and lex.matches("Мәмәт", wanted)
    assert not lex.matches("Ehmet", wanted)  # a name of its own
    assert lex.matches("Memt", wanted)  # a rare slip: a variant of the name it is like


def test_a_rarer_name_near_a_common_one_is_still_a_name() -> None:
    # Mahmut written by a seventh as many records as Memet: a name, not a slip of it
    lex = Lexicon(_records(Memet=210, Mahmut=30, Memt=2, 买买提=150, 买合木提=25), ["买合木提"])
    wanted = lex.query_group("买合木提")
    assert wanted is not None
    assert lex.matches("Mahmut", wanted) and lex.matches("买合木提", wanted)
    assert not lex.matches("Memet", wanted) and not lex.matches("买买提", wanted)


def test_spellings_of_one_name_in_other_scripts_are_that_name() -> None:
    lex = Lexicon(_records(Tursun=30, تۇرسۇن=25, Tursunjan=20), ["Турсун"])
    wanted = lex.query_group("Турсун")
    assert wanted is not None
    assert lex.matches("Tursun", wanted) and lex.matches("تۇرسۇن", wanted)
    assert not lex.matches("Tursunjan", wanted)  # a name of its own, though its stem agrees


def test_chinese_characters_go_to_the_name_their_readings_spell() -> None:
    lex = Lexicon(_records(Memet=40, Mahmut=30, 买买提=20, 买合木提=15), ["Memet"])
    wanted = lex.query_group("Memet")
    assert wanted is not None
    assert lex.matches("买买提", wanted)
    assert not lex.matches("买合木提", wanted)  # reads Mahmut, though its skeleton is alike
    assert lex.query_group("买买提") == wanted  # and the characters ask for Memet


def test_a_misspelt_query_finds_the_name() -> None:
    lex = Lexicon(_records(Abdurehim=50, Abdukérim=30), ["Abdurehm"])
    wanted = lex.query_group("Abdurehm")
    assert wanted is not None and lex.matches("Abdurehim", wanted)
    assert not lex.matches("Abdukérim", wanted)


def test_a_name_counted_only_beside_the_query_is_no_slip_of_it() -> None:
    # Memet is counted in the few records that write Ehmet too: its count says nothing
    df = {"Ehmet": 1500, "Memet": 30, "买买提": 200}
    lex = Lexicon.of_counts(df, ["Ehmet"], counted=["Ehmet", "买买提"])
    wanted = lex.query_group("Ehmet")
    assert wanted is not None and lex.matches("Ehmet", wanted)
    assert not lex.matches("买买提", wanted) and not lex.matches("Memet", wanted)
    assert Lexicon.of_counts(df, ["Ehmet"]).matches("Memet", wanted)  # counted: a slip


def test_characters_read_as_a_chinese_name_hold_its_given_name() -> None:
    # 马明 reads Ma Ming; beside Mamin (a name its whole reading is near), it is no Mamin
    lex = Lexicon(_records(Ming=30, Mamin=20, 马明=10), ["Ming"])
    wanted = lex.query_group("Ming")
    assert wanted is not None and lex.matches("马明", wanted)
    assert not lex.matches("Mamin", wanted)
