"""Evidence commands: add, verify, extract, texts, similar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from credible.commands._common import app, console, context, progress_bar, warn
from credible.errors import IntegrityError

#: credible.evidence.DEFAULT_OCR_LANG, written out so that --help needs no import of it
#: (tests/evidence/test_extract_cli.py holds the two equal).
OCR_LANG = "uig+chi_sim+kaz+rus+eng"
OCR_LANG_HELP = (
    "Tesseract language packs for OCR of images and scans, joined by '+' "
    "(uig: Uyghur, chi_sim: Chinese, kaz: Kazakh, rus: Russian, eng: English)."
)

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
    ocr_lang: Annotated[str, typer.Option(help=OCR_LANG_HELP)] = OCR_LANG,
) -> None:
    """Keep a file as evidence: hashed, encrypted in the vault, its text read (PDF, OCR of
    images and scans, DOCX, HTML, e-mail) and made searchable, its metadata recorded."""
    from credible.evidence import add_evidence
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label=f"evidence add {file.name}")
    r = add_evidence(store, file, source=source, actor=settings.actor, note=note, ocr_lang=ocr_lang)
    if r.already_held:
        console.print(
            f"evidence {r.id} already held (sha256 {r.sha256}); this acquisition was "
            "added to its custody log, nothing else changed"
        )
        return
    indexed = (
        f"{r.text_chars:,} characters of text ({r.method}) sealed and indexed"
        if r.text_chars
        else "no text read from it"
    )
    console.print(f"evidence {r.id} preserved: sha256 {r.sha256}, {r.size:,} bytes, {indexed}")
    if r.problem:
        warn(r.problem, "not read:")


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


@evidence_app.command("extract")
def evidence_extract(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Argument(help="Evidence ids; none: every evidence file.")
    ] = None,
    ocr_lang: Annotated[str, typer.Option(help=OCR_LANG_HELP)] = OCR_LANG,
) -> None:
    """Read the text and metadata of evidence files again, from the vault (a better OCR,
    other languages): each reading is a new text version, the older ones are kept, and
    the newest is what search finds."""
    from credible.evidence import extract_evidence
    from credible.store import open_store

    settings = context(ctx).settings()
    store = open_store(settings, label="evidence extract")
    with progress_bar() as bar:
        task = bar.add_task("reading evidence", total=None)
        results = extract_evidence(
            store,
            ids or (),
            actor=settings.actor,
            ocr_lang=ocr_lang,
            on_start=lambda n: bar.update(task, total=n),
            on_done=lambda _r: bar.advance(task, 1),
        )
    table = Table("id", "file", "version", "method", "characters", "OCR pages")
    for r in results:
        version = "-" if r.version is None else str(r.version)
        table.add_row(
            str(r.evidence_id), r.original_name, version, r.method, f"{r.chars:,}", str(r.ocr_pages)
        )
    console.print(table)
    for r in results:
        if r.problem:
            warn(f"evidence {r.evidence_id} ({r.original_name}): {r.problem}", "not read:")
    console.print(f"{len(results)} evidence file(s) read")


@evidence_app.command("texts")
def evidence_texts(
    ctx: typer.Context,
    evidence_id: Annotated[int, typer.Argument(help="The evidence id.")],
) -> None:
    """List the text versions of an evidence file: how each was read, when, by whom."""
    from credible.evidence import text_versions
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="evidence texts")
    with store.read() as conn:
        versions = text_versions(conn, evidence_id)
    if not versions:
        console.print(
            f"evidence {evidence_id} has no text version (run `credible evidence extract`)"
        )
        return
    table = Table("version", "method", "tools", "OCR languages", "characters", "at", "by")
    for v in versions:
        tools = ", ".join(f"{k} {val}" for k, val in sorted(v.tools.items()))
        table.add_row(
            str(v.version), v.method, tools, v.ocr_lang or "", f"{v.chars:,}", v.at, v.actor
        )
    console.print(table)
    console.print(f"version {versions[-1].version} is the one search holds")


@evidence_app.command("similar")
def evidence_similar(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Only pairs with these evidence ids; none: every image."),
    ] = None,
    max_distance: Annotated[
        int,
        typer.Option(min=0, max=64, help="Differing bits (of 64) within which images pair."),
    ] = 10,
    same_source: Annotated[bool, typer.Option(help="Also list pairs within one source.")] = False,
) -> None:
    """List near-duplicate images (the same photo resized or re-encoded) across sources,
    and the derived_from links they suggest (suggestions only: nothing is changed)."""
    from credible.evidence import derived_from_suggestions, near_duplicates
    from credible.store import open_store

    store = open_store(context(ctx).settings(), label="evidence similar")
    pairs = near_duplicates(
        store, ids or (), max_distance=max_distance, across_sources=not same_source
    )
    if not pairs:
        console.print("no near-duplicate images found")
        return
    table = Table("evidence", "file", "source", "evidence", "file", "source", "distance")
    for p in pairs:
        table.add_row(
            str(p.a), p.name_a, p.source_a, str(p.b), p.name_b, p.source_b, str(p.distance)
        )
    console.print(table)
    for s in derived_from_suggestions(store, pairs):
        shown = ", ".join(f"{c}~{o}" for c, o in s.pairs[:5])
        console.print(
            f"suggestion: source {s.source!r} may derive from {s.derived_from!r} "
            f"({len(s.pairs)} near-duplicate image(s): {shown}; {s.reason}); "
            "not independent evidence if so"
        )
