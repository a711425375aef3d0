"""Store commands: init, export, audit verify, search."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from credible.commands._common import (
    app,
    console,
    context,
    err_console,
    where,
)
from credible.errors import IntegrityError


@app.command()
def init(ctx: typer.Context) -> None:
    """Create a store, or upgrade an existing one to the newest schema.

    A plain path (or nothing: ./credible.db) makes an SQLite file; a postgresql:// URL uses
    PostgreSQL. Safe to run again: an up-to-date store is left as it is.
    """
    from credible.store import init_store

    settings = context(ctx).settings()
    store, before, after = init_store(settings)
    store.close()
    if before == after:
        console.print(f"store at {where(settings)} is up to date (schema {after})")
    else:
        console.print(f"store at {where(settings)} is ready (schema {before or 'none'} -> {after})")


@app.command()
def export(
    ctx: typer.Context,
    table: Annotated[
        str,
        typer.Argument(
            help="Table to write: sources, evidence, person_records, "
            "persons, facilities, acts, allegations, audit, ...; links = each "
            "record's Person in the latest linkage run"
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl.")] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write; default stdout.")
    ] = None,
    reveal_sensitive: Annotated[
        bool,
        typer.Option(help="Decrypt sensitive fields (contact) instead of writing [encrypted]."),
    ] = False,
) -> None:
    """Write a table as CSV or JSON Lines, every field a column."""
    from credible.store import open_store
    from credible.store.export import export_table

    store = open_store(context(ctx).settings())
    if out is None:
        export_table(store, table, fmt, sys.stdout, reveal_sensitive)
        return
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        n = export_table(store, table, fmt, fh, reveal_sensitive)
    tmp.replace(out)
    err_console.print(f"wrote {n} {table} rows to {out}")


audit_app = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    expect_head: Annotated[
        str | None,
        typer.Option(
            help="Hash the chain must end in (as printed "
            "by an earlier verify), to detect a cut tail."
        ),
    ] = None,
) -> None:
    """Check the audit chain and every row against it; exit 5 naming the first breach."""
    from credible.store import open_store, verify

    store = open_store(context(ctx).settings())
    with store.read() as conn:
        report = verify(conn, expect_head)
    if not report.ok:
        first = report.breaches[0]
        more = len(report.breaches) - 1
        raise IntegrityError(
            f"audit check failed at {first}" + (f" (+{more} more)" if more else "")
        )
    console.print(
        f"audit chain intact: {report.entries} entries, {report.rows} rows checked; "
        f"head {report.head_hash}"
    )


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="Words to find, in any script: Аблимит, ئابلىمىت, 阿不都.")
    ],
    limit: Annotated[int, typer.Option(help="Most hits to show.")] = 50,
) -> None:
    """Full-text search over person names, facility names and evidence text."""
    from credible.store import open_store

    store = open_store(context(ctx).settings())
    with store.read() as conn:
        hits = store.search.query(conn, query, limit)
    if not hits:
        err_console.print(f"no match for {query!r}")
        raise typer.Exit(1)
    table = Table("kind", "id", "text")
    for hit in hits:
        table.add_row(hit.kind, str(hit.ref), hit.text)
    console.print(table)
