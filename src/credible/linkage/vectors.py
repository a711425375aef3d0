"""Scored pairs out of Splink as arrays: the level of each comparison for every pair.

Splink's predictions carry each comparison's match weight (``mw_<name>``), not its level;
a level is read back from its weight, which is exact once no two levels of a comparison
share a weight (``splink_adapter.make_weights_distinct``). Record ids become row numbers in the
backend, so that millions of pairs reach numpy without a Python string each.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import numpy as np
import pandas as pd

from credible.linkage import splink_adapter as splink
from credible.linkage.exclusive import Comparison, PairVectors
from credible.linkage.model import DISAGREEMENT_LEVELS


def comparisons_of(linker: Any) -> list[Comparison]:
    """Each comparison's labels, u and m, strongest level first, as the model has them."""
    out = []
    for c in splink.parameters(linker):
        against = DISAGREEMENT_LEVELS.get(c.name, ())
        out.append(
            Comparison(
                name=c.name,
                labels=c.labels,
                u=c.u,
                m=c.m,
                disagree=tuple(i for i, label in enumerate(c.labels) if label in against),
            )
        )
    return out


def m_values(linker: Any) -> dict[str, np.ndarray]:
    """Each comparison's m, strongest level first."""
    return {c.name: c.m for c in splink.parameters(linker)}


def pair_vectors(
    linker: Any, db_api: Any, predictions: Any, record_ids: pd.Series, sources: pd.Series
) -> tuple[PairVectors, list[str]]:
    """The predicted pairs as ``PairVectors`` (rows in the order of ``record_ids``) and
    the list names in the order of their codes."""
    codes, names = pd.factorize(sources.astype(str), sort=True)
    ids = pd.DataFrame({"record_id": record_ids.to_numpy(), "row": np.arange(len(codes))})
    table = db_api.register(ids, dataset_display_name=f"credible_rows_{uuid.uuid4().hex[:8]}")
    comparisons = splink.parameters(linker)
    weights = [f"p.mw_{c.name}" for c in comparisons]
    tf = [f"p.mw_tf_adj_{c.name}" for c in comparisons if c.term_frequency]
    sql = (
        f"SELECT a.row AS l, b.row AS r, {', '.join(weights + tf) or '0 AS none'} "
        f"FROM {predictions.physical_name} p "
        f"JOIN {table.physical_name} a ON p.record_id_l = a.record_id "
        f"JOIN {table.physical_name} b ON p.record_id_r = b.record_id"
    )
    try:
        frame = linker.misc.query_sql(sql, output_type="pandas")
    finally:
        splink.drop_table(table)
    weights_of = splink.level_weights(linker)
    levels = {
        c.name: _decode(frame[f"mw_{c.name}"].to_numpy(float), c.name, weights_of[c.name])
        for c in comparisons
    }
    tf_weight = np.zeros(len(frame))
    for col in tf:
        tf_weight += frame[col.removeprefix("p.")].fillna(0.0).to_numpy(float)
    vectors = PairVectors(
        left=frame["l"].to_numpy(np.int64),
        right=frame["r"].to_numpy(np.int64),
        levels=levels,
        tf_bayes_factor=np.exp2(tf_weight),
        source=codes.astype(np.int64),
        n_sources=len(names),
    )
    return vectors, [str(n) for n in names]


def _decode(weights: np.ndarray, name: str, known: np.ndarray) -> np.ndarray:
    """Level index (strongest first) of each weight, given the ``known`` weights of the
    comparison's levels; -1 for the null level."""
    out = np.full(len(weights), -1, dtype=np.int8)
    for i, w in enumerate(known):
        hit = np.abs(weights - w) <= 1e-9 * max(1.0, abs(w)) if math.isfinite(w) else weights == w
        out[hit] = i
    unread = (out == -1) & (np.abs(weights) > 1e-12)
    if unread.any():
        raise RuntimeError(
            f"comparison {name}: {int(unread.sum())} pair weights "
            "match no level (were the weights made distinct before predicting?)"
        )
    return out
