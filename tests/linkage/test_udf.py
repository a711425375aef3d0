"""The SQL name-similarity function gives credible.names' score for every row."""

from __future__ import annotations

import math

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.linkage.udf import _levels, _scores
from credible.names import MATCH_LEVELS, name_match_level, name_similarity

NAMES = [
    "Memet Tursun",
    "ممەت تۇرسۇن",
    "买买提·吐尔逊",
    "Мәмәт Турсун",
    "Tursun Memet",
    "Abdurehim Heyit",
    "阿不都热依木·艾依提",
    "",
    None,
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=40))
def test_scores_match_name_similarity_row_by_row(pairs):
    left = pa.chunked_array([pa.array([a for a, _ in pairs], pa.string())])
    right = pa.array([b for _, b in pairs], pa.string())
    got = _scores(left, right)
    assert len(got) == len(pairs)
    for (a, b), score in zip(pairs, got, strict=True):
        if not a or not b:
            assert math.isnan(score)
        else:
            assert score == name_similarity(a, b)


def test_registering_twice_on_one_connection_replaces_the_function():
    import duckdb

    from credible.linkage.udf import NAME_SIMILARITY, register_duckdb

    con = duckdb.connect()
    register_duckdb(con)
    register_duckdb(con)
    (score,) = con.execute(f"SELECT {NAME_SIMILARITY}('Memet', 'Memet')").fetchone()
    assert math.isclose(score, name_similarity("Memet", "Memet"))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*NAMES, "Sabit Damolla Abdulbaqi", "Sabit", "Ilham Tohti"]),
            st.sampled_from([*NAMES, "Sabit Abdulbaqi", "Ilham", "Memet"]),
        ),
        max_size=30,
    )
)
def test_levels_match_name_match_level_row_by_row(pairs):
    """FICTIONAL names. The SQL match-level function gives credible.names' level index."""
    got = _levels(pa.array([a for a, _ in pairs], pa.string()), pa.array([b for _, b in pairs]))
    for (a, b), level in zip(pairs, got, strict=True):
        if not a or not b:
            assert math.isnan(level)
        else:
            assert MATCH_LEVELS[int(level)] == name_match_level(a, b)


def test_large_and_small_batches_score_alike():
    """FICTIONAL names. A batch above ``_SMALL_BATCH`` rows goes through Arrow's
    dictionary, a smaller one through Python strings: the same scores either way."""
    from credible.linkage.udf import _SMALL_BATCH

    pairs = [(a, b) for a in NAMES for b in NAMES] * 4
    assert len(pairs) > _SMALL_BATCH
    left = pa.chunked_array([pa.array([a for a, _ in pairs], pa.string())])
    right = pa.array([b for _, b in pairs], pa.string())
    whole = _scores(left, right)
    for start in range(0, len(pairs), 50):
        part = _scores(left.slice(start, 50), right.slice(start, 50))
        assert [str(x) for x in part] == [str(x) for x in whole[start : start + 50]]
    for (a, b), score in zip(pairs, whole, strict=True):
        assert math.isnan(score) if not a or not b else score == name_similarity(a, b)
