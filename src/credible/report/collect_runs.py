"""The report's figures from the stored link and estimation runs: what linkage did and
how sure it is, and how many people each method estimates, with why they differ."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from credible.report.figures import Figure, Figures
from credible.store import RunInfo, schema

#: Why the methods give different totals: each one's assumption, in a line (the full
#: table is in docs/estimation.md).
METHOD_ASSUMPTIONS = {
    "chapman": "two lists, independent, everyone equally likely to be listed",
    "loglinear": "the dependence between lists is captured by the interactions of the "
    "model chosen by AIC; the highest-order interaction is assumed absent",
    "Mt": "lists independent and everyone equally likely to be on each: a baseline that "
    "heterogeneity pushes too low",
    "Mth-Chao": "heterogeneity between people, as a lower bound",
    "Mth-Darroch": "heterogeneity of a parametric form; the upper end can be large",
    "Mth-Poisson2": "heterogeneity of another parametric form",
    "lcmcr": "latent classes of people, lists independent within a class (Bayesian)",
    "dga": "lists depend on each other as decomposable graphical models, averaged over "
    "all of them (Bayesian)",
}


def linkage_data(conn: Connection, figs: Figures, run: RunInfo) -> dict[str, Any]:
    res = run.results or {}
    settings = run.parameters.get("settings") or {}
    rid = run.id

    def fig(key: str, value: Any, query: str, **kw: Any) -> Figure:
        return figs.add(f"link.{key}", value, query, run=rid, stage="link", **kw)

    out: dict[str, Any] = {"run": rid, "method": run.method}
    for key in (
        "records",
        "persons",
        "merged_persons",
        "pairs_scored",
        "pairs_stored",
        "review_queue",
        "judgements",
        "cut_by_rejection",
    ):
        if key in res:
            out[key] = fig(key, int(res[key]), "link.results")
    threshold = float(settings.get("match_threshold", 0.5))
    lower = float(settings.get("review_lower", threshold))
    upper = float(settings.get("review_upper", 1.0))
    out["threshold"] = fig("match_threshold", threshold, "link.parameters", digits=2)
    out["review_lower"] = fig("review_lower", lower, "link.parameters", digits=2)
    out["review_upper"] = fig("review_upper", upper, "link.parameters", digits=2)
    out["seed"] = fig("seed", run.seed, "link.parameters", text=str(run.seed))
    out["exclusive"] = bool(settings.get("exclusive", False))
    ms = schema.match_scores
    n_above, mean_above = conn.execute(
        select(func.count(), func.avg(ms.c.match_probability)).where(
            ms.c.run_id == rid, ms.c.match_probability >= threshold
        )
    ).one()
    out["pairs_above"] = fig("pairs_above_threshold", int(n_above), "link.scores.above")
    out["expected_precision"] = fig(
        "expected_precision",
        None if mean_above is None else round(float(mean_above), 4),
        "link.scores.above",
        digits=3,
    )
    band = conn.execute(
        select(func.count()).where(
            ms.c.run_id == rid, ms.c.match_probability >= lower, ms.c.match_probability < upper
        )
    ).scalar_one()
    out["pairs_in_band"] = fig("pairs_in_band", int(band), "link.scores.band")
    finished = conn.execute(select(schema.runs.c.finished_at).where(schema.runs.c.id == rid))
    finished_at = finished.scalar()
    j = schema.judgements
    since = conn.execute(
        select(func.count()).select_from(j).where(j.c.at > (finished_at or ""))
    ).scalar_one()
    out["judgements_since"] = fig("judgements_since", int(since), "link.judgements.since")
    sessions = (run.parameters.get("metadata") or {}).get("em_sessions") or []
    converged = sum(1 for s in sessions if s.get("converged", True) and "failed" not in s)
    out["em_sessions"] = fig("em_sessions", len(sessions), "link.em")
    out["em_converged"] = fig("em_converged", converged, "link.em")
    out["warnings"] = [
        fig(f"warning.{i}", w, "link.results", text=str(w))
        for i, w in enumerate(res.get("warnings") or [])
    ]
    return out


# ---- estimation ------------------------------------------------------------------------


def estimation_data(figs: Figures, run: RunInfo) -> dict[str, Any]:
    res = run.results or {}
    rid = run.id

    def fig(key: str, value: Any, **kw: Any) -> Figure:
        return figs.add(
            f"estimate.{key}", value, "estimate.results", run=rid, stage="estimate", **kw
        )

    lists = list(res.get("lists") or [])
    sizes = res.get("list_sizes") or {}
    out: dict[str, Any] = {
        "run": rid,
        "seed": fig("seed", res.get("seed"), text=str(res.get("seed"))),
        "n_observed": fig("n_observed", int(res.get("n_observed") or 0)),
        "lists": [
            {"name": name, "size": fig(f"list.{i}.size", int(sizes.get(name, 0)))}
            for i, name in enumerate(lists)
        ],
        "list_names": lists,
        "patterns": res.get("patterns") or [],
        "by": res.get("by"),
    }
    out["patterns_figure"] = fig("patterns", len(out["patterns"]), text=f"{len(out['patterns']):,}")
    rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    for e in res.get("estimates") or []:
        if e.get("stratum") is not None and not e.get("of_strata"):
            continue
        tag = e["method"] + (".total" if e.get("of_strata") else "")
        level = float(e.get("level") or 0.95)
        row = {
            "method": e["method"],
            "model": e.get("model") or "",
            "of_strata": bool(e.get("of_strata")),
            "estimate": fig(f"{tag}.estimate", e.get("estimate")),
            "lower": fig(f"{tag}.lower", e.get("lower")),
            "upper": fig(
                f"{tag}.upper",
                e.get("upper"),
                text=None
                if e.get("upper") is not None or e.get("estimate") is None
                else "unbounded",
            ),
            "level": fig(f"{tag}.level", level, text=f"{level:.0%}"),
            "converged": bool(e.get("converged", True)),
            "not_run": e.get("model") == "not run",
            "warnings": [
                w for w in e.get("warnings") or [] if w not in (res.get("warnings") or [])
            ],
            "assumption": METHOD_ASSUMPTIONS.get(e["method"], ""),
        }
        # With linkage draws the headline interval carries the linkage's uncertainty; the
        # interval with the linkage held fixed and the share it adds are figures too.
        drawn = (e.get("diagnostics") or {}).get("linkage")
        if drawn and drawn.get("fixed"):
            fixed = drawn["fixed"]
            row["linkage"] = {
                "fixed_estimate": fig(f"{tag}.fixed.estimate", fixed.get("estimate")),
                "fixed_lower": fig(f"{tag}.fixed.lower", fixed.get("lower")),
                "fixed_upper": fig(f"{tag}.fixed.upper", fixed.get("upper")),
                "share": fig(
                    f"{tag}.linkage_share",
                    drawn.get("linkage_share"),
                    text=None
                    if drawn.get("linkage_share") is None
                    else f"{drawn['linkage_share']:.0%}",
                ),
                "width_added": fig(f"{tag}.width_added", drawn.get("width_added")),
            }
        row["own_warnings"] = [
            fig(f"{tag}.warning.{i}", w, text=str(w)) for i, w in enumerate(row["warnings"])
        ]
        (totals if row["of_strata"] else rows).append(row)
    out["estimates"] = rows
    out["totals"] = totals
    usable = [r for r in rows if not r["not_run"] and r["estimate"].value is not None]
    if len(usable) >= 2:
        lo = min(usable, key=lambda r: r["estimate"].value)
        hi = max(usable, key=lambda r: r["estimate"].value)
        ratio = hi["estimate"].value / lo["estimate"].value if lo["estimate"].value else None
        spread_fig = figs.add(
            "estimate.spread.ratio",
            None if ratio is None else round(ratio, 3),
            "estimate.spread",
            run=rid,
            stage="estimate",
            digits=2,
        )
        out["spread"] = {"low": lo, "high": hi, "ratio": spread_fig}
    out["warnings"] = [
        fig(f"warning.{i}", w, text=str(w)) for i, w in enumerate(res.get("warnings") or [])
    ]
    linkage = res.get("linkage") or {}
    out["linkage_draws"] = (
        fig("linkage.draws", int(linkage["draws"]), text=str(linkage["draws"]))
        if linkage.get("draws")
        else None
    )
    audit = linkage.get("split_audit") or {}
    out["split_audit"] = (
        {
            "audited": fig("linkage.split_audit.audited", int(audit["audited"])),
            "found": fig("linkage.split_audit.found", int(audit["found"])),
            "rate": fig(
                "linkage.split_audit.rate",
                round(float(audit["split_rate"]), 4),
                text=f"{float(audit['split_rate']):.1%}",
            ),
        }
        if audit.get("used")
        else None
    )
    out["strata"] = [
        {
            "name": name,
            "n_observed": fig(f"stratum.{i}.n_observed", int(s.get("n_observed", 0))),
            "warnings": [
                fig(f"stratum.{i}.warning.{k}", w, text=str(w))
                for k, w in enumerate(s.get("warnings") or [])
            ],
        }
        for i, (name, s) in enumerate(sorted((res.get("strata") or {}).items()))
    ]
    return out


# ---- facilities ------------------------------------------------------------------------
