"""Charts and the map as inline SVG, drawn with matplotlib, byte for byte the same for the
same data: no dates in the files, ids salted with a constant, text kept as text.

Only stored values are drawn; each chart's data go to ``report.json`` beside it.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D

from credible.report.basemap import EXTENT, Boundaries

STYLE: dict[str, Any] = {
    "svg.hashsalt": "credible-report",
    "svg.fonttype": "none",
    "font.family": ["DejaVu Sans"],
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": True,
}
INK, ACCENT, MUTED, WARN = "#1f2933", "#1d5fa8", "#9aa5b1", "#b3261e"
CHANGE_COLOURS = {
    "built": "#1d5fa8",
    "expanded": "#62a0d8",
    "reduced": "#e0a030",
    "demolished": "#b3261e",
}
TIER_COLOURS = {1: "#9ecae1", 2: "#6baed6", 3: "#3182bd", 4: "#08519c", 5: "#08306b"}
KIND_MARKERS = {
    "camp": "o",
    "detention_center": "s",
    "prison": "^",
    "prison_medium_security": "^",
    "prison_high_security": "D",
    "police_station": "v",
    "factory": "P",
    "other": "X",
}


def _style() -> Any:
    """matplotlib's settings for every chart, for the duration of one drawing."""
    return matplotlib.rc_context(STYLE)  # type: ignore[arg-type]


def _svg(fig: MplFigure, prefix: str) -> str:
    """The figure as an ``<svg>`` element whose ids cannot clash with another chart's."""
    buf = io.StringIO()
    FigureCanvasSVG(fig)
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    # Coordinates to a tenth of a point: the drawing does not change, the file shrinks.
    text = re.sub(r' d="([^"]*)"', lambda m: ' d="' + _NUM.sub(_tenth, m.group(1)) + '"', text)
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', text)
    return text.strip()


_NUM = re.compile(r"-?\d+\.\d+")


def _tenth(m: re.Match[str]) -> str:
    return f"{float(m.group()):.1f}"


def _figure(width: float, height: float) -> MplFigure:
    return MplFigure(figsize=(width, height), dpi=72)


def estimates_chart(rows: Sequence[dict[str, Any]], n_observed: int) -> str:
    """Dot = estimate, line = interval, arrow = unbounded above; dashed = people observed."""
    with _style():
        fig = _figure(6.6, 0.35 * len(rows) + 0.9)
        ax = fig.add_subplot()
        finite = [v for r in rows for v in (r["estimate"], r["lower"], r["upper"]) if v]
        top = max([*finite, n_observed]) * 1.08 if finite else 1.0
        for i, r in enumerate(rows):
            y = len(rows) - 1 - i
            if r["estimate"] is None:
                ax.text(n_observed, y, "  not estimable", va="center", color=MUTED)
                continue
            lo = r["lower"] if r["lower"] is not None else r["estimate"]
            hi = r["upper"] if r["upper"] is not None else top
            ax.plot([lo, hi], [y, y], color=ACCENT, lw=2, solid_capstyle="butt")
            if r["upper"] is None:
                ax.annotate(
                    "",
                    xy=(top, y),
                    xytext=(top * 0.97, y),
                    arrowprops={"arrowstyle": "->", "color": ACCENT},
                )
            ax.plot([r["estimate"]], [y], "o", color=INK, ms=5)
        ax.axvline(n_observed, color=WARN, ls="--", lw=1)
        ax.set_yticks(range(len(rows)), [r["method"] for r in reversed(rows)])
        ax.set_xlim(0, top)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.set_xlabel("people (dashed: observed on at least one list)")
        fig.subplots_adjust(left=0.2, right=0.97, top=0.97, bottom=0.6 / (0.35 * len(rows) + 0.9))
        return _svg(fig, "est")


def overlap_chart(
    lists: Sequence[str], sizes: Sequence[int], patterns: Sequence[dict[str, Any]], top: int = 20
) -> str:
    """UpSet-style: bars of people per pattern of lists, the dots say which lists."""
    shown = sorted(patterns, key=lambda p: (-p["count"], p["pattern"]))[:top]
    with _style():
        fig = _figure(6.6, 2.2 + 0.22 * len(lists))
        grid = fig.add_gridspec(
            2,
            2,
            height_ratios=[2.2, 0.22 * len(lists) + 0.1],
            width_ratios=[4, 1],
            hspace=0.05,
            wspace=0.05,
        )
        bars = fig.add_subplot(grid[0, 0])
        dots = fig.add_subplot(grid[1, 0], sharex=bars)
        side = fig.add_subplot(grid[1, 1], sharey=dots)
        xs = list(range(len(shown)))
        bars.bar(xs, [p["count"] for p in shown], color=ACCENT, width=0.7)
        for x, p in zip(xs, shown, strict=True):
            bars.text(x, p["count"], f"{p['count']:,}", ha="center", va="bottom", fontsize=6)
        bars.set_ylabel("people with exactly this pattern")
        bars.tick_params(axis="x", bottom=False, labelbottom=False)
        n = len(lists)
        for x, p in zip(xs, shown, strict=True):
            on = [n - 1 - j for j, v in enumerate(p["pattern"]) if v]
            dots.scatter([x] * n, range(n), s=14, color="#e4e7eb", zorder=1)
            dots.scatter([x] * len(on), on, s=18, color=INK, zorder=2)
            if len(on) > 1:
                dots.plot([x, x], [min(on), max(on)], color=INK, lw=1, zorder=2)
        dots.set_yticks(range(n), list(reversed(lists)))
        dots.tick_params(axis="x", bottom=False, labelbottom=False)
        for spine in ("left", "bottom"):
            dots.spines[spine].set_visible(False)
        side.barh(range(n), list(reversed(sizes)), color=MUTED)
        side.tick_params(axis="y", left=False, labelleft=False)
        side.set_xlabel("list size")
        side.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        fig.subplots_adjust(left=0.22, right=0.97, top=0.97, bottom=0.12)
        return _svg(fig, "ovl")


def findings_chart(rows: Sequence[dict[str, Any]]) -> str:
    """Acts alleged and established, per act type."""
    with _style():
        fig = _figure(6.6, 0.42 * len(rows) + 0.8)
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        ax.barh(ys, [r["alleged"] for r in rows], color="#d9e2ec", label="alleged")
        ax.barh(ys, [r["established"] for r in rows], color=ACCENT, label="established")
        ax.set_yticks(ys, [textwrap.fill(r["label"], 34) for r in rows], fontsize=7)
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.legend(frameon=False, loc="lower right")
        ax.set_xlabel("acts")
        fig.subplots_adjust(left=0.36, right=0.97, top=0.98, bottom=0.5 / (0.42 * len(rows) + 0.8))
        return _svg(fig, "fnd")


def construction_chart(years: Sequence[str], counts: dict[str, Sequence[int]]) -> str:
    """Dated observations of change per year: built, expanded, reduced, demolished."""
    with _style():
        fig = _figure(6.6, 2.4)
        ax = fig.add_subplot()
        base = [0] * len(years)
        for change, colour in CHANGE_COLOURS.items():
            values = list(counts.get(change, [0] * len(years)))
            ax.bar(years, values, bottom=base, color=colour, label=change, width=0.7)
            base = [b + v for b, v in zip(base, values, strict=True)]
        ax.set_ylabel("observations")
        ax.legend(frameon=False, ncols=4, loc="upper left")
        ax.tick_params(axis="x", labelrotation=90)
        fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.22)
        return _svg(fig, "cns")


def facility_map(rows: Sequence[dict[str, Any]], base: Boundaries | None) -> str:
    """Facilities on the base map: marker = kind, colour = security tier."""
    lon0, lon1, lat0, lat1 = EXTENT
    with _style():
        fig = _figure(6.6, 4.6)
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
        if base is not None:
            for ring in base.countries:
                ax.fill(ring[:, 0], ring[:, 1], color="#f5f5f0", ec="#b8b8b0", lw=0.5)
            for ring in base.provinces:
                ax.fill(ring[:, 0], ring[:, 1], color="#f0f0ea", ec="#c8c8c0", lw=0.4)
            for ring in base.province:
                ax.fill(ring[:, 0], ring[:, 1], color="#ffffff", ec="none")
            for ring in base.prefectures:
                ax.plot(ring[:, 0], ring[:, 1], color="#c9ced6", lw=0.4)
            for ring in base.province:
                ax.plot(ring[:, 0], ring[:, 1], color="#52606d", lw=0.9)
        kinds = sorted({r["kind"] for r in rows})
        for kind in kinds:
            mine = [r for r in rows if r["kind"] == kind and r["longitude"] is not None]
            ax.scatter(
                [r["longitude"] for r in mine],
                [r["latitude"] for r in mine],
                marker=KIND_MARKERS.get(kind, "X"),
                c=[TIER_COLOURS.get(int(r["tier"] or 0), "#bdbdbd") for r in mine],
                s=16,
                edgecolors=INK,
                linewidths=0.3,
                zorder=3,
            )
        handles = [
            Line2D(
                [],
                [],
                marker=KIND_MARKERS.get(k, "X"),
                ls="",
                color="#ffffff",
                markeredgecolor=INK,
                label=k.replace("_", " "),
            )
            for k in kinds
        ]
        tiers = sorted({int(r["tier"]) for r in rows if r["tier"] is not None})
        handles += [
            Line2D(
                [], [], marker="s", ls="", color=TIER_COLOURS.get(t, "#bdbdbd"), label=f"tier {t}"
            )
            for t in tiers
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=6, frameon=True, ncols=2)
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)
        ax.set_aspect(1 / 0.72)  # about cos(44°): degrees of longitude are shorter here
        ax.set_axis_off()
        return _svg(fig, "map")
