"""Names in Arabic script, Cyrillic and Chinese characters are findable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credible.store import Store
from credible.store.search import searchable

# FICTIONAL names, in the scripts investigators receive.
NAMES = [
    (1, "ئابدۇرېھىم ھېيت"),
    (2, "Абдурехим Һейит"),
    (3, "阿不都热依木·艾依提"),
    (4, "Abdurehim Heyit"),
    (5, "Ayguli Tursun"),
    (6, "阿依古丽·吐尔逊"),
]


@pytest.fixture
def indexed(store: Store) -> Store:
    with store.write("tester") as uow:
        uow.index_for_search("person_record", NAMES)
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ئابدۇرېھىم", {1}),
        ("Һейит", {2}),
        ("абдурехим", {2}),
        ("阿不都", {3}),
        ("古丽", {6}),
        ("吐尔逊", {6}),
        ("艾依提", {3}),
        ("abdurehim", {4}),
        ("tursun", {5}),
        ("阿", {3, 6}),
    ],
)
def test_each_script_is_findable(indexed: Store, query: str, expected: set[int]) -> None:
    with indexed.read() as conn:
        hits = indexed.search.query(conn, query)
    assert {h.ref for h in hits} == expected


def test_hits_show_text_as_written(indexed: Store) -> None:
    with indexed.read() as conn:
        (hit,) = indexed.search.query(conn, "吐尔逊")
    assert hit.text == "阿依古丽·吐尔逊"


def test_query_of_only_punctuation_finds_nothing(indexed: Store) -> None:
    with indexed.read() as conn:
        assert indexed.search.query(conn, '"*·') == []


@given(st.text())
def test_searchable_is_idempotent(value: str) -> None:
    once = searchable(value)
    assert searchable(once) == once
    assert "".join(once.split()) == "".join(value.split()).translate(str.maketrans("", "", "·•・‧"))
