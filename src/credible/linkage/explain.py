"""Why did the model score two records as it did? Splink's waterfall, as text or SVG."""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from credible.linkage import splink_adapter as splink
from credible.linkage.features import prepare_records
from credible.linkage.model import every_comparison, list_odds, splink_spec
from credible.linkage.train import MODEL_COLUMNS

#: The waterfall step that carries the other candidates of the list-aware model.
RIVALS = "other candidates"

#: What a reviewer reads for each comparison, instead of its internal column name.
COMPARISON_LABELS = {
    "name": "name",
    "birth_date": "birth date",
    "sex": "sex",
    "birthplace_rom": "birthplace",
    "where": "home county and facility",
    "detained": "date detained",
    "ethnicity_norm": "ethnicity",
    "id_number": "ID number",
    "village": "township and village",
    "relatives": "relatives named",
    "source": "same list",
}
#: The record fields shown as each comparison's values (joined with " / ").
SHOWN_FIELDS = {
    "sex": ("sex",),
    "birthplace_rom": ("birthplace",),
    "where": ("residence", "facility"),
    "detained": ("detained",),
    "ethnicity_norm": ("ethnicity",),
    "id_number": ("id_number",),
    "village": ("township", "village"),
    "relatives": ("relatives",),
    "source": ("source",),
}


def comparison_label(name: str) -> str:
    return COMPARISON_LABELS.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class Step:
    comparison: str
    level: str
    value_l: str
    value_r: str
    match_weight: float  # log2(m/u), 0 for a null level
    tf_adjustment: float  # extra weight from term frequency (shared rare names count more)
    m_probability: float | None = None
    u_probability: float | None = None


@dataclass(frozen=True)
class Waterfall:
    record_id_l: int
    record_id_r: int
    prior_weight: float
    steps: list[Step] = field(default_factory=list)

    @property
    def match_weight(self) -> float:
        return self.prior_weight + sum(s.match_weight + s.tf_adjustment for s in self.steps)

    @property
    def match_probability(self) -> float:
        bf = 2.0**self.match_weight
        return bf / (1 + bf) if math.isfinite(bf) else 1.0

    def to_text(self, width: int = 80) -> str:
        """One block per comparison, ``width`` columns wide (80: a terminal): its human
        label and level in full, the weight and term-frequency adjustment at the right,
        and the two records' values on lines of their own; the total at the end."""
        numbers = 16  # "  weight      tf"
        text = width - numbers
        lines = [f"records {self.record_id_l} and {self.record_id_r}"]
        lines.append(f"{'':<{text}}{'weight':>8}{'tf':>8}")

        def row(label: str, weight: str, tf: str = "") -> None:
            wrapped = textwrap.wrap(label, text - 1) or [""]
            lines.extend(wrapped[:-1])
            lines.append(f"{wrapped[-1]:<{text}}{weight:>8}{tf:>8}")

        row("prior: how often two records of these lists match", f"{self.prior_weight:.2f}")
        for s in self.steps:
            row(
                f"{comparison_label(s.comparison)}: {s.level}",
                f"{s.match_weight:.2f}",
                f"{s.tf_adjustment:.2f}" if s.tf_adjustment else "",
            )
            for side, value in (("A", s.value_l), ("B", s.value_r)):
                if value:
                    lines += textwrap.wrap(
                        f"{side}: {value}",
                        width,
                        initial_indent="    ",
                        subsequent_indent="       ",
                    )
        lines.append("-" * width)
        row(f"total (match probability {self.match_probability:.4f})", f"{self.match_weight:.2f}")
        lines += textwrap.wrap(
            "weight: log2 of how much likelier the comparison's outcome is for one person "
            "than for two; tf: the term-frequency adjustment, added to the weight: a name "
            "or date few records share counts more than a common one.",
            width,
        )
        return "\n".join(lines)

    def to_svg(self, path: str | Path) -> Path:
        """A waterfall chart as a self-contained SVG file (no plotting library needed)."""
        rows = [("prior", self.prior_weight)] + [
            (f"{comparison_label(s.comparison)}: {s.level}", s.match_weight + s.tf_adjustment)
            for s in self.steps
        ]
        running, bars = 0.0, []
        for label, w in rows:
            bars.append((label, running, running + w))
            running += w
        bars.append(("total", 0.0, running))
        lo = min(min(a, b) for _, a, b in bars)
        hi = max(max(a, b) for _, a, b in bars)
        span = (hi - lo) or 1.0
        width, left, bar_h = 760, 300, 22

        def x(v: float) -> float:
            return left + (v - lo) / span * (width - left - 20)

        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{bar_h * len(bars) + 40}" font-family="sans-serif" font-size="12">',
            f'<text x="4" y="16">{self.record_id_l} vs '
            f"{self.record_id_r}: match weight {self.match_weight:.2f}</text>",
        ]
        for i, (label, a, b) in enumerate(bars):
            y = 28 + i * bar_h
            colour = "#2a7" if b >= a else "#c33"
            if label == "total":
                colour = "#357"
            parts.append(f'<text x="4" y="{y + 15}">{html.escape(label[:44])}</text>')
            parts.append(
                f'<rect x="{min(x(a), x(b)):.1f}" y="{y + 3}" '
                f'width="{max(abs(x(b) - x(a)), 1):.1f}" height="{bar_h - 6}" fill="{colour}"/>'
            )
        parts.append(
            f'<line x1="{x(0):.1f}" y1="24" x2="{x(0):.1f}" '
            f'y2="{28 + len(bars) * bar_h}" stroke="#888"/>'
        )
        parts.append("</svg>")
        out = Path(path)
        out.write_text("\n".join(parts), encoding="utf-8")
        return out


def explain_pair(
    model: dict[str, Any],
    record_a: Mapping[str, Any],
    record_b: Mapping[str, Any],
    term_frequencies: Mapping[str, pd.DataFrame] | None = None,
    run_weight: float | None = None,
) -> Waterfall:
    """The match weight of a pair by comparison, under a trained ``model``.

    Records are person records (as ``prepare_records`` takes) or already prepared rows.
    ``term_frequencies`` are the tables a run returned (``LinkResult.term_frequencies``);
    without them the term-frequency adjustment is left out (shown as 0). Under the
    list-aware model the prior is that of the two records' lists, and ``run_weight``
    (the weight the run gave the pair) adds a last step, "other candidates": what the
    other records of the same lists that resemble either record took away.
    """
    from splink import Linker

    from credible.linkage.backends import make_db_api
    from credible.linkage.settings import LinkSettings

    pair = _prepared([record_a, record_b])
    tf_cols = _tf_columns(model)
    rows = []
    for _, row in pair.iterrows():
        rec = {c: _plain(row[c]) for c in MODEL_COLUMNS}
        for col in tf_cols:
            rec[f"tf_{col}"] = _tf_value(term_frequencies, col, rec.get(col))
        rows.append(rec)
    db_api = make_db_api(LinkSettings(threads=1))
    table = db_api.register(pair[MODEL_COLUMNS])
    # The run's rules block on key columns computed over all its records; one pair
    # needs no blocking. A model trained on Spark is explained on DuckDB.
    spec = splink.port_model(splink_spec(model), "duckdb", every_comparison(), [])
    spec["retain_matching_columns"] = True
    spec["retain_intermediate_calculation_columns"] = True
    linker = Linker(table, spec, log_level=None)
    scored = linker.inference.score_pair(rows[0], rows[1]).as_record_list()[0]
    raw = [record_a, record_b]
    steps = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        gamma = int(scored[f"gamma_{name}"])
        level = _level(comparison, gamma)
        tf_adj = scored.get(f"mw_tf_adj_{name}") or 0.0
        if not term_frequencies:
            tf_adj = 0.0
        steps.append(
            Step(
                comparison=name,
                level=level.get("label_for_charts", str(gamma)),
                value_l=_shown(name, raw[0])
                or _show(scored.get(f"{name}_l", _first_input(comparison, scored, "l"))),
                value_r=_shown(name, raw[1])
                or _show(scored.get(f"{name}_r", _first_input(comparison, scored, "r"))),
                match_weight=float(scored.get(f"mw_{name}") or 0.0) if gamma != -1 else 0.0,
                tf_adjustment=float(tf_adj),
                m_probability=level.get("m_probability"),
                u_probability=level.get("u_probability"),
            )
        )
    prior = model.get("probability_two_random_records_match", 1e-4)
    prior_weight = math.log2(prior / (1 - prior))
    odds = list_odds(model).get((str(rows[0].get("source")), str(rows[1].get("source"))))
    if odds:
        prior_weight = math.log2(odds)
    waterfall = Waterfall(
        record_id_l=int(rows[0]["record_id"]),
        record_id_r=int(rows[1]["record_id"]),
        prior_weight=prior_weight,
        steps=steps,
    )
    if odds and run_weight is not None and math.isfinite(run_weight):
        rivals = run_weight - waterfall.match_weight
        steps.append(Step(RIVALS, "rival records in the same lists", "", "", rivals, 0.0))
    return waterfall


def _prepared(records: list[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([dict(r) for r in records])
    if "n1_rom" in frame.columns:
        for c in MODEL_COLUMNS:
            if c not in frame.columns:
                frame[c] = None
        return frame
    return prepare_records(frame)


def _tf_columns(model: dict[str, Any]) -> list[str]:
    cols = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            col = level.get("tf_adjustment_column")
            if col and col not in cols:
                cols.append(col)
    return cols


def _tf_value(tables: Mapping[str, pd.DataFrame] | None, col: str, value: Any) -> float | None:
    if not tables or col not in tables or value is None:
        return None
    table = tables[col]
    hit = table.loc[table[col] == value, f"tf_{col}"]
    if len(hit):
        return float(hit.iloc[0])
    # A value never seen in the run: as rare as the rarest value that was.
    return float(table[f"tf_{col}"].min())


def _level(comparison: dict[str, Any], gamma: int) -> dict[str, Any]:
    levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
    if gamma == -1:
        return {"label_for_charts": "null (no evidence)"}
    # Splink numbers non-null levels from the weakest (0 = ELSE) up.
    return levels[len(levels) - 1 - gamma]


def _shown(comparison: str, record: Mapping[str, Any]) -> str:
    """A comparison's values as the record wrote them, where the record has them."""
    fields = SHOWN_FIELDS.get(comparison, ())
    return " / ".join(_show(record.get(f)) for f in fields if _show(record.get(f)))


def _first_input(comparison: dict[str, Any], scored: dict[str, Any], side: str) -> Any:
    if comparison["output_column_name"] == "name":
        return scored.get(f"name_display_{side}")
    if comparison["output_column_name"] == "where":
        parts = [_show(scored.get(f"{c}_{side}")) for c in ("residence_rom", "facility_key")]
        return " / ".join(p for p in parts if p) or None
    if comparison["output_column_name"] == "birth_date":
        for col in ("birth_ymd", "birth_year"):
            if _plain(scored.get(f"{col}_{side}")) is not None:
                return scored[f"{col}_{side}"]
        lo, hi = _plain(scored.get(f"birth_ymin_{side}")), _plain(scored.get(f"birth_ymax_{side}"))
        return None if lo is None else f"{lo}–{hi}"
    return None


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def _show(v: Any) -> str:
    v = _plain(v)
    return "" if v is None else str(v)
