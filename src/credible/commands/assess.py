"""Assessment commands: source add/grade, assess, assess explain/judge/incident/evaluate
(logic in credible.assess)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Column, Table

from credible.commands._common import app, check_output_dir, console, context, styled, warn

source_app = typer.Typer(help="Sources entered by hand, and their grades.", no_args_is_help=True)
app.add_typer(source_app, name="source")

SHORT = {
    "reasonable_grounds_to_believe": "RG",
    "clear_and_convincing": "CC",
    "beyond_reasonable_doubt": "BRD",
}
STANDARD_HELP = (
    "Standard of proof: reasonable_grounds_to_believe (default), clear_and_convincing, "
    "beyond_reasonable_doubt."
)


@source_app.command("add")
def source_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source's name, as imports and reports show it.")],
    kind: Annotated[
        str,
        typer.Option(
            help="testimony, leaked_document, ngo_list, official_statement, media, "
            "satellite_imagery or other."
        ),
    ],
    reliability: Annotated[str, typer.Option(help="Reliability grade A (best) to F.")],
    derived_from: Annotated[
        str | None,
        typer.Option(help="The source this one was compiled from (copies are not independent)."),
    ] = None,
    confidentiality: Annotated[
        str, typer.Option(help="public, restricted or confidential.")
    ] = "restricted",
    description: Annotated[str | None, typer.Option(help="What the source is.")] = None,
) -> None:
    """Add a source by hand (an interview series, an archive), with its first grade."""
    from credible.assess import add_source
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label=f"source add {name}")
    source_id = add_source(
        store,
        settings.actor,
        name,
        kind=kind,
        reliability=reliability,
        derived_from=derived_from,
        confidentiality=confidentiality,
        description=description,
    )
    console.print(f"source {source_id} {name!r} added ({kind}, reliability {reliability})")


@source_app.command("grade")
def source_grade(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source to regrade.")],
    reliability: Annotated[str, typer.Option(help="The new grade, A (best) to F.")],
    rationale: Annotated[str, typer.Option(help="Why the grade changes (kept with it).")],
) -> None:
    """Regrade a source. The new grade is appended and audited; runs keep the grades they used."""
    from credible.assess import grade_source
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label=f"source grade {name}")
    before = grade_source(store, settings.actor, name, reliability, rationale)
    console.print(f"source {name!r}: reliability {before} -> {reliability}")


assess_app = typer.Typer(
    help="Test each act against a standard of proof; findings per act type; art. 7 elements."
)
app.add_typer(assess_app, name="assess")


@assess_app.callback(invoke_without_command=True)
def assess(
    ctx: typer.Context,
    standard: Annotated[str, typer.Option(help=STANDARD_HELP)] = "reasonable_grounds_to_believe",
    policy: Annotated[
        Path | None,
        typer.Option(help="A policy YAML replacing the shipped one (docs/assessment.md)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write assessment.json into.")] = None,
) -> None:
    """Assess every act against the policy; print the findings and record the run.

    An act meets a standard when its claims, weighed by source reliability and
    information credibility, counted once per independent source and net of
    contradictions, pass the standard's rule. Acts of one linked victim are grouped
    into incidents first.
    """
    if ctx.invoked_subcommand is not None:
        return
    from credible.assess import assess as run_assessment
    from credible.assess import write_assessment
    from credible.store import open_store

    if out is not None:
        check_output_dir(out, "--out")
    settings = context(ctx).settings()
    store = open_store(settings, label="assess")
    run = run_assessment(store, settings.actor, standard, policy)
    codes = run.policy.ordered_standards()
    table = Table(
        Column("act type", no_wrap=True, max_width=31, overflow="ellipsis"),
        Column("alleged", justify="right"),
        *(Column(SHORT.get(c, c), justify="right") for c in codes),
        Column("victims", justify="right"),
        Column("sites", justify="right"),
        title=f"assessment run {run.run_id}: acts established by standard of proof",
        caption="RG reasonable grounds to believe · CC clear and convincing · "
        "BRD beyond reasonable doubt; victims and sites (facilities) at "
        + SHORT.get(standard, standard),
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
    )
    for f in run.findings:
        table.add_row(
            f.act_type.replace("_", " "),
            f"{f.acts_alleged:,}",
            *(
                styled(f"{f.by_standard[c]:,}", "bold")
                if c == standard
                else f"{f.by_standard[c]:,}"
                for c in codes
            ),
            f"{f.victims:,}",
            f"{f.facilities:,}",
        )
    console.print(table)
    for f in run.findings:
        if f.established:
            console.print(f"• {f.statement}")
    verdict = run.conclusion["statement"]
    if verdict:
        console.print(styled("art. 7:", "bold", " " + verdict))
    else:
        missing = run.conclusion["unjudged"] + run.conclusion["judged_not_met"]
        console.print(
            f"art. 7: no conclusion; elements not judged met at {standard}: "
            + ", ".join(missing)
            + " (`credible assess judge ELEMENT --met yes|no --rationale TEXT`)"
        )
    for w in run.warnings:
        warn(w)
    if out is not None:
        console.print(f"wrote {write_assessment(run, out)}")


@assess_app.command("explain")
def assess_explain(
    ctx: typer.Context,
    act: Annotated[str, typer.Argument(help="The act's external id (or its id).")],
    standard: Annotated[str, typer.Option(help=STANDARD_HELP)] = "reasonable_grounds_to_believe",
    policy: Annotated[Path | None, typer.Option(help="A policy YAML.")] = None,
) -> None:
    """Show why an act meets the standard it meets, step by step."""
    from credible.assess import explain_act
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="assess explain")
    console.print(explain_act(store, act, standard, policy).to_text())


@assess_app.command("judge")
def assess_judge(
    ctx: typer.Context,
    element: Annotated[
        str,
        typer.Argument(
            help="widespread_or_systematic_attack, "
            "directed_against_civilian_population, knowledge_of_attack or "
            "underlying_act."
        ),
    ],
    met: Annotated[str, typer.Option(help="yes or no.")],
    rationale: Annotated[str, typer.Option(help="The analyst's reasons, kept with the judgement.")],
    standard: Annotated[str, typer.Option(help=STANDARD_HELP)] = "reasonable_grounds_to_believe",
) -> None:
    """Record an analyst's judgement on an element of crimes against humanity (appended,
    audited). The tool gathers the evidence; only judgements conclude."""
    from credible.assess import judge_element
    from credible.store import latest_run, open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="assess judge")
    with store.read() as conn:
        info = latest_run(conn, "assess")
    judge_element(
        store, settings.actor, element, met, rationale, standard, info.id if info else None
    )
    console.print(f"judgement recorded: {element} met={met} at {standard}")


@assess_app.command("incident")
def assess_incident(
    ctx: typer.Context,
    act_a: Annotated[str, typer.Argument(help="External id of one act.")],
    act_b: Annotated[str, typer.Argument(help="External id of the other.")],
    same: Annotated[bool, typer.Option("--same/--different", help="One incident, or two.")] = True,
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Accept that two acts are one incident, or split them (appended, audited)."""
    from credible.assess import judge_acts
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="assess incident")
    decision = "same" if same else "different"
    judge_acts(store, settings.actor, act_a, act_b, decision, note)
    console.print(f"recorded: {act_a} and {act_b} are {'one incident' if same else 'two'}")


@assess_app.command("evaluate")
def assess_evaluate(
    ctx: typer.Context,
    truth: Annotated[
        Path, typer.Option(help="Simulator output folder (with truth/acts.csv) or its truth/.")
    ],
    policy: Annotated[Path | None, typer.Option(help="A policy YAML.")] = None,
) -> None:
    """Score the assessment against known truth: per standard, the share of true acts
    established and the share of fabricated or mistaken ones."""
    from credible.assess import assess as run_assessment
    from credible.assess import score
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="assess evaluate")
    run = run_assessment(store, settings.actor, policy_path=policy, record=False)
    table = Table(
        "standard",
        "acts that happened",
        "fabricated",
        "all not as recorded",
        title="established acts beside the FICTIONAL truth",
        caption="not as recorded: fabricated, or a true act recorded at the wrong facility or date",
    )
    for s in score(run, truth):
        table.add_row(
            SHORT.get(s.standard, s.standard),
            f"{s.true_established:,} of {s.true_acts:,} ({s.true_share:.1%})",
            f"{s.fabricated_established:,} of {s.fabricated_acts:,} ({s.fabricated_share:.1%})",
            f"{s.false_established:,} of {s.false_acts:,} ({s.false_share:.1%})",
        )
    console.print(table)
