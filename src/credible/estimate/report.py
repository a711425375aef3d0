"""A self-contained HTML page for an estimation run (Jinja2, inline SVG, no scripts).

Three charts: an UpSet-style list-overlap chart (bars of people per pattern of
appearance, a dot matrix of which lists make the pattern, list sizes at the side),
the estimates by method with their intervals, and per-stratum bars.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jinja2

from credible.estimate.result import EstimationRun

_TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("credible.estimate", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
)


def _upset(run: EstimationRun, max_patterns: int = 30) -> dict[str, Any]:
    pats = sorted(run.patterns, key=lambda p: -p["count"])[:max_patterns]
    top = max((p["count"] for p in pats), default=1) or 1
    label_w, col_w, bar_h, row_h = 150, 26, 160, 22
    cols = []
    for i, p in enumerate(pats):
        h = bar_h * p["count"] / top
        on = [j for j, v in enumerate(p["pattern"]) if v]
        cols.append(
            {
                "x": label_w + i * col_w + col_w / 2,
                "bar_y": bar_h - h + 20,
                "bar_h": h,
                "count": p["count"],
                "on": on,
                "min_on": min(on) if on else 0,
                "max_on": max(on) if on else 0,
            }
        )
    sizes = run.list_sizes
    big = max(sizes.values(), default=1) or 1
    lists = [
        {
            "name": name,
            "y": bar_h + 40 + j * row_h,
            "size": sizes[name],
            "w": 100 * sizes[name] / big,
        }
        for j, name in enumerate(run.lists)
    ]
    # Room at the right for a list's bar (100 px) and its size written out.
    width = label_w + len(cols) * col_w + 180
    height = bar_h + 50 + len(lists) * row_h
    return {
        "cols": cols,
        "lists": lists,
        "width": width,
        "height": height,
        "col_w": col_w,
        "label_w": label_w,
        "shown": len(pats),
        "total": len(run.patterns),
    }


def _intervals(estimates: list[dict[str, Any]], n_observed: int) -> dict[str, Any]:
    rows = [e for e in estimates if e["estimate"] is not None]
    vals = [v for e in rows for v in (e["estimate"], e["lower"], e["upper"]) if v is not None]
    hi = max([*vals, n_observed]) * 1.05 if vals else 1.0
    left, width, row_h = 170, 560, 26

    def x(v: float | None) -> float:
        return left + width * (v if v is not None else hi) / hi

    out = []
    for i, e in enumerate(rows):
        out.append(
            {
                # With strata the chart shows the totals: say so, since the table
                # beside it also lists the unstratified estimate under the same name.
                "label": e["method"] + (" (sum of strata)" if e.get("stratum") else ""),
                "y": 30 + i * row_h,
                "x": x(e["estimate"]),
                "x_lo": x(e["lower"]) if e["lower"] is not None else x(e["estimate"]),
                "x_hi": x(e["upper"]),
                "open_hi": e["upper"] is None,
                "text": f"{e['estimate']:,.0f}",
            }
        )
    ticks = [{"x": x(hi * f / 4), "label": f"{hi * f / 4:,.0f}"} for f in range(5)]
    return {
        "rows": out,
        "left": left,
        "width": width,
        "height": 60 + len(out) * row_h,
        "n_x": x(n_observed),
        "ticks": ticks,
    }


def _strata(run: EstimationRun) -> list[dict[str, Any]]:
    if not run.strata:
        return []
    charts = []
    for method in run.settings.get("methods", []):
        parts = run.by_stratum(method)
        finite = [e for e in parts if math.isfinite(e.estimate)]
        top = max(
            [e.upper for e in finite if math.isfinite(e.upper)]
            + [e.estimate for e in finite]
            + [1.0]
        )
        bars = []
        for i, e in enumerate(parts):
            ok = math.isfinite(e.estimate)
            bars.append(
                {
                    "label": e.stratum,
                    "y": 10 + i * 24,
                    "w": 400 * e.estimate / top if ok else 0,
                    "obs_w": 400 * e.n_observed / top,
                    "lo": 160 + 400 * e.lower / top if ok and math.isfinite(e.lower) else None,
                    "hi": 160 + 400 * min(e.upper, top) / top
                    if ok and math.isfinite(e.upper)
                    else None,
                    "text": f"{e.estimate:,.0f}" if ok else "no estimate",
                    "warn": bool(e.warnings),
                }
            )
        charts.append({"method": method, "bars": bars, "height": 20 + len(bars) * 24})
    return charts


def render_html(
    run: EstimationRun, title: str = "How many people? Multiple systems estimation"
) -> str:
    data = run.to_dict()
    overall = [e.to_dict() for e in run.overall()]
    totals = [e.to_dict() for e in run.totals()]
    return _TEMPLATE.get_template("estimate.html.j2").render(
        title=title,
        run=data,
        overall=overall,
        totals=totals,
        upset=_upset(run),
        intervals=_intervals(totals or overall, run.n_observed),
        strata=_strata(run),
        settings_json=json.dumps(data["settings"], indent=1),
    )


def write_outputs(run: EstimationRun, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``estimate.json`` and ``estimate.html`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "estimate.json"
    json_path.write_text(json.dumps(run.to_dict(), indent=1, allow_nan=False), encoding="utf-8")
    html_path = out / "estimate.html"
    html_path.write_text(render_html(run), encoding="utf-8")
    return json_path, html_path
