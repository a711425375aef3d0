"""The report command: the assessment report as HTML, PDF and JSON (logic in
credible.report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credible.commands._common import app, check_output_dir, console, context, styled


@app.command()
def report(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option(help="Folder to write index.html, report.pdf and report.json into.")
    ],
    edition: Annotated[
        str,
        typer.Option(
            help="internal (the team's: names as written, every source named) or public "
            "(redacted before rendering: no witness identified, victims pseudonymised "
            "unless they consented, confidential sources not named)."
        ),
    ] = "internal",
    title: Annotated[str | None, typer.Option(help="The report's title.")] = None,
    redaction: Annotated[
        Path | None,
        typer.Option(
            help="Redaction policy (YAML) for the public edition; default: the shipped one "
            "(src/credible/report/data/redaction.yml)."
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also write report.pdf (needs Pango).")
    ] = True,
) -> None:
    """Write the assessment report from the stored runs: findings, methodology, scale,
    facilities, findings by act, art. 7 elements, limitations and a reproducibility annex.

    The same store and options give a byte-identical index.html; every figure carries the
    run and query it comes from, and report.json lists them.
    """
    from credible.errors import ConfigError
    from credible.report import EDITIONS, build_report, load_redaction
    from credible.store import open_store

    if edition not in EDITIONS:
        raise ConfigError(f"unknown edition {edition!r}; use one of {', '.join(EDITIONS)}")
    if redaction is not None:
        if edition != "public":
            raise ConfigError("--redaction applies to the public edition: add --edition public")
        load_redaction(redaction)  # refused before any work
    check_output_dir(out, "--out")
    store = open_store(context(ctx).settings(), label="report")
    try:
        result = build_report(
            store, out, edition=edition, title=title, redaction=redaction, pdf=pdf
        )
    finally:
        store.close()
    if result.fictional:
        console.print(styled("FICTIONAL", "bold red", " data: the report says so on every page"))
    console.print(
        f"{result.edition} edition: {result.figures:,} figures and {result.refs:,} refs, "
        f"each traced to its run and query"
    )
    for path in (result.html, result.pdf, result.json):
        if path is not None:
            console.print(f"wrote {path}")
