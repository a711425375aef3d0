"""Linkage commands: link, link explain, link evaluate, review (logic in linkage.service)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from credible.commands._common import app, console, context, progress_bar, warn

# Splink logs training details (levels not seen in a sample, EM sampling probes) as
# warnings; with no handler Python would print them all on stderr. The run's own
# warnings (failed or unconverged EM passes) are printed with its summary instead.
# Only the command line decides this: the library leaves logging to its application.
logging.getLogger("splink").setLevel(logging.WARNING)
logging.getLogger("splink").addHandler(logging.NullHandler())

link_app = typer.Typer(
    help="Link person records into Persons (Splink), explain and evaluate the latest run.",
)
app.add_typer(link_app, name="link")


@link_app.callback(invoke_without_command=True)
def link(
    ctx: typer.Context,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Merge pairs at or above this match probability (0-1). Default 0.3: "
            "pairs between lists scored 0.2-0.4 are matches about half the time, and a "
            "group is merged on its mean over every pair across it (docs/linkage.md).",
            show_default=False,
        ),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="duckdb (default, one machine) or spark (pyspark + Java 17).", show_default=False
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seed of the random sampling; the same seed gives the same Persons.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Link every person record in the store: train, predict, cluster, store the run.

    With no options it does the whole job with sensible defaults. Reviewers' decisions
    (`credible review`) are honoured: a rejected pair is never merged, an accepted one is.
    """
    if ctx.invoked_subcommand is not None:
        return
    from credible.linkage import make_settings, run_link
    from credible.store import open_store

    settings = context(ctx).settings()
    link_settings = make_settings(match_threshold=threshold, backend=backend, seed=seed)
    store = open_store(settings, label="link")
    with progress_bar() as bar:
        task = bar.add_task("linking", total=100)

        def report(stage: str, fraction: float) -> None:
            bar.update(task, description=stage, completed=round(100 * fraction))

        summary = run_link(store, link_settings, settings.actor, progress=report)
    table = Table("", "", show_header=False, title=f"linkage run {summary.run_id}")
    table.add_row("records", f"{summary.records:,}")
    table.add_row("persons", f"{summary.persons:,} ({summary.merged_persons:,} of 2+ records)")
    table.add_row("pairs scored", f"{summary.pairs_scored:,} ({summary.pairs_stored:,} stored)")
    table.add_row("review queue", f"{summary.review_queue:,}")
    table.add_row("judgements honoured", f"{summary.judgements:,}")
    if summary.changes:
        c = summary.changes
        table.add_row(
            f"vs run {c['compared_with_run']}",
            f"{c['merged']:,} persons merged, {c['split']:,} split",
        )
    table.add_row("seconds", f"{max(summary.seconds.values(), default=0):.1f}")
    console.print(table)
    for w in summary.warnings:
        warn(w)
    if summary.review_queue:
        console.print(f"{summary.review_queue:,} pairs need a human: run `credible review`")


@link_app.command("explain")
def link_explain(
    ctx: typer.Context,
    record_a: Annotated[str, typer.Argument(help="Id of the first person record.")],
    record_b: Annotated[str, typer.Argument(help="Id of the second person record.")],
    chart: Annotated[
        Path | None, typer.Option(help="Also write the waterfall as an SVG chart to this file.")
    ] = None,
) -> None:
    """Show the match weight of two records by comparison (the latest run's waterfall)."""
    from credible.linkage import explain
    from credible.store import open_store

    wf = explain(open_store(context(ctx).settings()), record_a, record_b)
    console.print(wf.to_text())
    if chart is not None:
        console.print(f"wrote {wf.to_svg(chart)}")


@link_app.command("evaluate")
def link_evaluate(
    ctx: typer.Context,
    truth: Annotated[
        Path, typer.Option(help="Simulator output folder (with truth/records.csv) or its truth/.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score the latest run against known truth: pairwise and B-cubed precision/recall/F1."""
    import json

    from credible.linkage import evaluate_latest
    from credible.store import open_store

    run_id, m = evaluate_latest(open_store(context(ctx).settings()), truth)
    if as_json:
        console.print_json(json.dumps({"run_id": run_id, **m.as_dict()}))
        return
    table = Table("", "precision", "recall", "F1", title=f"linkage run {run_id} vs truth")
    table.add_row(
        "pairwise",
        f"{m.pairwise_precision:.3f}",
        f"{m.pairwise_recall:.3f}",
        f"{m.pairwise_f1:.3f}",
    )
    table.add_row(
        "B-cubed", f"{m.bcubed_precision:.3f}", f"{m.bcubed_recall:.3f}", f"{m.bcubed_f1:.3f}"
    )
    console.print(table)
    console.print(
        f"{m.records:,} records; {m.predicted_persons:,} persons linked, "
        f"{m.true_persons:,} true; pairs {m.correct_pairs:,} correct of "
        f"{m.predicted_pairs:,} linked and {m.true_pairs:,} true",
    )


_REVIEW_CHOICES = {
    "a": "accept",
    "r": "reject",
    "u": "unsure",
    "s": "skip",
    "n": "note",
    "q": "quit",
}


@app.command()
def review(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many pairs.", show_default=False)
    ] = None,
    recluster: Annotated[
        bool,
        typer.Option(
            help="After the session, rebuild Persons from the stored scores and "
            "the decisions (a new run, no retraining)."
        ),
    ] = True,
) -> None:
    """Review the latest run's uncertain pairs: accept, reject, unsure, skip, note or quit.

    Answers are read from the terminal or stdin (one per line: a, r, u, s, n, q), so a
    session can be scripted. Decisions are stored as append-only judgements (who, when).
    """
    from credible.errors import ConflictError
    from credible.linkage import (
        decide_leased,
        describe,
        lease_pair,
        pair_id,
        release_lease,
        review_items,
    )
    from credible.linkage import recluster as rebuild
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="review")
    decided = seen = held_elsewhere = 0
    for item in review_items(store, limit):
        a, b = item.record_l, item.record_r
        # The browser's reviewers work the same queue: a pair one of them holds, or
        # decided since this session read the queue, is left to them.
        if not lease_pair(store, settings.actor, a["record_id"], b["record_id"]):
            held_elsewhere += 1
            continue
        seen += 1
        table = Table(
            "",
            "record A",
            "record B",
            title=f"pair {seen}: match probability {item.match_probability:.3f}",
        )
        for (label, left), (_, right) in zip(describe(a), describe(b), strict=True):
            table.add_row(label, left, right)
        console.print(table)
        console.print(item.standing())
        waterfall = item.waterfall()
        if waterfall is not None:
            console.print(waterfall.to_text())
        note, action = "", ""
        while True:
            try:
                answer = typer.prompt(
                    "[a]ccept [r]eject [u]nsure [s]kip [n]ote [q]uit", default="s"
                )
            except typer.Abort:  # end of input: stop as if asked to
                answer = "q"
            action = _REVIEW_CHOICES.get(answer.strip().lower()[:1], "")
            if action == "note":
                try:
                    note = typer.prompt("note")
                except typer.Abort:
                    action = "quit"
                    break
                continue
            if action:
                break
            console.print("answer a, r, u, s, n or q")
        if action == "quit" or (action == "skip" and not note):
            release_lease(store, settings.actor, a["record_id"], b["record_id"])
            if action == "quit":
                break
            continue
        decision = "unsure" if action == "skip" else action
        pair = pair_id(a["record_id"], b["record_id"])
        try:
            decide_leased(store, settings.actor, pair, decision, note)
        except ConflictError as exc:
            # The lease lapsed while the pair was on screen: the decision still stands
            # unless another reviewer has taken or decided the pair meanwhile.
            if not lease_pair(store, settings.actor, a["record_id"], b["record_id"]):
                console.print(f"not stored: {exc}")
                continue
            decide_leased(store, settings.actor, pair, decision, note)
        decided += 1
    console.print(f"{decided} decision(s) stored, {seen} pair(s) shown")
    if held_elsewhere:
        console.print(f"{held_elsewhere} pair(s) passed over: held or decided by another reviewer")
    if not seen:
        console.print("the review queue is empty")
    if decided and recluster:
        summary = rebuild(store, settings.actor)
        console.print(
            f"linkage run {summary.run_id}: {summary.persons:,} persons after review "
            f"({summary.changes.get('merged', 0):,} merged, {summary.changes.get('split', 0):,} "
            f"split; {summary.review_queue:,} pairs still in the queue)",
        )
    elif decided:
        console.print("run `credible link` to rebuild Persons with these decisions")
