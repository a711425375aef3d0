"""The estimate command (logic in credible.estimate)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from credible.commands._common import (
    app,
    check_output_dir,
    console,
    context,
    count_text,
    err_console,
    store_exists,
    styled,
    warn,
)


@app.command()
def estimate(
    ctx: typer.Context,
    histories: Annotated[
        Path | None,
        typer.Option(
            "--histories",
            help="CSV of capture histories: a 0/1 column per list and a 'count' column. "
            "Default: the store's latest linkage run.",
        ),
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            help="Estimator (repeatable): chapman, loglinear, Mt, Mth-Chao, Mth-Darroch, "
            "Mth-Poisson2, lcmcr, dga. Default: all.",
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Stratify by this field (a column of the CSV).")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same answer.")
    ] = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for estimate.json and estimate.html.")
    ] = Path("estimate-output"),
) -> None:
    """Estimate how many people there were, listed or not (multiple systems estimation)."""
    from credible.estimate import (
        estimate_in_store,
        read_histories,
        run_estimation,
        write_outputs,
    )
    from credible.store import open_store

    check_output_dir(out, "--out")  # before the run is computed and stored
    settings = context(ctx).settings()
    if histories is not None and not store_exists(settings):
        run = run_estimation(read_histories(histories, by), method, seed)
        err_console.print("no store here: the run is not recorded (create one with credible init)")
    else:
        store = open_store(settings, label="estimate")
        run, run_id = estimate_in_store(
            store, settings.actor, method, by, seed, str(histories) if histories else None
        )
        err_console.print(f"recorded as estimation run {run_id}")
    table = Table(
        "method",
        "stratum",
        "model",
        "estimate",
        "lower",
        "upper",
        "ok",
        title=f"Estimated total ({run.n_observed:,} observed on {len(run.lists)} lists)",
    )
    shown = run.headline()
    for e in shown:
        table.add_row(
            e.method,
            "sum of strata" if e.of_strata else "all",
            e.model[:48],
            count_text(e.estimate),
            count_text(e.lower),
            count_text(e.upper),
            "yes" if e.converged else styled("no", "red"),
        )
    console.print(table)
    for w in run.warnings:
        warn(w)
    # A method's own caveats (a fit Rcapture calls unreliable, chains that did not mix)
    # belong beside its figure, not only in the JSON: a reader quotes the table.
    for e in shown:
        for w in run.own_warnings(e):
            warn(w, f"warning ({e.method}):")
    json_path, html_path = write_outputs(run, out)
    console.print(f"wrote {json_path} and {html_path}")
