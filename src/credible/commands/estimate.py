"""The estimate command (logic in credible.estimate)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from credible.estimate import EstimationRun


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
    linkage_draws: Annotated[
        int | None,
        typer.Option(
            "--linkage-draws",
            help="Linkages drawn from the link run's match probabilities to carry the "
            "linkage's uncertainty into the estimate (reviewers' decisions stay fixed). "
            "Default: 20 when estimating from a link run; 0 holds the linkage fixed.",
            min=0,
        ),
    ] = None,
) -> None:
    """Estimate how many people there were, listed or not (multiple systems estimation)."""
    from credible.errors import CredibleError
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
        if linkage_draws:
            raise CredibleError(
                "--linkage-draws needs a link run: a histories file has no linkage to draw"
            )
        run = run_estimation(read_histories(histories, by), method, seed)
        err_console.print("no store here: the run is not recorded (create one with credible init)")
    else:
        store = open_store(settings, label="estimate")
        run, run_id = estimate_in_store(
            store,
            settings.actor,
            method,
            by,
            seed,
            str(histories) if histories else None,
            linkage_draws,
        )
        err_console.print(f"recorded as estimation run {run_id}")
    console.print(_table(run))
    if run.linkage:
        _linkage_notes(run.linkage)
    for w in run.warnings:
        warn(w)
    shown = run.headline()
    # A method's own caveats (a fit Rcapture calls unreliable, chains that did not mix)
    # belong beside its figure, not only in the JSON: a reader quotes the table.
    for e in shown:
        for w in run.own_warnings(e):
            warn(w, f"warning ({e.method}):")
    json_path, html_path = write_outputs(run, out)
    console.print(f"wrote {json_path} and {html_path}")


def _table(run: EstimationRun) -> Table:
    drawn = bool(run.linkage)
    title = f"Estimated total ({run.n_observed:,} observed on {len(run.lists)} lists"
    if drawn:
        title += f"; {run.linkage['draws']} linkages drawn from the link run)"
    else:
        title += ")"
    columns = ["method", "stratum", "model", "estimate"]
    columns += (
        ["linkage fixed", "with linkage uncertainty", "linkage share"]
        if drawn
        else ["lower", "upper"]
    )
    table = Table(*columns, "ok", title=title)
    for e in run.headline():
        row = [
            e.method,
            "sum of strata" if e.of_strata else "all",
            e.model[:40],
            count_text(e.estimate),
        ]
        info = e.diagnostics.get("linkage")
        if drawn and info:
            fixed = info["fixed"]
            row += [
                f"{count_text(fixed['estimate'])} [{count_text(fixed['lower'])}"
                f"–{count_text(fixed['upper'])}]",
                f"[{count_text(e.lower)}–{count_text(e.upper)}]",
                f"{info.get('linkage_share', 0.0):.0%} of variance, "
                f"width {_signed(info.get('width_added'))}",
            ]
        elif drawn:
            row += ["", f"[{count_text(e.lower)}–{count_text(e.upper)}]", ""]
        else:
            row += [count_text(e.lower), count_text(e.upper)]
        table.add_row(*row, "yes" if e.converged else styled("no", "red"))
    return table


def _signed(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{'+' if x >= 0 else '−'}{count_text(abs(x))}"


def _linkage_notes(info: dict[str, Any]) -> None:
    drawn = info["persons_drawn"]
    console.print(
        f"linkage: {info['persons_fixed']:,} persons in the stored run; the draws gave "
        f"{drawn['min']:,}–{drawn['max']:,} (mean {drawn['mean']:,.0f}); "
        f"{info['uncertain_pairs']:,} undecided pairs drawn, {info['decided_pairs']:,} "
        "decided by reviewers held fixed"
    )
    cal = info.get("calibration") or {}
    if cal.get("method", "none") != "none":
        console.print(
            f"probabilities recalibrated on {cal['decisions']:,} reviewers' decisions "
            f"(Platt: σ({cal['a']:+.2f} + {cal['b']:.2f} · logit p)) before drawing"
        )
    elif cal.get("reason"):
        console.print(f"probabilities not recalibrated: {cal['reason']}")
    console.print(
        "neither interval covers true matches the link model never scored (blocking never "
        "proposed them): they leave people split in every draw and inflate the estimate"
    )
    review = info["review"]
    if review["pairs"]:
        table = Table(
            "records",
            "lists",
            "p",
            "stored run",
            "draws differing",
            "effect",
            title=f"Review these first: {review['for_half']:,} decisions hold half of the "
            f"linkage uncertainty, {review['for_90_percent']:,} hold 90% "
            f"(of {review['candidates']:,} pairs the draws disagree on)",
        )
        for p in review["pairs"]:
            table.add_row(
                f"{p['record_l']} · {p['record_r']}",
                " · ".join(p["sources"]),
                f"{p['probability']:.2f}",
                "linked" if p["linked_in_stored_run"] else "apart",
                f"{p['share_of_draws_differing']:.0%}",
                f"{p['effect']:+.1f}" if "effect" in p else "",
            )
        console.print(table)
    corr = info.get("bias_correction")
    if corr:
        c, cc = corr["chapman"], corr["chapman_corrected"]
        console.print(
            f"two-list check ({' × '.join(corr['lists'])}): Chapman {count_text(c['estimate'])}; "
            f"corrected for the model's expected false links "
            f"({corr['expected_false_links']:.0f}) and missed links "
            f"({corr['expected_missed_links']:.0f}): {count_text(cc['estimate'])} "
            f"[{count_text(cc['lower'])}–{count_text(cc['upper'])}]"
        )
