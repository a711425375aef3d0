"""The simulate command: FICTIONAL investigations with known truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from credible.commands._common import (
    app,
    console,
    progress_bar,
)


@app.command()
def simulate(
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the FICTIONAL investigation to.")
    ] = Path("simulation"),
    people: Annotated[
        int, typer.Option("--people", min=1, help="Size of the true FICTIONAL population.")
    ] = 20_000,
    lists: Annotated[
        int, typer.Option("--lists", min=2, max=10, help="Number of source lists (2-10).")
    ] = 5,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives identical files.")
    ] = 0,
    heterogeneity: Annotated[
        float,
        typer.Option(
            help="How unequal people's chances of being documented are (0 = all equal).",
            min=0.0,
        ),
    ] = 1.0,
    dependence: Annotated[
        float,
        typer.Option(
            help="How strongly lists that share informants depend on each other (0 = none).",
            min=0.0,
        ),
    ] = 1.0,
    id_numbers: Annotated[
        bool,
        typer.Option(
            "--id-numbers/--no-id-numbers",
            help="Lists as rich as real ones: resident identity numbers (with real "
            "errors), township and village, households and relatives, police records "
            "repeated across sheets, a Zipf name inventory. --no-id-numbers writes the "
            "older, poorer lists without any of these, for comparison.",
        ),
    ] = True,
) -> None:
    """Write a FICTIONAL investigation with known truth, for demos and tests.

    OUT gets the source lists as a team receives them: a police spreadsheet
    in Chinese, a testimony archive in Uyghur Latin, a diaspora list in
    Uyghur Arabic script, a Kazakhstan list in Cyrillic (legacy encoding),
    a media list in English, and more for --lists above 5. Also facilities,
    observations, acts and allegations, a mapping file for each, the truth
    (truth/records.csv, population.json, people.csv) and manifest.json,
    whose import_order is the order in which to `credible import` them.
    """
    from credible.simulate import simulate as run_simulation

    with progress_bar() as bar:
        task = bar.add_task("simulating", total=None)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"wrote {step}", completed=done, total=total)

        result = run_simulation(
            people=people,
            lists=lists,
            seed=seed,
            out=out,
            progress=report,
            heterogeneity=heterogeneity,
            dependence=dependence,
            id_numbers=id_numbers,
        )
    table = Table("source", "file", "records", "people", title="FICTIONAL source lists")
    for entry in result.lists:
        table.add_row(
            entry["source"], entry["path"], f"{entry['records']:,}", f"{entry['people']:,}"
        )
    console.print(table)
    console.print(
        f"{result.people:,} FICTIONAL people, {result.observed:,} on at least one list, "
        f"{result.records:,} records; {result.facilities} facilities, "
        f"{result.observations} observations, {result.acts:,} acts, "
        f"{result.allegations:,} allegations",
    )
    console.print(f"manifest: {result.manifest}")
