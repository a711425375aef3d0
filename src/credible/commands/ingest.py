"""The import command."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from credible.commands._common import app, console, context, progress, warn
from credible.model import KINDS

# The kinds a file can hold, as the choices Typer checks and lists in --help.
Kind = enum.Enum("Kind", {k: k for k in KINDS}, type=str)  # type: ignore[misc]


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX, JSON or JSON Lines file.")],
    source: Annotated[
        str, typer.Option(help="Name of the source the file comes from (created if new).")
    ],
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping YAML (see docs/mapping.md).")
    ] = None,
    kind: Annotated[
        Kind | None,
        typer.Option(
            help="Without a mapping: person_record (default), "
            "facility, facility_observation, act, allegation.",
            show_default=False,
        ),
    ] = None,
    keep_invalid: Annotated[
        bool,
        typer.Option(
            "--keep-invalid",
            help="Keep a value that fails validation (a date like 1955-11-92) as written, in "
            "extra.as_written, with the field left empty, and record the problem "
            "(`credible export problems`), instead of refusing the file. Anything else "
            "wrong with the file still refuses it whole.",
        ),
    ] = False,
    limit: Annotated[
        list[str] | None,
        typer.Option(
            "--limit",
            help="Raise a reader's safety limit for a trusted file, as NAME=VALUE "
            "(repeatable), e.g. xlsx_expanded_mb=8000; see docs/mapping.md for the names.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import a file as one transaction; any bad row rejects the whole file.

    The file is kept as evidence (sha256, size, name, who and when). Importing the same
    file for the same source again adds nothing.
    """
    from credible.ingest import ReadLimits, import_file
    from credible.store import open_store

    limits = ReadLimits.from_options(limit or [])
    settings = context(ctx).settings()
    store = open_store(settings, label=f"import {file.name}")
    with progress(f"importing {file.name}") as advance:
        result = import_file(
            store,
            file,
            source=source,
            actor=settings.actor,
            mapping_path=mapping,
            kind=kind.value if kind else None,
            limits=limits,
            progress=advance,
            keep_invalid=keep_invalid,
        )
    if result.already_imported:
        console.print(
            f"{file.name} was already imported for source {source!r} "
            f"({result.rows} {result.kind} rows); nothing added"
        )
        return
    console.print(
        f"imported {result.rows} {result.kind} rows from {file.name} "
        f"into source {source!r} (sha256 {result.sha256[:12]}...)"
    )
    for message in result.warnings:
        warn(message)
    if result.kept_invalid:
        fields = ", ".join(f"{name} {n:,}" for name, n in sorted(result.kept_invalid.items()))
        warn(
            f"kept {sum(result.kept_invalid.values()):,} value(s) as written that failed "
            f"validation, their fields left empty ({fields}); `credible export problems` "
            "lists them",
            "kept:",
        )
