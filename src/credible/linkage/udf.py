"""``credible.names.name_similarity`` as a SQL function, so Splink can compare names
across scripts inside the database on either backend.

The function is vectorised (Arrow batches on DuckDB, pandas batches on Spark), pure and
deterministic, so both backends compute the same score for the same pair.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import numpy as np
import pyarrow as pa

from credible.linkage import _names

#: The SQL name of the function in comparison SQL.
NAME_SIMILARITY = "credible_name_similarity"


#: Recent scores: a comparison's CASE calls the function once per threshold level on
#: the same rows, and SQL engines do not share the result between the calls.
_CACHE: dict[tuple[str, str], float] = {}
_CACHE_LIMIT = 500_000
# DuckDB calls the function from several threads at once; neither this cache nor
# credible.names' own batch buffers are safe to share, and the work is Python-bound
# (the GIL) anyway, so calls are serialised.
_LOCK = threading.Lock()


def _scores(left: list[Any], right: list[Any]) -> list[float | None]:
    with _LOCK:
        return _scores_unlocked(left, right)


def _scores_unlocked(left: list[Any], right: list[Any]) -> list[float | None]:
    out: list[float | None] = [None] * len(left)
    missing: dict[tuple[str, str], list[int]] = {}
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        if not a or not b:
            continue
        key = (a, b) if a <= b else (b, a)
        hit = _CACHE.get(key)
        if hit is None:
            missing.setdefault(key, []).append(i)
        else:
            out[i] = hit
    if missing:
        keys = list(missing)
        values = _names.similarity_many([k[0] for k in keys], [k[1] for k in keys])
        if len(_CACHE) + len(keys) > _CACHE_LIMIT:
            _CACHE.clear()
        for key, v in zip(keys, values, strict=True):
            _CACHE[key] = float(v)
            for i in missing[key]:
                out[i] = float(v)
    return out


def register_duckdb(con: Any) -> None:
    """Register the function on a DuckDB connection (idempotent)."""
    import duckdb

    def fn(a: pa.Array, b: pa.Array) -> pa.Array:
        return pa.array(_scores(a.to_pylist(), b.to_pylist()), type=pa.float64())

    with contextlib.suppress(Exception):
        con.remove_function(NAME_SIMILARITY)
    con.create_function(
        NAME_SIMILARITY,
        fn,
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("DOUBLE"),
        type="arrow",
        side_effects=False,
    )


def register_spark(session: Any) -> None:
    """Register the function on a Spark session as a pandas UDF."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    def score(a: pd.Series, b: pd.Series) -> pd.Series:
        scores = _scores(
            [None if pd.isna(v) else v for v in a], [None if pd.isna(v) else v for v in b]
        )
        return pd.Series(np.array([np.nan if s is None else s for s in scores]))

    # pyspark reads the type hints to pick the UDF kind; this module's postponed
    # annotations are strings, so give it the real types.
    score.__annotations__ = {"a": pd.Series, "b": pd.Series, "return": pd.Series}
    fn = pandas_udf(score, "double")  # type: ignore[call-overload]
    session.udf.register(NAME_SIMILARITY, fn)
