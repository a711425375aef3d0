"""``credible.names.name_similarity`` and ``name_match_level`` as SQL functions, so
Splink can compare names across scripts inside the database on either backend.

The function is vectorised (Arrow batches on DuckDB, pandas batches on Spark), pure and
deterministic, so both backends compute the same score for the same pair.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credible.linkage import _names

#: The SQL name of the function in comparison SQL.
NAME_SIMILARITY = "credible_name_similarity"
#: ``credible.names.name_match_level`` as an index into ``MATCH_LEVELS`` (0 different,
#: 1 one name's parts a subset of the other's, 2 the same name).
NAME_MATCH_LEVEL = "credible_name_match_level"


#: Scores computed so far, by pair of names: a comparison's CASE calls the function once
#: per threshold level on the same rows, SQL engines do not share the result between
#: the calls, and blocked pairs repeat the same pairs of names many times over.
_CACHE_LIMIT = 2_000_000
# DuckDB calls the function from several threads at once; neither this cache nor
# credible.names' own batch buffers are safe to share, and the work is Python-bound
# (the GIL) anyway, so calls are serialised.
_LOCK = threading.Lock()


#: Rows at or below which a batch's names are read as Python strings: DuckDB hands the
#: function the few rows of each chunk that reach it (20 on average in FEBRL 4's u
#: sample), and dictionary-encoding them in Arrow cost 230 µs a call, ten times more.
_SMALL_BATCH = 256


class _Scores:
    """Name similarity of pairs of strings, cached by pair, with no Python step per row:
    names get integer ids through each batch's dictionary, a pair is one int64 key,
    and only a batch's distinct pairs are looked up."""

    def __init__(self, many: Callable[[list[str], list[str]], list[float]]) -> None:
        self.many = many
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self.cache: dict[int, float] = {}

    def _ids(self, values: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Id of each value (-1 for null or empty), through the batch's own dictionary."""
        if len(values) <= _SMALL_BATCH:
            return np.array([self._id(w) for w in values.to_pylist()], dtype=np.int64)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        encoded = pc.dictionary_encode(values.cast(pa.string()))
        words = encoded.dictionary.to_pylist()
        of_word = np.array([self._id(w) for w in words] + [-1], dtype=np.int64)
        codes = encoded.indices.fill_null(len(words)).to_numpy(zero_copy_only=False)
        return of_word[codes]

    def _id(self, word: str | None) -> int:
        if not word:
            return -1
        found = self.ids.get(word)
        if found is None:
            found = self.ids[word] = len(self.names)
            self.names.append(word)
        return found

    def __call__(self, left: pa.Array, right: pa.Array) -> np.ndarray:
        a, b = self._ids(left), self._ids(right)
        out = np.full(len(a), np.nan)
        valid = (a >= 0) & (b >= 0)
        if not valid.any():
            return out
        lo, hi = np.minimum(a[valid], b[valid]), np.maximum(a[valid], b[valid])
        keys, inverse = np.unique(lo * (1 << 31) + hi, return_inverse=True)
        # Python ints once for the whole batch: indexing numpy scalars one by one was half
        # of this wrapper's time on a batch of new pairs (the u sample's: 5.1 ms -> 2.5 ms
        # for 2,048 pairs, the similarity itself aside).
        key_list = keys.tolist()
        found = [self.cache.get(k) for k in key_list]
        new = [k for k, v in zip(key_list, found, strict=True) if v is None]
        if new:
            if len(self.cache) + len(new) > _CACHE_LIMIT:
                self.cache.clear()
            low = (1 << 31) - 1
            scores = self.many(
                [self.names[k >> 31] for k in new], [self.names[k & low] for k in new]
            )
            self.cache.update(zip(new, map(float, scores), strict=True))
            found = [
                self.cache[k] if v is None else v for k, v in zip(key_list, found, strict=True)
            ]
        out[valid] = np.asarray(found, dtype=float)[inverse]
        return out


_SCORES = _Scores(_names.similarity_many)
_LEVELS = _Scores(_names.match_level_many)


def _scores(left: pa.Array, right: pa.Array) -> np.ndarray:
    with _LOCK:
        return _SCORES(left, right)


def _levels(left: pa.Array, right: pa.Array) -> np.ndarray:
    with _LOCK:
        return _LEVELS(left, right)


#: Each function: its SQL name and what computes it.
_FUNCTIONS = ((NAME_SIMILARITY, _scores), (NAME_MATCH_LEVEL, _levels))


def register_duckdb(con: Any) -> None:
    """Register the functions on a DuckDB connection (idempotent)."""
    import duckdb

    for name, compute in _FUNCTIONS:
        # Registered already (the same connection again): replace it. A connection that
        # does not have it says so with InvalidInputException, the one error expected here.
        with contextlib.suppress(duckdb.InvalidInputException):
            con.remove_function(name)
        con.create_function(
            name,
            _arrow(compute),
            [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
            duckdb.sqltype("DOUBLE"),
            type="arrow",
            side_effects=False,
        )


def register_spark(session: Any) -> None:
    """Register the functions on a Spark session as pandas UDFs."""
    from pyspark.sql.functions import pandas_udf

    for name, compute in _FUNCTIONS:
        session.udf.register(name, pandas_udf(_pandas(compute), "double"))  # type: ignore[call-overload]


def _arrow(compute: Callable[[pa.Array, pa.Array], np.ndarray]) -> Callable[..., pa.Array]:
    """``compute`` as a DuckDB Arrow function of two columns (NaN is SQL NULL)."""

    def fn(a: pa.Array, b: pa.Array) -> pa.Array:
        scores = compute(a, b)
        return pa.array(scores, type=pa.float64(), mask=np.isnan(scores))

    return fn


def _pandas(compute: Callable[[pa.Array, pa.Array], np.ndarray]) -> Callable[..., pd.Series]:
    """``compute`` as the function of a Spark pandas UDF of two columns."""

    def score(a: pd.Series, b: pd.Series) -> pd.Series:
        return pd.Series(compute(pa.array(a, from_pandas=True), pa.array(b, from_pandas=True)))

    # pyspark reads the type hints to pick the UDF kind; this module's postponed
    # annotations are strings, so give it the real types.
    score.__annotations__ = {"a": pd.Series, "b": pd.Series, "return": pd.Series}
    return score
