"""Evidence commands: add, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credible.commands._common import (
    app,
    console,
    context,
)
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
    from credible.evidence import Vault, add_evidence
    from credible.store import open_store, vault_dir

    settings = context(ctx).settings()
    store = open_store(settings)
    vault = Vault(vault_dir(settings), settings.key_file.read_bytes())
    r = add_evidence(store, vault, file, source=source, actor=settings.actor, note=note)
    held = "already held; acquisition recorded" if r.already_held else "preserved"
    console.print(
        f"evidence {r.id} {held}: sha256 {r.sha256}, {r.size:,} bytes, "
        f"{r.text_chars:,} characters of text indexed"
    )


@evidence_app.command("verify")
def evidence_verify(ctx: typer.Context) -> None:
    """Re-read every evidence file in the vault and check it against its SHA-256."""
    from credible.evidence import Vault
    from credible.store import open_store, schema, vault_dir

    settings = context(ctx).settings()
    store = open_store(settings)
    vault = Vault(vault_dir(settings), settings.key_file.read_bytes())
    with store.read() as conn:
        hashes = [
            h
            for (h,) in conn.execute(
                schema.evidence.select().with_only_columns(schema.evidence.c.sha256)
            )
        ]
    bad = [h for h in hashes if not vault.verify(h)]
    if bad:
        raise IntegrityError(
            f"{len(bad)} evidence file(s) do not match their hash: {', '.join(bad)}"
        )
    console.print(f"all {len(hashes)} evidence files match their SHA-256")
