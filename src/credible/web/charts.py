"""Geometry for the small SVG charts the pages draw (no script, no inline style): the
linkage waterfall and a facility's observations over time."""

from __future__ import annotations

from typing import Any

from credible.linkage import comparison_label

# Two text lines a row: the comparison, then its level in full (levels run to 60 letters).
WIDTH, ROW = 640, 36


def waterfall(wf: Any) -> dict[str, Any]:
    """Bars of a Splink waterfall: the prior, then each comparison's weight (with its
    term-frequency adjustment), as running totals on a shared scale."""
    steps = [("prior", "", "", "", float(wf.prior_weight))]
    steps += [
        (
            comparison_label(s.comparison),
            s.level,
            s.value_l,
            s.value_r,
            float(s.match_weight + s.tf_adjustment),
        )
        for s in wf.steps
    ]
    totals, running = [], 0.0
    for *_, w in steps:
        totals.append((running, running + w))
        running += w
    lo = min(0.0, *(min(a, b) for a, b in totals))
    hi = max(0.0, *(max(a, b) for a, b in totals))
    span = (hi - lo) or 1.0
    label_w = 330
    scale = (WIDTH - label_w - 60) / span

    def x(v: float) -> float:
        return round(label_w + (v - lo) * scale, 1)

    bars = []
    for i, ((name, level, vl, vr, w), (a, b)) in enumerate(zip(steps, totals, strict=True)):
        bars.append(
            {
                "y": i * ROW + 4,
                "x": min(x(a), x(b)),
                "width": max(1.0, abs(x(b) - x(a))),
                "sign": "pos" if w >= 0 else "neg",
                "label": name,
                "level": level,
                "value_l": vl,
                "value_r": vr,
                "weight": round(w, 2),
                "text_x": max(x(a), x(b)) + 4,
            }
        )
    return {
        "record_l": wf.record_id_l,
        "record_r": wf.record_id_r,
        "bars": bars,
        "zero_x": x(0.0),
        "height": len(bars) * ROW + 8,
        "width": WIDTH,
        "match_weight": round(wf.match_weight, 2),
        "match_probability": round(wf.match_probability, 4),
    }


def timeline(observations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Dots of a facility's dated observations along a line of years."""
    dated = [o for o in observations if o.get("observed_min")]
    if not dated:
        return None
    years = [int(str(o["observed_min"])[:4]) + int(str(o["observed_min"])[5:7]) / 12 for o in dated]
    # Whole years on the axis, so that every dot sits between two labelled ticks.
    lo, hi = float(int(min(years))), float(int(max(years)) + 1)
    span = hi - lo
    left, right = 40, WIDTH - 40
    dots = [
        {
            "cx": round(left + (y - lo) / span * (right - left), 1),
            "change": o.get("change") or "seen",
            "label": f"{o.get('observed')}: {o.get('change') or ''}",
        }
        for y, o in zip(years, dated, strict=True)
    ]
    ticks = [
        {"x": round(left + (yr - lo) / span * (right - left), 1), "year": yr}
        for yr in range(int(lo), int(hi) + 1)
    ]
    return {"dots": dots, "ticks": ticks, "width": WIDTH, "left": left, "right": right}
