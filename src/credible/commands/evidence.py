"""Evidence commands: add, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credible.commands._common import app, console, context, warn
from credible.errors import IntegrityError

evidence_app = typer.Typer(
    help="Preserve evidence files and check the vault.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Any file: a transcript, a photo, a leaked document.")
    ],
    source: Annotated[str, typer.Option(help="The (existing) source it came from.")],
    note: Annotated[str | None, typer.Option(help="How and from whom it was acquired.")] = None,
) -> None:
    """Keep a file as evidence: hashed, encrypted in the vault, its text made searchable."""
    from credible.evidence import add_evidence
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label=f"evidence add {file.name}")
    r = add_evidence(store, file, source=source, actor=settings.actor, note=note)
    if r.already_held:
        console.print(
            f"evidence {r.id} already held (sha256 {r.sha256}); this acquisition was "
            "added to its custody log, nothing else changed"
        )
        return
    indexed = (
        f"{r.text_chars:,} characters of text sealed and indexed"
        if r.text_chars
        else "no text read from it"
    )
    console.print(f"evidence {r.id} preserved: sha256 {r.sha256}, {r.size:,} bytes, {indexed}")


@evidence_app.command("verify")
def evidence_verify(ctx: typer.Context) -> None:
    """Re-read every evidence file in the vault and check it against its SHA-256; list
    files in the vault that no evidence record accounts for."""
    from credible.evidence import verify_vault
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="evidence verify")
    report = verify_vault(store)
    for name in report.orphans:
        warn(
            f"{store.vault.root / name[:2] / name} is in the vault but no evidence record "
            "names it (left by an import that was refused or killed); it can be deleted",
            "orphan:",
        )
    if report.bad:
        shown = "; ".join(f"{sha[:16]}...: {why}" for sha, why in report.bad[:10])
        raise IntegrityError(
            f"{len(report.bad)} of {report.checked} evidence file(s) fail the check: {shown}"
        )
    console.print(f"all {report.checked} evidence files match their SHA-256")
