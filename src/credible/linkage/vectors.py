"""Scored pairs out of Splink as arrays: the level of each comparison for every pair.

Splink's predictions carry each comparison's match weight (``mw_<name>``), not its level;
a level is read back from its weight, which is exact once no two levels of a comparison
share a weight (``make_weights_distinct``). Record ids become row numbers in the
backend, so that millions of pairs reach numpy without a Python string each.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import numpy as np
import pandas as pd

from credible.linkage.exclusive import Comparison, PairVectors
from credible.linkage.model import DISAGREEMENT_LEVELS

#: Relative nudge given to an m probability whose weight equals another level's.
_NUDGE = 1e-6


def _levels(comparison: Any) -> list[Any]:
    return [lv for lv in comparison.comparison_levels if not lv.is_null_level]


def make_weights_distinct(linker: Any) -> None:
    """Nudge m so that no two levels of a comparison (nor a level and "null", weight 0)
    have the same weight; a change of one part in a million, far below what EM can tell
    apart."""
    for comparison in linker._settings_obj.comparisons:
        taken = [0.0]
        for lv in _levels(comparison):
            m = float(lv.m_probability)
            while any(abs(lv._log2_bayes_factor - w) < 1e-9 for w in taken):
                m *= 1 + _NUDGE
                lv.m_probability = m
            taken.append(lv._log2_bayes_factor)


def comparisons_of(linker: Any) -> list[Comparison]:
    """Each comparison's labels, u and m, strongest level first, as the model has them."""
    out = []
    for comparison in linker._settings_obj.comparisons:
        levels = _levels(comparison)
        name = comparison.output_column_name
        against = DISAGREEMENT_LEVELS.get(name, ())
        out.append(
            Comparison(
                name=name,
                labels=tuple(lv.label_for_charts for lv in levels),
                u=np.array([float(lv.u_probability) for lv in levels]),
                m=np.array([float(lv.m_probability) for lv in levels]),
                disagree=tuple(i for i, lv in enumerate(levels) if lv.label_for_charts in against),
            )
        )
    return out


def m_values(linker: Any) -> dict[str, np.ndarray]:
    """Each comparison's m, strongest level first."""
    return {
        c.output_column_name: np.array([float(lv.m_probability) for lv in _levels(c)])
        for c in linker._settings_obj.comparisons
    }


def set_m(linker: Any, m: dict[str, np.ndarray]) -> None:
    for comparison in linker._settings_obj.comparisons:
        values = m.get(comparison.output_column_name)
        if values is None:
            continue
        for lv, value in zip(_levels(comparison), values, strict=True):
            lv.m_probability = float(value)


def pair_vectors(
    linker: Any, db_api: Any, predictions: Any, record_ids: pd.Series, sources: pd.Series
) -> tuple[PairVectors, list[str]]:
    """The predicted pairs as ``PairVectors`` (rows in the order of ``record_ids``) and
    the list names in the order of their codes."""
    codes, names = pd.factorize(sources.astype(str), sort=True)
    ids = pd.DataFrame(
        {"record_id": record_ids.astype(str).to_numpy(), "row": np.arange(len(codes))}
    )
    table = db_api.register(ids, dataset_display_name=f"credible_rows_{uuid.uuid4().hex[:8]}")
    comparisons = linker._settings_obj.comparisons
    weights = [f"p.mw_{c.output_column_name}" for c in comparisons]
    tf = [f"p.mw_tf_adj_{c.output_column_name}" for c in comparisons if c._has_tf_adjustments]
    sql = (
        f"SELECT a.row AS l, b.row AS r, {', '.join(weights + tf) or '0 AS none'} "
        f"FROM {predictions.physical_name} p "
        f"JOIN {table.physical_name} a ON p.record_id_l = a.record_id "
        f"JOIN {table.physical_name} b ON p.record_id_r = b.record_id"
    )
    try:
        frame = linker.misc.query_sql(sql, output_type="pandas")
    finally:
        table.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    levels = {}
    for comparison in comparisons:
        name = comparison.output_column_name
        levels[name] = _decode(frame[f"mw_{name}"].to_numpy(float), comparison)
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


def _decode(weights: np.ndarray, comparison: Any) -> np.ndarray:
    """Level index (strongest first) of each weight; -1 for the null level."""
    levels = _levels(comparison)
    known = np.array([lv._log2_bayes_factor for lv in levels])
    out = np.full(len(weights), -1, dtype=np.int8)
    for i, w in enumerate(known):
        hit = np.abs(weights - w) <= 1e-9 * max(1.0, abs(w)) if math.isfinite(w) else weights == w
        out[hit] = i
    unread = (out == -1) & (np.abs(weights) > 1e-12)
    if unread.any():
        raise RuntimeError(
            f"comparison {comparison.output_column_name}: {int(unread.sum())} pair weights "
            "match no level (were the weights made distinct before predicting?)"
        )
    return out
