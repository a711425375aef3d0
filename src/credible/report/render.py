"""Build the report: collect, redact (public edition), draw, render HTML, JSON and PDF.

``index.html`` is one self-contained file (inline CSS and SVG, system fonts, no script,
no request); the same store and options give the same bytes. ``report.pdf`` is made from
the same HTML by WeasyPrint; ``report.json`` lists every figure and ref with its
provenance.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from credible import __version__
from credible.errors import ConfigError
from credible.report import charts
from credible.report.basemap import boundaries
from credible.report.collect import ReportData, collect
from credible.report.figures import Figure
from credible.report.redact import load_redaction, name_victims, redact_report
from credible.store import Store

EDITIONS = ("internal", "public")
DEFAULT_TITLE = "Assessment of the information held"
SHORT_STANDARD = {
    "reasonable_grounds_to_believe": "RG",
    "clear_and_convincing": "CC",
    "beyond_reasonable_doubt": "BRD",
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("credible.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass
class ReportResult:
    out: Path
    html: Path
    json: Path
    pdf: Path | None
    edition: str
    figures: int
    refs: int
    fictional: bool
    seconds: dict[str, float] = field(default_factory=dict)


def _attr(value: Any) -> str:
    return "" if value is None else str(value)


def fig_html(f: Figure | None, text: str | None = None) -> Markup:
    """A number with its provenance: key, run and query as data- attributes."""
    if f is None:
        return Markup("–")
    return Markup(
        f'<span class="fig" data-figure="{escape(f.key)}" data-run="{escape(_attr(f.run))}" '
        f'data-query="{escape(f.query)}">{escape(text if text is not None else f.text)}</span>'
    )


def ref_html(key: str, text: Any, href: str | None = None) -> Markup:
    """An identifier (act, allegation, source, person, facility...) named by its ref."""
    body = escape("" if text is None else str(text))
    if href:
        return Markup(f'<a class="ref" data-ref="{escape(key)}" href="#{escape(href)}">{body}</a>')
    return Markup(f'<span class="ref" data-ref="{escape(key)}">{body}</span>')


def anchor(kind: str, value: Any) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(value))
    return f"{kind}-{safe}"


_ENV.globals.update(fig=fig_html, ref=ref_html, anchor=anchor)


def build_report(
    store: Store,
    out: Path,
    *,
    edition: str = "internal",
    title: str | None = None,
    redaction: Path | None = None,
    pdf: bool = True,
) -> ReportResult:
    """Write ``index.html``, ``report.json`` and (unless ``pdf`` is false) ``report.pdf``."""
    if edition not in EDITIONS:
        raise ConfigError(f"unknown edition {edition!r}; use one of {', '.join(EDITIONS)}")
    policy = load_redaction(redaction) if edition == "public" else None
    started = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        seconds[name] = round(time.perf_counter() - started - sum(seconds.values()), 3)

    data = collect(store, title or DEFAULT_TITLE, edition)
    if policy is not None:
        redact_report(data, store, policy)
    else:
        name_victims(data, None, set())
    lap("collect")
    view = _view(data)
    lap("charts")
    html = _ENV.get_template("report.html.j2").render(**view)
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "index.html"
    _write(html_path, html)
    json_path = out / "report.json"
    _write(
        json_path,
        json.dumps(
            _json(data, view), ensure_ascii=False, indent=1, sort_keys=False, allow_nan=False
        )
        + "\n",
    )
    lap("html")
    pdf_path = None
    if pdf:
        pdf_path = out / "report.pdf"
        write_pdf(html, pdf_path)
        lap("pdf")
    return ReportResult(
        out=out,
        html=html_path,
        json=json_path,
        pdf=pdf_path,
        edition=edition,
        figures=len(data.figures.items),
        refs=len(data.figures.refs),
        fictional=data.fictional,
        seconds=seconds,
    )


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(path)


def write_pdf(html: str, path: Path) -> None:
    """The same HTML as a PDF (WeasyPrint; needs Pango, Debian's libpango-1.0-0)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise ConfigError(
            f"cannot make the PDF: WeasyPrint could not load ({exc}). It needs Pango: "
            "`apt-get install libpango-1.0-0 libpangoft2-1.0-0` (Debian), or pass --no-pdf"
        ) from exc
    tmp = path.with_name(path.name + ".part")
    HTML(string=html).write_pdf(tmp)
    tmp.replace(path)


# ---- the view: what the template reads, refs and charts registered ------------------------


def _view(data: ReportData) -> dict[str, Any]:
    figs = data.figures
    public = data.edition == "public"
    sources = {s["id"]: s for s in data.sources}
    for s in data.sources:
        figs.ref(
            f"source:{s['id']}",
            {
                "name": s["name"],
                "kind": s["kind"],
                "reliability": s["reliability"],
                "grade_used": s["grade_used"],
                "derived_from": s["derived_from"],
                "confidentiality": s["confidentiality"],
            },
        )
    source_by_name = {s["name"]: s["id"] for s in data.sources}
    for run in data.runs.values():
        if run is not None:
            figs.ref(
                f"run:{run['id']}", {k: v for k, v in run.items() if not (public and k == "actor")}
            )
    if data.audit_head:
        figs.ref("audit:head", dict(data.audit_head))
    if data.store_id:
        figs.ref("store", {"store_id": data.store_id})
    acts_by_type: dict[str, list[dict[str, Any]]] = {}
    for act in data.acts:
        acts_by_type.setdefault(act["type"], []).append(act)
        figs.ref(
            f"act:{act['ref']}",
            {
                "type": act["type"],
                "date": act["date"],
                "date_min": act["date_min"],
                "date_max": act["date_max"],
                "facility": act["facility"],
                "facility_ref": act["facility_ref"],
                "place": act["place"],
                "victim": act["victim"],
                "standard": act["standard"],
                "score": act["score"],
                "rationale": act["rationale"],
                "allegations": [
                    {k: c[k] for k in ("ref", "source", "reliability", "credibility", "stance")}
                    for c in act["allegations"]
                ],
            },
        )
        for c in act["allegations"]:
            figs.ref(
                f"allegation:{c['ref']}",
                {
                    "act": act["ref"],
                    "source": c["source"],
                    "source_id": c["source_id"],
                    "reliability": c["reliability"],
                    "credibility": c["credibility"],
                    "stance": c["stance"],
                },
            )
        if act["victim"]:
            figs.ref(f"person:{act['victim']}", {"shown_as": act["victim"]})
    for fac in data.facilities.get("rows", []):
        figs.ref(
            f"facility:{fac['ref']}",
            {
                k: fac[k]
                for k in (
                    "name",
                    "kind",
                    "latitude",
                    "longitude",
                    "county",
                    "prefecture",
                    "tier",
                    "first_seen",
                    "capacity",
                )
            },
        )
    _misc_refs(data)
    view: dict[str, Any] = {
        "d": data,
        "public": public,
        "sources": data.sources,
        "source_ids": source_by_name,
        "sources_by_id": sources,
        "acts_by_type": acts_by_type,
        "software_version": __version__,
        "short_standard": SHORT_STANDARD,
        "charts": {},
    }
    if data.estimation is not None:
        est = data.estimation
        for row in est["estimates"] + est["totals"]:
            figs.ref(
                f"method:{row['method']}{' (sum of strata)' if row['of_strata'] else ''}",
                {"model": row["model"], "assumption": row["assumption"]},
            )
        rows = est["totals"] or est["estimates"]
        plotted = [
            {
                "method": r["method"],
                "estimate": r["estimate"].value,
                "lower": r["lower"].value,
                "upper": r["upper"].value,
            }
            for r in rows
            if not r["not_run"]
        ]
        view["charts"]["estimates"] = _chart(
            data,
            "estimates",
            charts.estimates_chart(plotted, est["n_observed"].value),
            plotted,
            "estimate.results",
            "estimate",
            est["run"],
        )
        sizes = [entry["size"].value for entry in est["lists"]]
        shown = sorted(est["patterns"], key=lambda p: (-p["count"], p["pattern"]))[:20]
        view["charts"]["overlaps"] = _chart(
            data,
            "overlaps",
            charts.overlap_chart(est["list_names"], sizes, est["patterns"]),
            {"lists": est["list_names"], "sizes": sizes, "patterns": shown},
            "estimate.results",
            "estimate",
            est["run"],
        )
    if data.assessment is not None and data.assessment["findings"]:
        a = data.assessment
        plotted = [
            {
                "label": f["label"],
                "alleged": f["acts_alleged"].value,
                "established": f["acts_established"].value,
            }
            for f in a["findings"]
        ]
        view["charts"]["findings"] = _chart(
            data,
            "findings",
            charts.findings_chart(plotted),
            plotted,
            "assess.results",
            "assess",
            a["run"],
        )
    fac = data.facilities
    base = boundaries()
    view["basemap"] = base.citation if base is not None else None
    if fac.get("rows"):
        points = [
            {k: r[k] for k in ("ref", "kind", "tier", "latitude", "longitude")} for r in fac["rows"]
        ]
        view["charts"]["map"] = _chart(
            data,
            "map",
            charts.facility_map(fac["rows"], base),
            points,
            "count.facilities",
            None,
            None,
        )
    if fac.get("observations"):
        years = sorted(fac["observations"])
        counts: dict[str, Sequence[int]] = {
            c: [
                fac["observations"][y][c].value if c in fac["observations"][y] else 0 for y in years
            ]
            for c in charts.CHANGE_COLOURS
        }
        view["charts"]["construction"] = _chart(
            data,
            "construction",
            charts.construction_chart(years, counts),
            {"years": years, **counts},
            "count.observations.by_year_change",
            None,
            None,
        )
    return view


def _misc_refs(data: ReportData) -> None:
    """Refs for the labels that carry digits: tiers, years, list names, elements, grades."""
    figs = data.figures
    figs.ref("facility:tier", {"tiers": data.facilities.get("tiers", [])})
    for year, row in data.facilities.get("observations", {}).items():
        figs.ref(f"observations:{year}", {"year": year, "changes": sorted(row)})
    if data.estimation is not None:
        figs.ref("estimate:list", {"lists": data.estimation["list_names"]})
    if data.assessment is not None:
        for e in data.assessment["elements"]:
            figs.ref(f"element:{e['code']}", {"label": e["label"]})
    figs.ref("grade:credibility", {"grades": ["1", "2", "3", "4", "5", "6"]})
    figs.ref("report:software", {"credible": __version__})
    if data.redaction:
        figs.ref("report:redaction", dict(data.redaction))
    base = boundaries()
    if base is not None:
        figs.ref("report:basemap", {"citation": base.citation})


def _chart(
    data: ReportData,
    name: str,
    svg: str,
    plotted: Any,
    query: str,
    stage: str | None,
    run: int | None,
) -> dict[str, Any]:
    fig = data.figures.add(f"chart.{name}", plotted, query, run=run, stage=stage, text="chart")
    return {"svg": Markup(svg), "figure": fig}


def _json(data: ReportData, view: dict[str, Any]) -> dict[str, Any]:
    return {
        "report": {
            "title": data.title,
            "edition": data.edition,
            "fictional": data.fictional,
            "built_by": f"credible {__version__}",
            "store_id": data.store_id,
            "audit_head": data.audit_head,
            "redaction": data.redaction,
            "basemap": view.get("basemap"),
        },
        "runs": data.runs,
        **data.figures.to_dict(),
    }
