"""The demo command: a FICTIONAL investigation end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from credible.commands._common import (
    app,
    console,
    context,
    count_text,
    styled,
    warn,
)


@app.command()
def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option(help="Folder for the FICTIONAL lists, the store and results.")
    ] = Path("demo-output"),
    people: Annotated[int, typer.Option(min=10, help="Size of the FICTIONAL population.")] = 20_000,
    lists: Annotated[int, typer.Option(min=2, max=10, help="Number of source lists.")] = 5,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same demo.")
    ] = 2022,
) -> None:
    """Run a FICTIONAL investigation end to end: simulate lists, import, link, estimate,
    assess, and write its report (OUT/report: the team's edition; OUT/report-public).

    Uses its own store in OUT (OUT/credible.db) unless --db is given.
    """
    from credible.demo import run_demo

    c = context(ctx)
    settings = c.settings() if c.db else None
    console.print(styled("credible demo", "bold", " — every name and record below is FICTIONAL"))
    summary = run_demo(
        out,
        people=people,
        lists=lists,
        seed=seed,
        settings=settings,
        say=lambda msg: console.print(f"  {msg}"),
    )
    table = Table("source", "records", title="FICTIONAL person records per source")
    for name, n in summary.records_per_source.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    totals = Table("table", "rows", title="FICTIONAL store contents")
    for name, n in summary.counts.items():
        totals.add_row(name, f"{n:,}")
    console.print(totals)
    if summary.link_metrics is not None:
        m = summary.link_metrics
        scores = Table("", "precision", "recall", "F1", title="linkage vs the FICTIONAL truth")
        scores.add_row(
            "pairwise",
            *(f"{v:.3f}" for v in (m.pairwise_precision, m.pairwise_recall, m.pairwise_f1)),
        )
        scores.add_row(
            "B-cubed", *(f"{v:.3f}" for v in (m.bcubed_precision, m.bcubed_recall, m.bcubed_f1))
        )
        console.print(scores)
        console.print(
            f"{m.predicted_persons:,} persons linked, {m.true_persons:,} true",
        )
    if summary.estimation is not None:
        run = summary.estimation
        est = Table(
            "method",
            "model",
            "estimate",
            "95% interval",
            "linkage held fixed",
            title=f"How many people? {run.n_observed:,} linked persons observed on "
            f"{len(run.lists)} lists; FICTIONAL truth: {summary.true_people:,}",
        )
        for e in run.overall():
            interval = (
                "-" if e.lower != e.lower else f"{count_text(e.lower)} to {count_text(e.upper)}"
            )
            fixed = e.diagnostics.get("linkage", {}).get("fixed")
            held = f"{count_text(fixed['lower'])} to {count_text(fixed['upper'])}" if fixed else ""
            est.add_row(e.method, e.model[:40], count_text(e.estimate), interval, held)
        console.print(est)
        if summary.estimation_note:
            console.print(f"how: {summary.estimation_note}")
        metrics = summary.link_metrics
        if metrics is not None and metrics.predicted_persons > metrics.true_persons:
            warn(
                f"linkage left {metrics.predicted_persons:,} persons where the "
                f"truth has {metrics.true_persons:,}; people split across records look like "
                "people seen on fewer lists, which inflates every estimate "
                "(docs/linkage.md, known limits)",
                "note:",
            )
    if summary.assessment is not None:
        assessed = summary.assessment
        found = Table(
            "act type",
            "alleged",
            "established",
            title=f"Findings at {assessed.standard.replace('_', ' ')} "
            f"(assessment run {assessed.run_id})",
        )
        for f in assessed.findings:
            found.add_row(f.act_type.replace("_", " "), f"{f.acts_alleged:,}",
                          f"{f.acts_established:,}")  # fmt: skip
        console.print(found)
        truth = Table(
            "standard",
            "acts that happened",
            "fabricated",
            "all not as recorded",
            title="Established acts beside the FICTIONAL truth",
        )
        for s in summary.assessment_scores:
            truth.add_row(
                s.standard.replace("_", " "),
                f"{s.true_established:,} of {s.true_acts:,} ({s.true_share:.0%})",
                f"{s.fabricated_established:,} of {s.fabricated_acts:,} ({s.fabricated_share:.1%})",
                f"{s.false_established:,} of {s.false_acts:,} ({s.false_share:.1%})",
            )
        console.print(truth)
    for result in summary.reports:
        files = ", ".join(str(p) for p in (result.html, result.pdf, result.json) if p is not None)
        console.print(f"FICTIONAL report, {result.edition} edition: {files}")
    if summary.report_note:
        warn(f"the report was written without its PDF: {summary.report_note}")
    if summary.reports:
        console.print(f"open it: xdg-open {summary.reports[0].html}  (or any browser, offline)")
    console.print(f"store: {summary.db}")
