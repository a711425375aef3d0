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
    if not (info.get("split_audit") or {}).get("used"):
        console.print(
            "neither interval covers true matches the link model never scored (blocking "
            "never proposed them): they leave people split in every draw and inflate the "
            "estimate; a split audit (`credible split-audit draw`) would correct for them"
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
    audit = info.get("split_audit") or {}
    if audit.get("used"):
        lo, hi = audit["split_rate_interval"]
        console.print(
            f"split audit (run {audit['audit_run']}): {audit['found']} of {audit['audited']} "
            f"sampled persons seen on one list were found on another list; split rate "
            f"{audit['split_rate']:.1%} [{lo:.1%}–{hi:.1%}] of {audit['one_list_persons']:,} "
            "one-list persons, joined in each draw with its sampling error"
        )
    elif audit.get("reason"):
        console.print(f"no split audit used: {audit['reason']}")
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


split_audit_app = typer.Typer(
    help="A split audit: a reviewer searches the other lists for a random sample of the "
    "persons seen on one list; `credible estimate` then corrects for the splits it finds.",
    no_args_is_help=True,
)
app.add_typer(split_audit_app, name="split-audit")


@split_audit_app.command("draw")
def split_audit_draw(
    ctx: typer.Context,
    size: Annotated[
        int, typer.Option("--size", min=1, help="Persons to sample (100-200 is typical).")
    ] = 150,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sample.")] = 0,
    new: Annotated[
        bool,
        typer.Option(
            "--new",
            help="Draw another sample although one is stored (the first stays on record).",
        ),
    ] = False,
) -> None:
    """Draw the sample: persons seen on exactly one list in the latest link run."""
    from credible.estimate import draw_split_audit
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="split-audit")
    run_id, audit = draw_split_audit(store, settings.actor, size, seed, new)
    console.print(
        f"split audit {run_id}: {len(audit.sample):,} of {audit.frame:,} persons seen on "
        "one list sampled. For each, search the other lists (`credible search`) and record "
        "`credible split-audit answer RECORD --found OTHER` or `--not-found`."
    )
    console.print(" ".join(str(r) for r in audit.sample))


@split_audit_app.command("answer")
def split_audit_answer(
    ctx: typer.Context,
    record: Annotated[int, typer.Argument(help="A sampled record (from `split-audit show`).")],
    found: Annotated[
        int | None,
        typer.Option("--found", help="The record the same person is listed under elsewhere."),
    ] = None,
    not_found: Annotated[
        bool, typer.Option("--not-found", help="Searched the other lists; not there.")
    ] = False,
    note: Annotated[str | None, typer.Option("--note", help="Where and how you searched.")] = None,
) -> None:
    """Record the answer for one sampled person (a later answer replaces an earlier one)."""
    from credible.errors import CredibleError
    from credible.estimate import answer_split_audit
    from credible.store import open_store

    if (found is None) == (not not_found):
        raise CredibleError("give exactly one of --found RECORD or --not-found")
    settings = context(ctx).settings()
    store = open_store(settings, label="split-audit")
    answer_split_audit(store, settings.actor, record, found, note)
    console.print(
        f"record {record}: " + ("not found" if found is None else f"found as record {found}")
    )


@split_audit_app.command("show")
def split_audit_show(ctx: typer.Context) -> None:
    """The latest split audit: its sample, the answers so far, the split rate."""
    from credible.errors import NotFoundError
    from credible.estimate import scored_linkage, split_rate, stored_split_audit
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="split-audit")
    audit = stored_split_audit(store)
    if audit is None:
        raise NotFoundError("no split audit drawn yet: run `credible split-audit draw` first")
    table = Table("record", "answer", title=f"split audit {audit.audit_run}")
    for r in audit.sample:
        if r not in audit.answers:
            answer = "unanswered"
        else:
            found = audit.answers[r]
            answer = "not found" if found is None else f"found as record {found}"
        table.add_row(str(r), answer)
    console.print(table)
    rate = split_rate(scored_linkage(store), audit)
    lo, hi = rate.interval()
    console.print(
        f"{rate.found} found of {rate.audited} answered (of {rate.sampled} sampled); split "
        f"rate {rate.rate:.1%} [{lo:.1%}–{hi:.1%}] of {rate.frame:,} one-list persons"
    )
